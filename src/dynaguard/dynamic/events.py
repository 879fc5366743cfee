"""What the engine reports while it runs; writers (progress bar, CI lines) consume these.

NOTE: the schemathesis pattern: the engine only emits events and never prints, so a new output
(JUnit, HAR, a web UI) is a new listener, not a change to the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dynaguard.model import Endpoint, Finding


@dataclass(frozen=True, slots=True)
class ScanStarted:
    target: str
    spec_source: str
    operations: int
    active: bool


@dataclass(frozen=True, slots=True)
class IdentityChecked:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ProbeSkipped:
    """A probe that does not run at all in this scan, and why."""

    probe: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlanReady:
    tasks: int
    """Number of (probe, operation) tasks that will run."""


@dataclass(frozen=True, slots=True)
class TaskFinished:
    probe: str
    endpoint: Endpoint
    outcome: str
    """``tested``, ``skipped: ...`` or ``blocked: ...``."""
    findings: int
    requests: int
    """Requests sent by the whole scan so far."""


@dataclass(frozen=True, slots=True)
class FindingFound:
    finding: Finding


@dataclass(frozen=True, slots=True)
class ScanInterrupted:
    """Probing stopped on request (``SIGINT``, ``SIGTERM``); cleanup comes next."""

    why: str


@dataclass(frozen=True, slots=True)
class CleanupFinished:
    deleted: int
    """Items undone: objects deleted, objects put back."""
    left: tuple[str, ...]
    """What could not be undone, one line each."""
    stopped: str = ""
    """Why cleanup stopped early (aborted, out of time); empty when it went through."""


@dataclass(frozen=True, slots=True)
class ScanFinished:
    findings: int
    requests: int
    seconds: float


Event = (
    ScanStarted
    | IdentityChecked
    | ProbeSkipped
    | PlanReady
    | TaskFinished
    | FindingFound
    | ScanInterrupted
    | CleanupFinished
    | ScanFinished
)
Listener = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """The listener used when nobody listens."""
