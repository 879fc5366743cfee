"""DG301: request values written to DynamoDB with no server-side validation.

A written attribute whose value comes from the request (body or query; not a route variable,
whose converter already shaped it, nor a declared reqparse/webargs/pydantic/marshmallow field) and
that no check on its way validates (``isinstance``, a range or length comparison, a format test,
an allowlist, a validator function: ``validation.py``). A number needs more than its type: a
value converted (handled or not), ``isinstance``-checked as a number or typed ``Int``/``Float`` by
a GraphQL schema is reported unless a range check (a comparison that refuses or clamps,
``min``/``max``, an allowlist, a validator) follows; ``if q < 0: <remove> else: <add>`` is none.

Precision trade-off (see docs/benchmarks.md): a number, boolean, date or state is what downstream
logic depends on, so those are reported in the regular output with medium confidence: a value
converted with ``int()``/``float()``/``Decimal()`` but never range-checked (reported where it is
converted, once however many writes it reaches), a client delta (``ADD n :d``), a PynamoDB
``NumberAttribute``/``BooleanAttribute``/``UTCDateTimeAttribute``, or an attribute named like
one (``amount``, ``quantity``, ``enabled``, ``expires_at``, ``state``...). Any other raw value (a
title, a display name) is reported to the pedantic persona with low confidence. Not reported:
whole bodies and client-chosen names (DG101, DG102: they include unvalidated values already) and
server-controlled attributes (DG103: the fix is not to take them from the client at all).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dynaguard.catalogue.dg103 import OWNERSHIP, SERVER_CONTROLLED, normalise
from dynaguard.catalogue.dg301 import RULE
from dynaguard.model import Confidence, Endpoint, Persona
from dynaguard.static.facts.flows import origin
from dynaguard.static.facts.handler_facts import Facts
from dynaguard.static.facts.run import RunView
from dynaguard.static.facts.written import Written, attributes, pynamo_kinds
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.inputs import COERCED, CONVERTED, FIELD, NONE_TEXT, TYPED
from dynaguard.static.flow.values import REQUEST, Kind, Step, Trace, Value
from dynaguard.static.rules.base import Found, Hit, check_run

_SERVER = frozenset(normalise(n) for n in SERVER_CONTROLLED)
_OWNERSHIP = frozenset(normalise(n) for n in OWNERSHIP)
_TYPED_WORDS = frozenset(
    {
        "amount", "price", "cost", "total", "quantity", "qty", "count", "credit", "credits",
        "score", "rating", "points", "limit", "size", "age", "weight", "duration", "priority",
        "rank", "level", "percent", "percentage", "discount", "fee", "tax", "stock", "capacity",
        "number", "num", "delta", "step", "seats", "max", "min", "enabled", "disabled", "active",
        "public", "private", "visible", "hidden", "deleted", "archived", "locked", "approved",
        "paid", "flag", "done", "completed", "finished", "date", "time", "timestamp", "ts",
        "expires", "expiry", "expiration",
        "ttl", "deadline", "due", "until", "since", "state", "stage", "phase",
        "birthday", "birthdate", "dob", "born",
    }
)  # fmt: skip
"""Words of attribute names whose values downstream logic computes with or branches on."""
_TYPED_PREFIXES = ("is_", "has_", "can_", "allow")
_ADDRESS_WORDS = frozenset(
    {"address", "street", "city", "town", "zip", "zipcode", "postcode", "postal", "pincode", "country"}
)  # fmt: skip
"""Words that make ``state`` one line of a postal address (beside ``city``), not a status."""
_WORDS = re.compile(r"[a-z]+|[A-Z][a-z]*|\d+")
_RAW = (Kind.VALUE, Kind.BODY)
_DEPTH = 3
"""How deep a map attribute is searched for numbers (a cart of line items of options)."""


@check_run(RULE)
def unvalidated_writes(run: RunView) -> Iterator[Found]:
    facts = Facts(run.project)
    seen: set[tuple[str, str, str, str]] = set()
    for event, endpoint in run.events():
        if event.op not in (Op.PUT, Op.UPDATE) or _from_client(event, _ITEMS):
            continue
        typed = pynamo_kinds(run.analyzer, event)
        # Client-chosen names in an expression (``SET #cart.#product = :v``) are DG102/DG702's;
        # an unbounded number in the value is still a separate fix, reported where it is known.
        numbers_only = _from_client(event, _NAMES)
        for found in _findings(event, endpoint, facts, typed, numbers_only=numbers_only):
            # One finding per value and function: an archive copy written next to the item
            # stores the same unchecked value, and the fix is one check.
            # Per route: a helper two routes share is a gap in each of them.
            key = (
                found.hit.at.path,
                found.hit.at.function,
                found.hit.message.partition(" writes ")[2] or found.hit.message,
                str(endpoint),
            )
            if key not in seen:
                seen.add(key)
                yield found


_LOOSE_TEXTS = {
    COERCED: "bool() of any text, 'false' included, is True",
    NONE_TEXT: "a missing field is stored as the text 'None'",
}
"""Steps that turn whatever the client sent (or left out) into a value nothing checks."""
_ITEMS = ("Item", "AttributeUpdates")
_NAMES = ("UpdateExpression", "ExpressionAttributeNames")


def _from_client(event: Event, parts: tuple[str, ...]) -> bool:
    """DG101/DG102's writes: the client chose the item or the names (values come with them)."""
    for part in parts:
        value = event.args.get(part)
        if value is not None and any(
            (REQUEST, int(k)) in value.labels for k in (Kind.BODY, Kind.KEY, Kind.NAMED)
        ):
            return True
    return False


