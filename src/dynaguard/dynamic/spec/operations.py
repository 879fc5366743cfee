"""OpenAPI 3.0/3.1 and Swagger 2.0 normalised into one list of :class:`Operation`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dynaguard.dynamic.errors import SpecError
from dynaguard.dynamic.spec.bodies import JSON, as_schema, openapi_body, swagger_body
from dynaguard.dynamic.spec.load import SpecDocument
from dynaguard.dynamic.spec.refs import Resolver, pointer
from dynaguard.model import Endpoint

METHODS = ("get", "put", "post", "delete", "patch")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_OPERATIONS = 5_000
"""More are refused: each probe weighs every operation against the others."""


@dataclass(frozen=True, slots=True)
class Param:
    """A path, query or header parameter, its schema resolved."""

    name: str
    location: str
    required: bool
    schema: Mapping[str, Any] = field(default_factory=dict)
    example: Any = None


@dataclass(frozen=True, slots=True, eq=False)
class Operation:
    """One method on one path, as the spec describes it (schemas have no ``$ref`` left)."""

    method: str
    """Upper-case HTTP method."""
    path: str
    """Path template with ``{name}`` parameters, relative to the base path."""
    operation_id: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    body: Mapping[str, Any] | None = None
    """Request body schema, if the operation takes one the scanner can send."""
    body_required: bool = False
    body_example: Any = None
    """An example body given by the spec, if any."""
    media: str = JSON
    """How a body is sent: JSON, a URL-encoded form or a multipart form (spec/bodies.py)."""
    responses: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Status (``200``, ``2XX``, ``default``) -> JSON response schema."""
    security: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    """Effective security requirements (``()`` means explicitly public, ``None`` unknown)."""
    extensions: Mapping[str, Any] = field(default_factory=dict)
    """``x-...`` keys of the operation."""

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.method, self.path)

    @property
    def writes(self) -> bool:
        return self.method in WRITE_METHODS

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def query_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "query")

    @property
    def public(self) -> bool:
        """True when the spec says anonymous callers are allowed."""
        return self.security is not None and (not self.security or ("", ()) in self.security)

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(s for _, scopes in self.security or () for s in scopes)


@dataclass(frozen=True, slots=True)
class ApiSpec:
    """The operations of an API and the base path they hang under."""

    source: str
    version: str
    title: str
    base_path: str
    operations: tuple[Operation, ...]

    def find(self, method: str, path: str) -> Operation | None:
        return next((o for o in self.operations if o.method == method and o.path == path), None)


def build_spec(doc: SpecDocument) -> ApiSpec:
    """Every operation of the document, in path order."""
    resolver = Resolver(doc.document, doc.source)
    document = doc.document
    global_security = _security(document.get("security"))
    operations: list[Operation] = []
    for path, node in sorted(document["paths"].items()):
        item = resolver.shallow(node)
        if not isinstance(item, Mapping) or path.startswith("x-"):
            continue
        shared = item.get("parameters", [])
        for method in METHODS:
            raw = item.get(method)
            if isinstance(raw, Mapping):
                if len(operations) == MAX_OPERATIONS:
                    raise SpecError(
                        f"{doc.source}: more than {MAX_OPERATIONS:,} operations, the most "
                        "dynaguard scans; split the description"
                    )
                resolver.where = pointer(("paths", path, method))
                where = _Where(path, method, shared, global_security)
                operations.append(_operation(doc, resolver, where, raw))
    info = document.get("info")
    info = info if isinstance(info, Mapping) else {}
    return ApiSpec(
        doc.source, doc.version, str(info.get("title", "")), _base_path(doc), tuple(operations)
    )


@dataclass(frozen=True, slots=True)
class _Where:
    """What an operation inherits from its path item and the document."""

    path: str
    method: str
    shared_params: Any
    security: tuple[tuple[str, tuple[str, ...]], ...] | None


