"""DG302: malformed input makes a request handler raise, and the client gets a 500.

Crash sites are ``Op.RAISES`` events (``inputs.py``): a JSON body read by a key that may be
missing (``body['x']``, ``body.pop('x')``), and ``int``/``float``/``Decimal``/``json.loads`` of a
request value. Not reported: a ``try`` around the site (here or in the caller) that handles the
error, an app-level error handler that answers it with a 4xx, a key whose presence the function
checks (``if 'x' not in body: abort(400)``), a value it checks before converting
(``x.isdigit()``), and what Flask already answers 400/415 (``request.form['x']``,
``request.args['x']``, a body that is not JSON).

A DynamoDB call that request data reaches crashes the same way when the client's input makes
DynamoDB refuse it and nothing handles the refusal (``refusals.py``): a condition that fails
(500 instead of 409), a key from the body or query that may be missing or empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from dynaguard.catalogue.dg302 import RULE
from dynaguard.model import Endpoint
from dynaguard.static.facts.flows import origin
from dynaguard.static.facts.handler_facts import Facts, is_json
from dynaguard.static.facts.refusals import refusal
from dynaguard.static.facts.run import RunView
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.exceptions import (
    ATTRIBUTE_ERRORS,
    DATE_ERRORS,
    DECIMAL_ERRORS,
    JSON_ERRORS,
    KEY_ERRORS,
    TYPE_ERRORS,
    VALUE_ERRORS,
)
from dynaguard.static.flow.inputs import FIELD, TYPED, VALIDATED
from dynaguard.static.flow.values import (
    NONE_IN,
    NONE_METHOD,
    NONE_SPREAD,
    NONE_SUBSCRIPT,
    REQUEST,
    Kind,
    Step,
    Trace,
    Value,
)
from dynaguard.static.models import aws_lambda, chalice, graphql
from dynaguard.static.rules.base import Found, Hit, check_run
from dynaguard.static.source.cdk import Gateway

_MAX_FUNCTIONS = 3
"""A crash is reported where the request value is read, or up to two helpers down."""
_RAISES: dict[str, tuple[str, frozenset[str]]] = {
    "subscript": ("KeyError", KEY_ERRORS),
    "pop": ("KeyError", KEY_ERRORS),
    "int": ("ValueError", VALUE_ERRORS),
    "float": ("ValueError", VALUE_ERRORS),
    "Decimal": ("decimal.InvalidOperation", DECIMAL_ERRORS),
    "json.loads": ("JSONDecodeError", JSON_ERRORS),
    "strptime": ("ValueError", DATE_ERRORS),
    "fromisoformat": ("ValueError", DATE_ERRORS),
    "isoparse": ("ValueError", DATE_ERRORS),
    "parse": ("ValueError", DATE_ERRORS),
    NONE_METHOD: ("AttributeError", ATTRIBUTE_ERRORS),
    NONE_SPREAD: ("TypeError", TYPE_ERRORS),
    NONE_SUBSCRIPT: ("TypeError", TYPE_ERRORS),
    NONE_IN: ("TypeError", TYPE_ERRORS),
}
_ABSENT = frozenset({NONE_METHOD, NONE_SPREAD, NONE_SUBSCRIPT, NONE_IN})
"""Crashes of a request mapping that may be None: only the first use of it raises."""


@check_run(RULE)
def malformed_input(run: RunView) -> Iterator[Found]:
    facts = Facts(run.project)
    lines: dict[tuple[str, int], list[tuple[int, Crash, Event]]] = {}
    endpoints: dict[tuple[str, int], Endpoint | None] = {}
    absent: dict[tuple[str, str, str], tuple[int, Crash, Event]] = {}
    for event, endpoint in run.events():
        if endpoint is not None and endpoint.method == graphql.METHOD:
            continue  # a resolver that raises is answered with ``errors`` and HTTP 200, no 500
        if event.op is Op.RAISES and event.api in _RAISES:
            crash = _crash(event, facts, endpoint)
            if crash is not None and _gateway_checked(crash, event, run.gateways):
                crash = None
        else:
            refused = refusal(event, facts)
            crash = Crash(*refused) if refused is not None else None
        if crash is not None and event.api in _ABSENT:
            # Only the first use of a mapping that may be None raises: past it, the mapping was
            # there. One finding per mapping (per function and name: each read of
            # event['queryStringParameters'] is a source of its own), where it is first used.
            source = crash.trace[0]
            key = (source.path, source.function, source.note)
            if key not in absent:
                absent[key] = (event.site.col, crash, event)
                endpoints[(event.site.path, event.site.line)] = endpoint
            continue
        if crash is not None:
            where = (event.site.path, event.site.line)
            lines.setdefault(where, []).append((event.site.col, crash, event))
            endpoints[where] = endpoints.get(where) or endpoint
    for col, crash, event in absent.values():
        where = (event.site.path, event.site.line)
        lines.setdefault(where, []).append((col, crash, event))
    # One finding per line: ``int(body['n'])`` is one crash site for the user.
    for where in sorted(lines):
        yield Found(_hit(sorted(lines[where], key=lambda c: c[0])), endpoints[where])


def _gateway_checked(
    crash: Crash, event: Event, gateways: Mapping[tuple[str, str], Gateway]
) -> bool:
    """API Gateway refused the request before the handler ran: a body that is not JSON or
    misses a field when the method has a request model, a missing required query parameter."""
    source = crash.trace[0]
    gateway = gateways.get((source.path, source.function))
    if gateway is None:
        return False
    if source.note == aws_lambda.BODY_NOTE:
        return gateway.body
    key = (event.args.get("Key") or Value()).text
    # A required query parameter also means there is a query string (no None to subscript).
    read = event.api in ("subscript", NONE_SUBSCRIPT)
    return source.note == aws_lambda.QUERY_NOTE and read and key in gateway.query


class Crash(NamedTuple):
    trace: Trace
    note: str
    """What raises, e.g. ``body['x'] raises KeyError``."""
    why: str
    """When, e.g. ``when the JSON body has no 'x'``."""


def _crash(event: Event, facts: Facts, endpoint: Endpoint | None) -> Crash | None:
    error, handlers = _RAISES[event.api]
    if event.caught & handlers or facts.app_handled & handlers:
        return None
    value = event.args.get("Value") or Value()
    if event.api in ("subscript", "pop"):
        return _missing_key(event, value, facts)
    if event.api in _ABSENT:
        return _absent_mapping(event, value, facts, endpoint)
    trace = _client(value, Kind.VALUE)
    if trace is None or not _direct(trace) or facts.validated(trace) is not None:
        return None
    if trace[0].origin == "route" and _converted_by_router(trace[0].note, endpoint):
        return None
    fields = [s.note for s in trace if s.origin == FIELD]
    what = f"{event.api}({fields[-1]})" if fields else f"{event.api}() of {origin(trace)}"
    return Crash(trace, f"{what} raises {error}", "on a malformed value")


def _missing_key(event: Event, value: Value, facts: Facts) -> Crash | None:
    key = (event.args.get("Key") or Value()).text or ""
    root = (event.args.get("Root") or Value()).text or "body"
    trace = _client(value, Kind.BODY) or _chained(value, event)
    if trace is None or not is_json(trace) or not _direct(trace):
        return None
    if facts.present(event.site, root, key):
        return None
    spelled = f"{root}[{key!r}]" if event.api == "subscript" else f"{root}.pop({key!r})"
    where = "the query string" if trace[0].origin == "query" else "the JSON body"
    return Crash(trace, f"{spelled} raises KeyError", f"when {where} has no '{key}'")


def _absent_mapping(
    event: Event, value: Value, facts: Facts, endpoint: Endpoint | None
) -> Crash | None:
    """``params.get('x')`` where ``params`` is a mapping the request may not have (``None``)."""
    trace = _client(value, Kind.BODY)
    if trace is None or not _direct(trace) or facts.nonempty(trace):
        return None  # ``if not params: return ...`` before the call
    if trace[0].origin == "route" and (endpoint is None or "{" in endpoint.path):
        return None  # a route with variables always has them (and one we cannot see may)
    method = (event.args.get("Key") or Value()).text
    when = _NO_JSON_WHEN if trace[0].note == chalice.JSON_BODY_NOTE else _NONE_WHEN
    if event.api == NONE_SPREAD:
        return Crash(trace, f"{method}(**{origin(trace)}) raises TypeError", when)
    if event.api == NONE_SUBSCRIPT:
        return Crash(trace, f"{origin(trace)}[{method!r}] raises TypeError", when)
    if event.api == NONE_IN:
        what = repr(method) if method is not None else "a key"
        return Crash(trace, f"{what} in {origin(trace)} raises TypeError", when)
    return Crash(trace, f"{origin(trace)}.{method}() raises AttributeError", when)


_NONE_WHEN = "when the request has none (API Gateway passes None, not {})"
_NO_JSON_WHEN = "when the request has no JSON Content-Type header (json_body is then None)"


def _converted_by_router(note: str, endpoint: Endpoint | None) -> bool:
    """``<int:n>`` / ``<float:n>``: Flask converts the variable (a 404 when it does not match)."""
    name = note.removeprefix("route parameter <").removesuffix(">")
    path = endpoint.path if endpoint is not None else ""
    return any(f"<{converter}:{name}>" in path for converter in ("int", "float"))


def _chained(value: Value, event: Event) -> Trace | None:
    """A client value just read from the body at this very place: ``body['a']['b']``."""
    trace = value.labels.get((REQUEST, int(Kind.VALUE)))
    last = trace[-1] if trace else None
    here = last is not None and (last.path, last.line) == (event.site.path, event.site.line)
    return trace if here and last is not None and last.origin == FIELD else None


def _direct(trace: Trace) -> bool:
    """The request value itself, read here or in a helper it is passed to.

    NOTE: request data that went through a schema, an object's state (``self``) or several
    calls may have been checked, defaulted or replaced on the way (Superset's form data, mixed
    with stored chart data, crossed 5 functions): those flows are left alone.
    """
    if any(s.origin in (VALIDATED, TYPED, "declared") for s in trace):
        return False
    if any(s.note in ("parameter self", "parameter cls") for s in trace):
        return False
    return len({(s.path, s.function) for s in trace}) <= _MAX_FUNCTIONS


def _client(value: Value, *kinds: Kind) -> Trace | None:
    for kind in kinds:
        trace = value.labels.get((REQUEST, int(kind)))
        if trace is not None:
            return trace
    return None


def _hit(crashes: list[tuple[int, Crash, Event]]) -> Hit:
    _, first, event = crashes[0]
    site = event.site
    step = Step(site.path, site.line, site.col, site.function, first.note)
    parts = list(dict.fromkeys(f"{c.note} {c.why}" for _, c, _ in crashes))
    message = f"{'; '.join(parts)}: the client gets a 500 instead of a 400"
    return Hit(RULE, step, message, (*first.trace, step))
