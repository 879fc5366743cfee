"""DynamoDB calls that a client's input makes DynamoDB refuse, with nothing to turn the refusal
into a 4xx (DG302): a key value from the body or query that may be missing, empty or not a
string (``ValidationException``, botocore's ``ParamValidationError``).

A refusal is handled by a ``try`` around the call (here or in the calling handler) for
``ClientError`` (PynamoDB's ``GetError``... included) or by an app-level error handler.

NOTE: a conditional write whose ``ConditionalCheckFailedException`` nothing handles (a 500
instead of a 409) is deliberately not reported: the conditional-write rules (DG401-DG404) ask
for conditions, and most such writes let the failure reach a handler we cannot see.
"""

from __future__ import annotations

from typing import NamedTuple

from dynaguard.static.facts.accumulated import maybe_empty
from dynaguard.static.facts.call_facts import TYPED, typed
from dynaguard.static.facts.handler_facts import Facts
from dynaguard.static.facts.keys import request_trace
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.inputs import FIELD
from dynaguard.static.flow.values import REQUEST, Kind, Trace, Value
from dynaguard.static.models.errors import CLIENT_ERRORS

_KEY_ERRORS = CLIENT_ERRORS | {"BotoCoreError", "ParamValidationError"}


class Refusal(NamedTuple):
    trace: Trace
    note: str
    why: str


def refusal(event: Event, facts: Facts) -> Refusal | None:
    """Why DynamoDB may refuse this call because of the client's input (None: no such way)."""
    if event.op not in (Op.PUT, Op.UPDATE, Op.READ) or _handled(event, facts, _KEY_ERRORS):
        return None
    for name, value in sorted((event.args.get("Key") or Value()).fields.items()):
        trace = _unchecked_key(typed(value), facts)
        if trace is not None:
            note = f"{event.api} raises ValidationException"
            why = f"when the key '{name}' is missing, empty or not a string"
            return Refusal(trace, note, why)
    return _untyped_none(event, facts) or _empty_update(event, facts)


def _empty_update(event: Event, facts: Facts) -> Refusal | None:
    """``UpdateExpression='set ' + ', '.join(parts)`` where each part is added only when the
    request has that field: a body with none of them leaves ``'set '``, a ValidationException."""
    if event.op is not Op.UPDATE or event.args.get("UpdateExpression") is None:
        return None
    values = event.args.get("ExpressionAttributeValues") or Value()
    traces = [t for v in values.fields.values() if (t := request_trace(v)) is not None]
    traces = [t for t in traces if t[0].origin in ("body", "query")]
    source = facts.source(event.site.path)
    if not traces or source is None:
        return None
    name = maybe_empty(source, event.site.line, event.site.col)
    if name is None:
        return None
    note = f"{event.api} raises ValidationException"
    why = f"when the request has none of the fields that add to {name} (an empty update expression)"
    return Refusal(traces[0], note, why)


def _untyped_none(event: Event, facts: Facts) -> Refusal | None:
    """A low-level client's ``{'S': body.get('x')}``: botocore refuses ``None`` where a string
    (or number...) must be, with a ParamValidationError, for any attribute, key or not."""
    for arg in ("Item", "ExpressionAttributeValues"):
        for name, value in sorted((event.args.get(arg) or Value()).fields.items()):
            if not (value.fields and set(value.fields) <= TYPED):
                continue
            trace = _unchecked_key(typed(value), facts)
            if trace is not None and any(s.origin == FIELD and ".get(" in s.note for s in trace):
                note = f"{event.api} raises ParamValidationError"
                why = f"when '{name}' is missing from the request (None in a typed attribute value)"
                return Refusal(trace, note, why)
    return None


def _handled(event: Event, facts: Facts, errors: frozenset[str]) -> bool:
    return bool(event.caught & errors or facts.app_handled & errors)


def _unchecked_key(value: Value, facts: Facts) -> Trace | None:
    """A key value from the body or query that nothing checked (route variables are never
    empty; a value read with ``body['x']`` already crashes at the read, reported there)."""
    trace = value.labels.get((REQUEST, int(Kind.VALUE)))
    if trace is None or trace[0].origin not in ("body", "query"):
        return None
    if any(s.origin == FIELD and "[" in s.note for s in trace):
        return None
    if facts.validated(trace) is not None or facts.nonempty(trace):
        return None
    return trace
