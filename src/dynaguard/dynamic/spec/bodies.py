"""An operation's request body: its schema, and how it is sent (JSON, a URL-encoded form or a
multipart form), from OpenAPI 3 ``requestBody.content`` or Swagger 2 ``in: body`` / ``formData``
parameters and ``consumes``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.dynamic.spec.refs import Resolver

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True, slots=True)
class Body:
    """What an operation takes in its body."""

    schema: Mapping[str, Any] | None
    """The body's schema (``None``: no body the scanner can send)."""
    required: bool = False
    example: Any = None
    media: str = JSON
    """``JSON``, ``FORM`` or ``MULTIPART``: how the scanner encodes what it sends."""


NONE = Body(None)


def openapi_body(resolver: Resolver, raw: Mapping[str, Any]) -> Body:
    """JSON when the operation takes it, else a form; other media (XML, files alone) are not
    sent."""
    body = resolver.deep(raw.get("requestBody"))
    if not isinstance(body, Mapping):
        return NONE
    content = body.get("content") or {}
    media = _choose([str(m) for m in content])
    if media is None:
        return NONE
    entry = content[media] or {}
    example = entry.get("example")
    examples = entry.get("examples")
    if example is None and isinstance(examples, Mapping) and examples:
        first = next(iter(examples.values()))
        example = first.get("value") if isinstance(first, Mapping) else None
    encoding = _encoding(media)
    return Body(as_schema(entry.get("schema")), bool(body.get("required")), example, encoding)


def swagger_body(resolver: Resolver, raw: Mapping[str, Any], consumes: Any) -> Body:
    """The ``in: body`` parameter, or the ``formData`` parameters as one object's properties."""
    params = [resolver.deep(p) for p in raw.get("parameters") or []]
    media = [str(m) for m in consumes] if isinstance(consumes, list) else []
    for param in params:
        if isinstance(param, Mapping) and param.get("in") == "body":
            schema = as_schema(param.get("schema"))
            return Body(schema, bool(param.get("required")), schema.get("example"))
    form = [p for p in params if isinstance(p, Mapping) and p.get("in") == "formData"]
    if not form:
        return NONE
    properties = {
        str(p["name"]): {k: v for k, v in p.items() if k not in ("name", "in", "required")}
        for p in form
    }
    required = [str(p["name"]) for p in form if p.get("required")]
    files = any(p.get("type") == "file" for p in form)
    # A file goes only in a multipart form; otherwise ``consumes`` decides, URL-encoded first.
    multipart = files or (MULTIPART in _bare(media) and FORM not in _bare(media))
    schema = {"type": "object", "properties": properties, "required": required}
    return Body(schema, bool(required), None, MULTIPART if multipart else FORM)


def _choose(media: list[str]) -> str | None:
    """The media type the scanner sends: JSON first (``application/*+json`` too), then forms;
    ``*/*`` takes JSON."""
    bare = _bare(media)
    for wanted in ("json", FORM, MULTIPART, "*/*"):
        for name, plain in zip(media, bare, strict=True):
            if wanted in plain:
                return name
    return None


def _encoding(media: str) -> str:
    plain = _bare([media])[0]
    return plain if plain in (FORM, MULTIPART) else JSON


def _bare(media: list[str]) -> list[str]:
    """Media types without parameters (``; charset=utf-8``), in lower case."""
    return [m.split(";", 1)[0].strip().lower() for m in media]


def as_schema(node: Any) -> Mapping[str, Any]:
    """A schema as an object: ``true``, ``false`` or nothing say nothing a sample could use."""
    return node if isinstance(node, Mapping) else {}
