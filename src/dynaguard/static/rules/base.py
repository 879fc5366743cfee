"""How a rule's check plugs in: a typed function from a sink event to hits, registered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dynaguard.model import Confidence, Endpoint, Persona, Rule
from dynaguard.registry import Registry
from dynaguard.static.facts.run import RunView
from dynaguard.static.flow.events import Event
from dynaguard.static.flow.values import Step, Trace


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
