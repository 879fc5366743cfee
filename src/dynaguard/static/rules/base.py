"""How a rule's check plugs in: a typed function from a sink event to hits, registered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dynaguard.model import Confidence, Rule
from dynaguard.registry import Registry
from dynaguard.static.events import Event
from dynaguard.static.values import Kind, Step, Trace, Value


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule's verdict on one event, before it becomes a Finding."""

    rule: Rule
    at: Step
    """The primary location (the sink, or where DG103's attribute is set)."""
    message: str
    trace: Trace
    """From the request source to just before the sink."""
    confidence: Confidence | None = None
    detail: str = ""
    """Tells apart hits of one rule at one place (e.g. DG103's attribute)."""


Check = Callable[[Event], Iterator[Hit]]


@dataclass(frozen=True, slots=True)
class RuleCheck:
    rule: Rule
    run: Check


CHECKS: Registry[RuleCheck] = Registry("static check")


def check(rule: Rule) -> Callable[[Check], Check]:
    """Register ``run`` as the static check of ``rule`` (metadata stays in the catalogue)."""

    def decorate(run: Check) -> Check:
        CHECKS.add(rule.id, RuleCheck(rule, run))
        return run

    return decorate


def client(value: Value | None, *kinds: Kind) -> tuple[Kind, Trace] | None:
    """The first of ``kinds`` of request data in ``value``, in the order given, with its flow."""
    if value is None:
        return None
    for kind in kinds:
        trace = value.labels.get((-1, int(kind)))
        if trace is not None:
            return kind, trace
    return None


ANY = (Kind.BODY, Kind.FIELDS, Kind.VALUE, Kind.KEY, Kind.NAMED)


def origin(trace: Trace) -> str:
    """What the flow starts from, e.g. ``request.get_json()``."""
    return trace[0].note if trace else "request data"