def _operation(
    doc: SpecDocument, resolver: Resolver, where: _Where, raw: Mapping[str, Any]
) -> Operation:
    params = _params(resolver, [*(where.shared_params or []), *(raw.get("parameters") or [])])
    if doc.version == "2.0":
        consumes = raw.get("consumes", doc.document.get("consumes"))
        body = swagger_body(resolver, raw, consumes)
    else:
        body = openapi_body(resolver, raw)
    own_security = _security(raw.get("security"))
    return Operation(
        method=where.method.upper(),
        path=where.path,
        operation_id=str(raw.get("operationId", "")),
        summary=str(raw.get("summary") or raw.get("description") or ""),
        tags=tuple(str(t) for t in raw.get("tags") or ()),
        params=tuple(p for p in params if p.location in ("path", "query", "header")),
        body=body.schema,
        body_required=body.required,
        body_example=body.example,
        media=body.media,
        responses=_responses(resolver, raw.get("responses") or {}, doc.version),
        security=own_security if own_security is not None else where.security,
        extensions={k: v for k, v in raw.items() if k.startswith("x-")},
    )


def _params(resolver: Resolver, raw: list[Any]) -> list[Param]:
    by_key: dict[tuple[str, str], Param] = {}
    for entry in raw:
        node = resolver.deep(entry)
        if not isinstance(node, Mapping) or "name" not in node:
            continue
        where = str(node.get("in", ""))
        schema = as_schema(
            node.get("schema") or {k: node[k] for k in ("type", "format", "enum") if k in node}
        )
        by_key[(where, str(node["name"]))] = Param(
            name=str(node["name"]),
            location=where,
            required=bool(node.get("required")) or where == "path",
            schema=schema,
            example=node.get("example", schema.get("example")),
        )
    return list(by_key.values())


def _responses(
    resolver: Resolver, raw: Mapping[str, Any], version: str
) -> dict[str, Mapping[str, Any]]:
    result: dict[str, Mapping[str, Any]] = {}
    for status, response in raw.items():
        node = resolver.deep(response)
        if not isinstance(node, Mapping):
            continue
        if version == "2.0":
            schema = node.get("schema")
        else:
            content = node.get("content") or {}
            media = next((m for m in content if "json" in m), None)
            schema = (content[media] or {}).get("schema") if media else None
        result[str(status)] = schema if isinstance(schema, Mapping) else {}
    return result


def _security(raw: Any) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    if not isinstance(raw, list):
        return None
    requirements: list[tuple[str, tuple[str, ...]]] = []
    for requirement in raw:
        if isinstance(requirement, Mapping) and not requirement:
            requirements.append(("", ()))  # `{}`: anonymous is one of the alternatives
        elif isinstance(requirement, Mapping):
            for name, scopes in requirement.items():
                requirements.append((str(name), tuple(str(s) for s in scopes or ())))
    return tuple(requirements)


def _base_path(doc: SpecDocument) -> str:
    document = doc.document
    if doc.version == "2.0":
        return str(document.get("basePath") or "").rstrip("/")
    servers = document.get("servers") or []
    server = servers[0] if servers and isinstance(servers[0], Mapping) else {}
    return _url_path(_substitute(str(server.get("url", "")), server.get("variables")))


def _url_path(url: str) -> str:
    """The path of an absolute or relative server URL (``http://h:{port}/v1``, ``/v1``, ``v1``),
    whatever its host part holds."""
    if "://" in url:
        url = url.split("://", 1)[1]
        url = url[url.index("/") :] if "/" in url else ""
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return path if not path or path.startswith("/") else "/" + path


def _substitute(url: str, variables: Any) -> str:
    """``{name}`` in a server URL replaced by the variable's default (OpenAPI 3's rule)."""
    if not isinstance(variables, Mapping):
        return url
    for name, variable in variables.items():
        default = variable.get("default") if isinstance(variable, Mapping) else None
        url = url.replace("{" + str(name) + "}", str(default) if default is not None else "")
    return url
