"""An OpenAPI 3.0 description of what the code serves (``dynaguard code --emit-openapi``): pure,
a function of the routes ``facts/surface.py`` found.

Every operation carries ``x-dynaguard-source`` (``file:line`` of its handler). A route the
analyser finds authenticated requires the ``dynaguard`` security scheme; a login or sign-up route
is explicitly public (``security: []``); any other route has no requirement, as a route that
checks nobody is served (the dynamic scanner still sends it anonymous requests). A body read
whole, no field of it named, is marked ``x-dynaguard-free-form``.

An optional body field with a server-controlled name (DG103's list: ``balance``, ``role``...) is
``readOnly``: a handler that reads it with a default the client is not meant to send is what
DG103 is about, so the scanner sends it as a server-controlled extra, not as a field of the API.
The route serving the API description itself (``/openapi.json``...) is not part of the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dynaguard.catalogue.dg103 import SERVER_CONTROLLED, normalise
from dynaguard.static.facts.surface import Input, Route

OPENAPI_VERSION = "3.0.3"
SCHEME = "dynaguard"
"""The one security scheme: dynaguard sees that a handler authenticates, not how."""
SOURCE_KEY = "x-dynaguard-source"
FREE_FORM = "x-dynaguard-free-form"
"""On a body the handler reads without naming a field of it (it takes whatever names it is sent):
the scanner gives it the fields the API shows when read (dynamic/free_form.py)."""
_SERVER = frozenset(normalise(n) for n in SERVER_CONTROLLED)
_DESCRIPTIONS = frozenset(
    f"{name}.{ext}" for name in ("openapi", "swagger") for ext in ("json", "yaml", "yml")
)


def document(routes: Sequence[Route], *, title: str) -> dict[str, Any]:
    """The OpenAPI document of ``routes``."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if route.path.rpartition("/")[2] in _DESCRIPTIONS:
            continue
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": title,
            "version": "0",
            "description": (
                "Derived by dynaguard from the source code: routes, the request fields each "
                "handler reads, and whether it authenticates the caller."
            ),
        },
        "paths": paths,
    }
    if any(r.authenticated for r in routes):
        doc["components"] = {
            "securitySchemes": {
                SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The handler authenticates the caller; the scheme itself "
                    "is configured in the code (dynaguard does not say which).",
                }
            }
        }
    return doc


def _operation(route: Route) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": _operation_id(route),
        "summary": f"{route.function} ({route.source})",
        "tags": list(route.tags),
        "responses": {"default": {"description": "Whatever the handler answers."}},
        SOURCE_KEY: route.source,
    }
    parameters = [
        *(_parameter(p, "path") for p in route.path_params),
        *(_parameter(p, "query") for p in route.query),
        *(_parameter(p, "header") for p in route.headers),
    ]
    if parameters:
        operation["parameters"] = parameters
    if route.body or route.reads_body:
        schema = _object(route.body, body=True)
        if not route.body:
            schema[FREE_FORM] = True
        operation["requestBody"] = {
            "required": bool(schema.get("required")),
            "content": {"application/json": {"schema": schema}},
        }
    if route.authenticated:
        operation["security"] = [{SCHEME: []}]
    elif route.public:
        operation["security"] = []
    return operation


def _operation_id(route: Route) -> str:
    # Unique: one handler may serve several methods.
    return f"{route.function}.{route.method.lower()}"


def _parameter(item: Input, where: str) -> dict[str, Any]:
    return {
        "name": item.name,
        "in": where,
        "required": item.required or where == "path",
        "schema": _schema(item),
    }


def _schema(item: Input) -> dict[str, Any]:
    if item.properties:
        return _object(item.properties)
    schema: dict[str, Any] = {}
    if item.type is not None:
        schema["type"] = item.type
    if item.format is not None:
        schema["format"] = item.format
    return schema


def _object(fields: Sequence[Input], *, body: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    if fields:
        schema["properties"] = {
            f.name: _server(_schema(f)) if body and _server_controlled(f) else _schema(f)
            for f in fields
        }
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def _server_controlled(item: Input) -> bool:
    return not item.required and normalise(item.name) in _SERVER


def _server(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "readOnly": True, "x-dynaguard-server-controlled": True}


__all__ = ["FREE_FORM", "OPENAPI_VERSION", "SCHEME", "SOURCE_KEY", "document"]
