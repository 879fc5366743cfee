"""Probes are registered once, with the rules they prove, by a typed decorator.

The package's ``__init__`` import list is the set of probes, like the catalogue's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dynaguard.registry import Registry

if TYPE_CHECKING:
    from dynaguard.dynamic.api import ApiModel, Resource
    from dynaguard.dynamic.context import ProbeContext
    from dynaguard.dynamic.spec.operations import Operation


@dataclass(frozen=True, slots=True)
class Target:
    """What one task of a probe works on: an operation, and the resource it belongs to."""

    operation: Operation
    resource: Resource | None = None


Selector = Callable[["ApiModel"], Iterable[Target]]
Runner = Callable[["ProbeContext", Target], None]


@dataclass(frozen=True, slots=True)
class Probe:
    """A probe's metadata, declared once next to its code."""

    name: str
    """Short kebab-case name, e.g. ``bola-read``."""
    proves: tuple[str, ...]
    """Rule ids it can confirm."""
    writes: bool
    """Sends writes even on a read operation's target (needs ``--active``)."""
    summary: str
    """One line: what it does and what proves a finding."""
    targets: Selector
    """The tasks it has on an API."""
    run: Runner
    """Run one task; report proofs through the context, raise Skip or Blocked."""
    phase: int = 2
    """Run order: 1 reads, 2 writes on fresh objects, 3 writes that may change an account
    (their effects must not leak into the other probes' results)."""
    credentials: bool = False
    """May target operations that change credentials (``/users/{u}/password``): it acts only on
    accounts the scan registered. Other probes never get those targets."""


PROBES: Registry[Probe] = Registry("probe")


def probe(
    *,
    name: str,
    proves: tuple[str, ...],
    writes: bool,
    summary: str,
    targets: Selector,
    phase: int = 2,
    credentials: bool = False,
) -> Callable[[Runner], Runner]:
    """Register the decorated function as the runner of a new probe."""

    def decorate(run: Runner) -> Runner:
        PROBES.add(name, Probe(name, proves, writes, summary, targets, run, phase, credentials))
        return run

    return decorate