def _findings(
    event: Event,
    endpoint: Endpoint | None,
    facts: Facts,
    typed: dict[str, str],
    *,
    numbers_only: bool,
) -> Iterator[Found]:
    loose: list[tuple[str, Trace]] = []
    strict: list[tuple[str, Trace]] = []
    # (how the attribute reads in the message, the value's flow)
    written_all = list(attributes(event))
    postal = any(_words(w.attribute) & _ADDRESS_WORDS for w in written_all)
    for written in written_all:
        yield from _nested_numbers(written, event, endpoint, facts, strict=strict)
        trace = _unvalidated(written, event.op, facts)
        if trace is None:
            continue
        number = _numeric(trace, facts)
        if number is not None:
            yield _number(written.attribute, trace, number, event, endpoint)
        elif numbers_only:
            continue
        elif (
            written.delta
            or _typed(written.attribute, typed, postal=postal)
            or any(s.origin in _LOOSE_TEXTS for s in trace)
        ):
            kind = "a delta" if written.delta else typed.get(written.attribute, "")
            kind = next((_LOOSE_TEXTS[s.origin] for s in trace if s.origin in _LOOSE_TEXTS), kind)
            strict.append((_spell(written.attribute, kind, trace), trace))
        else:
            loose.append((_spell(written.attribute, "", trace), trace))
    if strict:
        yield _at_write(event, endpoint, strict, None)
    if loose:
        yield _at_write(event, endpoint, loose, Persona.PEDANTIC)


def _numeric(trace: Trace, facts: Facts) -> Step | None:
    return next((s for s in trace if s.origin == CONVERTED), None) or facts.numeric(trace)


