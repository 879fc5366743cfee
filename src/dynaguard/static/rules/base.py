"""How a rule's check plugs in: a typed function from a sink event to hits, registered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from dynaguard.model import Confidence, Endpoint, Persona, Rule
from dynaguard.registry import Registry
from dynaguard.static.events import Event
from dynaguard.static.values import Kind, Step, Trace, Value

if TYPE_CHECKING:
    from dynaguard.static.project import Project
    from dynaguard.static.summaries import Analyzer


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
    persona: Persona | None = None
    """Override of the rule's persona (a broad case of a rule goes to pedantic)."""


Check = Callable[[Event], Iterator[Hit]]


class RunView(Protocol):
    """What a whole-run check may read of an analysis run (``engine.Run``)."""

    project: Project
    analyzer: Analyzer
    routes: dict[str, list[Endpoint]]
    """Route handler function ids and their endpoints."""

    def arguments(self, fn_id: str) -> list[Value]:
        """A route handler's arguments as Flask passes them (route variables are request data)."""
        ...

    def bound(self, fn_id: str) -> Sequence[Event | None]:
        """A route handler's recorded accesses (``Result.accesses``, same positions), each
        DynamoDB call's event bound to the handler's arguments; None for the guards."""
        ...

    def events(self) -> Sequence[tuple[Event, Endpoint | None]]:
        """Every sink event with request data, as the event checks see it, with its route."""
        ...

    def endpoint_of(self, fn_id: str, writes: bool = False) -> Endpoint | None:
        """The route of a function, or of the nearest route handler that calls it."""
        ...


@dataclass(frozen=True, slots=True)
class Found:
    """A whole-run check's hit, with what the engine cannot work out for it."""

    hit: Hit
    endpoint: Endpoint | None = None
    sink: Event | None = None
    """The call the flow ends in, when there is one (else the hit's trace is the whole flow)."""


WholeCheck = Callable[[RunView], Iterator[Found]]


def _no_events(event: Event) -> Iterator[Hit]:
    return iter(())


@dataclass(frozen=True, slots=True)
class RuleCheck:
    rule: Rule
    run: Check
    whole: WholeCheck | None = None
    per_event: bool = True
    """False for a whole-run check: the engine skips it on each event."""
    """For rules about what a handler lacks, or about facts of the whole project (error
    handlers, stream consumers): run once per analysis, after the per-event checks."""


CHECKS: Registry[RuleCheck] = Registry("static check")


def check(rule: Rule) -> Callable[[Check], Check]:
    """Register ``run`` as the static check of ``rule`` (metadata stays in the catalogue)."""

    def decorate(run: Check) -> Check:
        CHECKS.add(rule.id, RuleCheck(rule, run))
        return run

    return decorate


def check_run(rule: Rule) -> Callable[[WholeCheck], WholeCheck]:
    """Register ``run`` as the whole-run check of ``rule`` (no per-event check)."""

    def decorate(run: WholeCheck) -> WholeCheck:
        CHECKS.add(rule.id, RuleCheck(rule, _no_events, run, per_event=False))
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
