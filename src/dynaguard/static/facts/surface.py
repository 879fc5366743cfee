"""The attack surface as the code declares it: each route, its parameters, the request fields its
handler reads, and whether it authenticates the caller (``dynaguard code --emit-openapi``).

Nothing here parses routes or requests again: the routes are the run's (``RunView.routes``, with
their blueprint prefixes), authentication is what ``handlers.py`` decides for the rules, and the
fields are the field steps (``inputs.FIELD``) of the request data that reaches a sink or a check in
the handler or its helpers, with the conversions (``int(...)``) and schemas after them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dynaguard.model import Endpoint
from dynaguard.static.facts.handlers import ROUTE_VARIABLE, Handler, handlers, login_route
from dynaguard.static.facts.run import RunView
from dynaguard.static.facts.schemas import Schemas
from dynaguard.static.flow.inputs import FIELD, VALIDATED
from dynaguard.static.flow.instantiate import instantiate
from dynaguard.static.flow.values import REQUEST, Trace, Value

_CONVERTER_TYPES = {
    "int": ("integer", None),
    "float": ("number", None),
    "uuid": ("string", "uuid"),
    "path": ("string", None),
    "string": ("string", None),
    "any": ("string", None),
}
_KEY = re.compile(r"(\[|\.get\(|\.pop\()('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
"""The key of a field step's note: ``body['x']``, ``args.get('x')``, ``data.pop('x')``."""
_CONVERSIONS = {
    "int(...)": ("integer", None),
    "float(...)": ("number", None),
    "Decimal(...)": ("number", None),
    "min(...)": ("number", None),
    "max(...)": ("number", None),
    "fromisoformat(...)": ("string", "date-time"),
    "strptime(...)": ("string", "date-time"),
    "isoparse(...)": ("string", "date-time"),
    "parse(...)": ("string", "date-time"),
    "UUID(...)": ("string", "uuid"),
}
_LOCATIONS = {"body": "body", "query": "query", "header": "header"}
_NO_BODY = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
"""Methods that carry no body: one handler serving GET and PUT reads the PUT's."""


@dataclass(frozen=True, slots=True)
class Input:
    """One value the client sends: a path variable, a query parameter or a body field."""

    name: str
    type: str | None = None
    """JSON Schema type when a converter, a conversion or a schema shows it."""
    format: str | None = None
    required: bool = False
    """The handler reads it in a way that fails without it (``body['x']``, a path variable)."""
    properties: tuple[Input, ...] = ()
    """Fields read from it in turn (``body['a']['b']``): it is an object."""


@dataclass(frozen=True, slots=True)
class Route:
    """One method on one path, as the code handles it."""

    method: str
    path: str
    """OpenAPI template: ``/users/{username}`` (Flask's ``<username>`` rewritten)."""
    function: str
    """The handler's dotted name."""
    source: str
    """``file:line`` of the handler's ``def``."""
    path_params: tuple[Input, ...] = ()
    query: tuple[Input, ...] = ()
    headers: tuple[Input, ...] = ()
    body: tuple[Input, ...] = ()
    reads_body: bool = False
    """The handler reads a request body (even if no field of it by name)."""
    authenticated: bool = False
    """The analyser finds the caller authenticated (decorator, hook, identity use, authorizer)."""
    public: bool = False
    """A login, token or sign-up route: anonymous by design."""
    tags: tuple[str, ...] = ()
    """The handler's module's last name (``users``), to group operations."""


def surface(run: RunView) -> tuple[Route, ...]:
    """Every routed handler's operations, one per endpoint, in path then method order; an
    endpoint two handlers serve (``add_url_rule`` twice) is one operation with both's fields."""
    traces = _traces_by_endpoint(run)
    schemas = Schemas(run.project)
    merged: dict[Endpoint, Route] = {}
    for handler in handlers(run):
        mine = [t for e in handler.endpoints for t in traces.get(e, ())]
        for endpoint in handler.endpoints:
            route = _route(handler, endpoint, mine, schemas)
            old = merged.get(endpoint)
            merged[endpoint] = route if old is None else _merge(old, route)
    return tuple(merged[e] for e in sorted(merged, key=lambda e: (e.path, e.method)))


def _traces_by_endpoint(run: RunView) -> dict[Endpoint, list[Trace]]:
    found: dict[Endpoint, list[Trace]] = {}
    for event, endpoint in run.events():
        if endpoint is None:
            continue
        for value in event.args.values():
            found.setdefault(endpoint, []).extend(_request_traces(value, 0))
    for handler in handlers(run):
        # What reaches no sink may still be answered back (``data.get('username')``).
        returned = run.analyzer.function_result(handler.fn_id).returns
        values = [instantiate(returned, run.arguments(handler.fn_id))]
        values += [v for access in handler.accesses for v in access.event.args.values()]
        for endpoint in handler.endpoints[:1]:
            for value in values:
                found.setdefault(endpoint, []).extend(_request_traces(value, 0))
    return found


def _request_traces(value: Value, depth: int) -> Iterator[Trace]:
    for (param, _), trace in value.labels.items():
        if param == REQUEST and trace:
            yield trace
    if depth < 8:
        for inner in value.fields.values():
            yield from _request_traces(inner, depth + 1)