def _nested_numbers(
    written: Written,
    event: Event,
    endpoint: Endpoint | None,
    facts: Facts,
    *,
    strict: list[tuple[str, Trace]],
    depth: int = 0,
) -> Iterator[Found]:
    """Unchecked numbers inside a map or list attribute (``SET cart.#p = {'quantity': q}``, a
    stock list whose line takes the body's quantity), and raw client values under a name that
    code computes with (``quantity``, ``price``: added to ``strict``).

    NOTE: nothing else: what else a nested map holds is the map's own shape, judged as a whole
    (its keys are the server's), and a raw string there is not worth a pedantic line each.
    """
    if depth > 2:
        return
    for name, value in written.value.fields.items():
        inner = Written(f"{written.attribute}.{name}", value)
        trace = _unvalidated(inner, event.op, facts)
        number = _numeric(trace, facts) if trace is not None else None
        if trace is not None and number is not None:
            yield _number(inner.attribute, trace, number, event, endpoint)
        elif trace is not None and name != "*" and _typed(name, {}):
            strict.append((_spell(inner.attribute, "", trace), trace))
        yield from _nested_numbers(inner, event, endpoint, facts, strict=strict, depth=depth + 1)


def _unvalidated(written: Written, op: Op, facts: Facts) -> Trace | None:
    trace = _client(written.value)
    if trace is None or trace[0].origin not in ("body", "query"):
        return None  # route variables, declared schemas, the identity, stored data
    key = normalise(written.attribute)
    if not written.delta and (key in _SERVER or (op is Op.PUT and key in _OWNERSHIP)):
        return None  # DG103's (a client delta of a server-controlled attribute is ours)
    return None if facts.validated(trace) is not None else trace


def _client(value: Value) -> Trace | None:
    for kind in _RAW:
        trace = value.labels.get((REQUEST, int(kind)))
        if trace is not None:
            return trace
    return None


def _typed(attribute: str, typed: dict[str, str], *, postal: bool = False) -> bool:
    """Whether code computes with or branches on the attribute; ``postal``: the item holds a
    postal address, so a ``state`` beside it is the address's, free text like its city."""
    if attribute in typed:
        return True
    lowered = attribute.lower()
    words = _words(attribute)
    if postal and words == {"state"}:
        return False
    return (
        bool(words & _TYPED_WORDS) or lowered.startswith(_TYPED_PREFIXES) or lowered.endswith("_at")
    )


def _words(attribute: str) -> set[str]:
    return {w.lower() for w in _WORDS.findall(attribute)}


def _field(trace: Trace) -> str:
    """How the flow reads the value: ``body.get('amount')``, else where it starts."""
    fields = [s.note for s in trace if s.origin == FIELD]
    return fields[-1] if fields else origin(trace)


def _spell(attribute: str, kind: str, trace: Trace) -> str:
    return f"'{attribute}' ({kind + ', ' if kind else ''}from {_field(trace)})"


def _number(
    attribute: str, trace: Trace, step: Step, event: Event, endpoint: Endpoint | None
) -> Found:
    """A number whose type is known (converted, typed by a schema, ``isinstance``) but whose
    range nothing checks: reported where it becomes one, once however many writes it reaches."""
    upto = trace[: trace.index(step) + 1]
    message = (
        f"{_field(upto)} is {_how(step)} but never range-checked, and is written "
        "to DynamoDB (a negative or huge number is stored as sent)"
    )
    hit = Hit(RULE, step, message, trace, Confidence.MEDIUM, detail=attribute)
    return Found(hit, endpoint, event)


def _how(step: Step) -> str:
    if step.origin == CONVERTED:
        return f"converted with {step.note}"
    if step.origin == TYPED:
        conversion = step.note.endswith("(...)")
        return f"converted with {step.note} in a try" if conversion else step.note
    return "checked to be a number (isinstance)"


def _at_write(
    event: Event, endpoint: Endpoint | None, found: list[tuple[str, Trace]], persona: Persona | None
) -> Found:
    names = ", ".join(name for name, _ in found)
    what = "typed attribute" if persona is None else "request value"
    message = f"{event.api} writes {what}s with no server-side validation: {names}"
    if len(found) == 1:
        message = f"{event.api} writes a {what} with no server-side validation: {names}"
    confidence = Confidence.MEDIUM if persona is None else Confidence.LOW
    hit = Hit(RULE, event.site, message, found[0][1], confidence, persona=persona)
    return Found(hit, endpoint, event)
