"""What an active scan changed, undone at the end; what cannot be undone is reported.

Two kinds of undo: objects the scan did not create (accounts it adopted) are put back first,
their privileged attributes before the rest, then what it created is deleted, newest first so
children go before their parents. Cleanup is bounded in time and stops when the scan is
aborted; whatever it did not get to is reported with the reason.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dynaguard.dynamic.interrupt import Interrupt, Interrupted


class Tier(enum.IntEnum):
    """Cleanup order: lower first."""

    PRIVILEGED = 0
    """Roles, admin flags and owner ids on objects the scan did not create."""
    RESTORE = 1
    """Every other attribute of those objects."""
    DELETE = 2
    """Objects the scan created."""


Undo = Callable[[], Sequence[str]]
"""Does the work; returns what is still left (one line each), empty when all is undone."""


@dataclass(frozen=True, slots=True)
class CleanupItem:
    """One thing to undo."""

    description: str
    """What is left if ``undo`` never runs or fails."""
    undo: Undo | None
    tier: Tier = Tier.DELETE
    pending: Callable[[], Sequence[str]] | None = None
    """What is left if ``undo`` never runs, when the scan learns it only as it goes (the names
    written so far); ``description`` when None."""

    def unattempted(self, why: str) -> list[str]:
        lines = self.pending() if self.pending is not None else (self.description,)
        return [f"{line} ({why})" for line in lines]


@dataclass(frozen=True, slots=True)
class CleanupResult:
    """What the cleanup did."""

    undone: int
    """Items fully undone."""
    left: tuple[str, ...]
    """What is still changed or still there, one line each."""
    stopped: str = ""
    """Why cleanup stopped before the end (empty when it went through every item)."""


class Cleanup:
    """Undo actions registered while the scan runs; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: list[CleanupItem] = []
        self._lock = threading.Lock()
        self._clock = clock

    def add(self, description: str, undo: Callable[[], bool] | None) -> None:
        """Register something created; ``undo=None`` means the API offers no way to delete it."""
        self.add_item(CleanupItem(description, None if undo is None else _lines(undo, description)))

    def add_item(self, item: CleanupItem) -> None:
        with self._lock:
            self._items.append(item)

    def run(self, interrupt: Interrupt, seconds: float) -> CleanupResult:
        """Undo everything, unless ``interrupt`` is aborted or ``seconds`` pass: no undo starts
        after that (one already sent finishes within the request timeout)."""
        with self._lock:
            items, self._items = _ordered(self._items), []
        deadline = self._clock() + seconds
        done = 0
        left: list[str] = []
        for index, item in enumerate(items):
            stopped = _why_stop(interrupt, self._clock() >= deadline, seconds)
            if stopped:
                left += [line for i in items[index:] for line in i.unattempted(stopped)]
                return CleanupResult(done, tuple(left), stopped)
            remaining = _attempt(item)
            done += not remaining
            left += remaining
        return CleanupResult(done, tuple(left))


def _ordered(items: list[CleanupItem]) -> list[CleanupItem]:
    """By tier; newest first within a tier (children before parents)."""
    return sorted(reversed(items), key=lambda item: item.tier)


def _why_stop(interrupt: Interrupt, late: bool, seconds: float) -> str:
    if interrupt.aborted:
        return f"cleanup aborted by a second {interrupt.requests[1]}"
    return f"cleanup stopped after {seconds:g} s" if late else ""


def _attempt(item: CleanupItem) -> list[str]:
    if item.undo is None:
        return [item.description]
    try:
        return list(item.undo())
    except Interrupted:
        return item.unattempted("cleanup aborted during this step")
    except Exception as exc:  # one failed undo must not keep the others from running
        return [f"{item.description} ({type(exc).__name__}: {exc})"]


def _lines(undo: Callable[[], bool], description: str) -> Undo:
    return lambda: () if undo() else (description,)