def _route(handler: Handler, endpoint: Endpoint, traces: list[Trace], schemas: Schemas) -> Route:
    path, params = openapi_path(endpoint.path)
    fields: dict[str, dict[str, Input]] = {"body": {}, "query": {}, "header": {}}
    reads_body = False
    for trace in traces:
        where = _LOCATIONS.get(trace[0].origin)
        if where is None:
            continue
        if where == "body" and endpoint.method in _NO_BODY:
            continue
        reads_body |= where == "body"
        for found in _inputs(trace, schemas):
            known = fields[where].get(found.name)
            fields[where][found.name] = found if known is None else _richer(known, found)
    module = handler.module
    return Route(
        method=endpoint.method,
        path=path,
        function=f"{module.name}.{handler.func.qualname}",
        source=f"{module.path}:{handler.func.line}",
        path_params=params,
        query=_sorted(fields["query"].values()),
        headers=_sorted(fields["header"].values()),
        body=_sorted(fields["body"].values()),
        reads_body=reads_body,
        authenticated=handler.auth.authenticated is not None and not login_route(handler),
        public=login_route(handler),
        tags=(module.name.rpartition(".")[2],),
    )


def openapi_path(rule: str) -> tuple[str, tuple[Input, ...]]:
    """``/a/<int:id>/<path:rest>`` -> (``/a/{id}/{rest}``, the variables with their types)."""
    params: list[Input] = []

    def rewrite(match: re.Match[str]) -> str:
        converter, flask_name, braced = match.group(1), match.group(2), match.group(3)
        name = flask_name or braced.rstrip("+")  # API Gateway's greedy ``{proxy+}``
        kind, fmt = _CONVERTER_TYPES.get(converter or "string", ("string", None))
        if all(p.name != name for p in params):
            params.append(Input(name, kind, fmt, required=True))
        return "{" + name + "}"

    path = ROUTE_VARIABLE.sub(rewrite, rule) or "/"
    return (path if path.startswith("/") else "/" + path), tuple(params)


def _inputs(trace: Trace, schemas: Schemas) -> Iterator[Input]:
    """The fields a flow reads: the first field step names one at the top level, a field step
    right after it one inside it; the steps after the last say its type."""
    chain: list[tuple[str, bool]] = []
    for index, step in enumerate(trace):
        if step.origin == FIELD:
            key = field_key(step.note)
            if key is not None and (not chain or trace[index - 1].origin == FIELD):
                chain.append(key)
            continue
        if step.origin == VALIDATED:
            yield from (Input(*declared) for declared in schemas.fields(step))
        if chain:
            break
    if not chain:
        return
    kind, fmt = _type_after(trace)
    name, required = chain[-1]
    inner = Input(name, kind, fmt, required)
    for name, required in reversed(chain[:-1]):
        inner = Input(name, "object", None, required, (inner,))
    yield inner


def field_key(note: str) -> tuple[str, bool] | None:
    """(field, whether a missing one raises) of a field step's note."""
    keys = list(_KEY.finditer(note))
    if not keys:
        return None
    found = keys[-1]  # the last read: ``body['a']`` in ``request.get_json()['a']``
    try:
        key = ast.literal_eval(found.group(2))
    except (ValueError, SyntaxError):
        return None
    if not isinstance(key, str):
        return None
    rest = note[found.end() :]
    raising = found.group(1) == "[" or (found.group(1) == ".pop(" and rest == ")")
    return key, raising


def _type_after(trace: Trace) -> tuple[str | None, str | None]:
    last = max(i for i, step in enumerate(trace) if step.origin == FIELD)
    for step in trace[last + 1 :]:
        kind = _CONVERSIONS.get(step.note) or _CONVERSIONS.get(step.note.rpartition(".")[2])
        if kind is not None:
            return kind
    return None, None


def _richer(old: Input, new: Input) -> Input:
    """What two reads of one field say together: a type either shows, required if either
    read fails without it, the inner fields of both."""
    inner = {p.name: p for p in old.properties}
    for prop in new.properties:
        inner[prop.name] = _richer(inner[prop.name], prop) if prop.name in inner else prop
    return Input(
        old.name,
        old.type or new.type,
        old.format or new.format,
        old.required or new.required,
        _sorted(inner.values()),
    )


def _merge(old: Route, new: Route) -> Route:
    def union(a: tuple[Input, ...], b: tuple[Input, ...]) -> tuple[Input, ...]:
        by_name = {i.name: i for i in a}
        for item in b:
            by_name[item.name] = _richer(by_name[item.name], item) if item.name in by_name else item
        return _sorted(by_name.values())

    return Route(
        method=old.method,
        path=old.path,
        function=old.function,
        source=old.source,
        path_params=old.path_params,
        query=union(old.query, new.query),
        headers=union(old.headers, new.headers),
        body=union(old.body, new.body),
        reads_body=old.reads_body or new.reads_body,
        # Authenticated only if every handler of it is: anonymous probes must still reach it.
        authenticated=old.authenticated and new.authenticated,
        public=old.public and new.public,
        tags=tuple(dict.fromkeys((*old.tags, *new.tags))),
    )


def _sorted(inputs: Iterable[Input]) -> tuple[Input, ...]:
    return tuple(sorted(inputs, key=lambda i: i.name))


__all__ = ["Input", "Route", "field_key", "openapi_path", "surface"]
