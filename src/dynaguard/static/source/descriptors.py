"""What a deployment descriptor says about one Lambda handler: its file, function and routes
(shared by the Serverless, SAM and plain CloudFormation readers)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    """Upper-case; ``ANY`` for every method."""
    path: str
    """As the descriptor writes it (``/users/{id}``), with a leading slash."""
    authenticated: bool
    """An authorizer (other than ``NONE``) or a required API key guards it."""


@dataclass(frozen=True, slots=True)
class Handler:
    path: str
    """The handler's Python file, relative to the scan root (``src/users.py``)."""
    function: str
    """Its function name (``create``)."""
    routes: tuple[Route, ...]
    """The HTTP events that call it (empty: invoked some other way)."""
    anywhere: bool = False
    """The template does not say where the code bundle starts (an S3 zip): ``path`` is the end
    of the handler file's path (``handlers/main.py``)."""


def located(base: str, handler: str) -> tuple[str, str] | None:
    """``src/users.create`` (Serverless) or ``app.lambda_handler`` (SAM) under ``base``:
    (file relative to the scan root, function name)."""
    module, _, function = handler.rpartition(".")
    if not module or not function.isidentifier():
        return None
    if "/" not in module:
        module = module.replace(".", "/")
    path = posixpath.normpath(posixpath.join(base, module + ".py"))
    return (path, function) if not path.startswith("..") else None


def route(method: str, path: str, authenticated: bool) -> Route | None:
    method = method.strip().upper() or "ANY"
    if method == "*":
        method = "ANY"
    if method not in _METHODS:
        return None
    path = "/" + path.strip().lstrip("/")
    return Route(method, path, authenticated)


def authorizer(value: object) -> bool:
    """An authorizer setting that guards the route (``NONE`` and nothing do not)."""
    return value not in (None, "", "NONE", "AWS_IAM_NONE")
