"""Deployment descriptors: which Python functions API Gateway calls, for which method and path.

Read from Serverless Framework files (``serverless.yml``: ``functions.<name>.handler`` and its
``http`` / ``httpApi`` events) and AWS SAM templates (``template.yaml``: each
``AWS::Serverless::Function``'s ``Handler`` and ``CodeUri`` and its ``Api`` / ``HttpApi``
events), so that a Lambda handler's findings name its endpoint, and an event with an authorizer
or an API key marks the handler authenticated. Only data is read: variables (``${self:...}``)
and intrinsic functions (``!Sub``) are kept as text or dropped, never resolved.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dynaguard.model import ScanWarning
from dynaguard.static.source.discover import discover as find_files
from dynaguard.static.source.discover import regular, upward

NAMES = frozenset({"serverless.yml", "serverless.yaml", "template.yaml", "template.yml"})
MAX_BYTES = 1024 * 1024
"""A descriptor larger than this is skipped (with a warning)."""
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


def discover(
    paths: Sequence[Path], root: Path, exclude: Sequence[str] = ()
) -> list[tuple[Path, str]]:
    """The descriptor files under ``paths``, and beside them up to ``root`` (``dynaguard code
    src`` in a SAM project reads the ``template.yaml`` at its top), as sorted ``(file, path
    relative to root)``."""
    found = find_files(paths, root, exclude, wanted=NAMES.__contains__)
    by_rel = {rel: path for path, rel in _above(paths, root)}
    by_rel |= {rel: path for path, rel in found if path.name in NAMES}
    return sorted((path, rel) for rel, path in by_rel.items())


def _above(paths: Sequence[Path], root: Path) -> list[tuple[Path, str]]:
    """Descriptors in the folders from each scanned path's parent up to ``root``."""
    out = []
    base = root.resolve()
    folders: set[Path] = set()
    for path in paths:
        folders.update(upward(path.resolve().parent, base))
    for folder in sorted(folders):
        for name in sorted(NAMES):
            candidate = folder / name
            if regular(candidate):
                out.append((candidate, candidate.relative_to(base).as_posix()))
    return out


def read(files: Sequence[tuple[Path, str]]) -> tuple[list[Handler], list[ScanWarning]]:
    handlers: list[Handler] = []
    warnings: list[ScanWarning] = []
    for path, rel in files:
        try:
            if path.stat().st_size > MAX_BYTES:
                warnings.append(ScanWarning("skipped, a descriptor larger than 1 MB", path=rel))
                continue
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
            reason = getattr(exc, "problem", None) or type(exc).__name__
            warnings.append(ScanWarning(f"deployment descriptor not read ({reason})", path=rel))
            continue
        if isinstance(document, dict):
            base = posixpath.dirname(rel)
            parse = _serverless if path.name.startswith("serverless") else _sam
            handlers += parse(document, base)
    return handlers, warnings


class _Loader(yaml.SafeLoader):
    """Safe YAML that accepts CloudFormation's tags: ``!Ref X`` is ``{"Ref": "X"}``, any other
    tag's value is kept as plain data (``!Sub`` strings stay text)."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        value = None
    return {"Ref": value} if suffix == "Ref" else value


_Loader.add_multi_constructor("!", _tagged)


# -- Serverless Framework ------------------------------------------------------------------------


def _serverless(document: Mapping[str, Any], base: str) -> list[Handler]:
    functions = document.get("functions")
    out: list[Handler] = []
    if not isinstance(functions, dict):
        return out
    for spec in functions.values():
        if not isinstance(spec, dict) or not isinstance(spec.get("handler"), str):
            continue
        located = _python(base, spec["handler"])
        if located is None:
            continue
        routes = tuple(r for e in spec.get("events") or () if (r := _serverless_route(e)))
        out.append(Handler(*located, routes))
    return out


def _serverless_route(event: object) -> Route | None:
    if not isinstance(event, dict):
        return None
    for kind in ("http", "httpApi"):
        spec = event.get(kind)
        if isinstance(spec, str):  # ``GET users/{id}``, or ``*`` for an HTTP API catch-all
            method, _, path = spec.partition(" ")
            return _route(method, path or "/*", False)
        if isinstance(spec, dict):
            guarded = (
                spec.get("authorizer") not in (None, "", "NONE") or spec.get("private") is True
            )
            return _route(str(spec.get("method", "ANY")), str(spec.get("path", "/")), guarded)
    return None


# -- AWS SAM ----------------------------------------------------------------------------------------


def _sam(document: Mapping[str, Any], base: str) -> list[Handler]:
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        return []
    globals_ = _dict(document.get("Globals"))
    defaults = _dict(globals_.get("Function"))
    default_auth = _authorizer(
        _dict(_dict(globals_.get("Api")).get("Auth")).get("DefaultAuthorizer")
    )
    apis = {
        name: _authorizer(
            _dict(_dict(_dict(r).get("Properties")).get("Auth")).get("DefaultAuthorizer")
        )
        for name, r in resources.items()
        if _dict(r).get("Type") in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")
    }
    out = []
    for resource in resources.values():
        if _dict(resource).get("Type") != "AWS::Serverless::Function":
            continue
        props = _dict(resource.get("Properties"))
        handler = props.get("Handler", defaults.get("Handler"))
        code = props.get("CodeUri", defaults.get("CodeUri", ""))
        if not isinstance(handler, str):
            continue
        located = _python(posixpath.join(base, code if isinstance(code, str) else ""), handler)
        if located is None:
            continue
        routes = []
        for declared in _dict(props.get("Events")).values():
            event = _dict(declared)
            if event.get("Type") not in ("Api", "HttpApi"):
                continue
            spec = _dict(event.get("Properties"))
            api = _dict(spec.get("RestApiId") or spec.get("ApiId")).get("Ref")
            inherited = apis.get(api, default_auth) if isinstance(api, str) else default_auth
            auth = _dict(spec.get("Auth"))
            guarded = _authorizer(auth.get("Authorizer")) if "Authorizer" in auth else inherited
            guarded = guarded or auth.get("ApiKeyRequired") is True
            route = _route(str(spec.get("Method", "ANY")), str(spec.get("Path", "/")), guarded)
            if route is not None:
                routes.append(route)
        out.append(Handler(*located, tuple(routes)))
    return out


def _authorizer(value: object) -> bool:
    return value not in (None, "", "NONE", "AWS_IAM_NONE")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- shared ------------------------------------------------------------------------------------------


def _python(base: str, handler: str) -> tuple[str, str] | None:
    """``src/users.create`` (Serverless) or ``app.lambda_handler`` (SAM) under ``base``:
    (file relative to the scan root, function name)."""
    module, _, function = handler.rpartition(".")
    if not module or not function.isidentifier():
        return None
    if "/" not in module:
        module = module.replace(".", "/")
    path = posixpath.normpath(posixpath.join(base, module + ".py"))
    return (path, function) if not path.startswith("..") else None


def _route(method: str, path: str, authenticated: bool) -> Route | None:
    method = method.strip().upper() or "ANY"
    if method == "*":
        method = "ANY"
    if method not in _METHODS:
        return None
    path = "/" + path.strip().lstrip("/")
    return Route(method, path, authenticated)
