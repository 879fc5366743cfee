"""What an active scan created, undone at the end; what cannot be undone is reported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CleanupItem:
    """One thing to undo; ``undo`` returns True when done (or already gone)."""

    description: str
    undo: Callable[[], bool] | None


class Cleanup:
    """Undo actions, run newest first so children go before their parents."""

    def __init__(self) -> None:
        self._items: list[CleanupItem] = []
        self._lock = threading.Lock()

    def add(self, description: str, undo: Callable[[], bool] | None) -> None:
        """Register something created; ``undo=None`` means the API offers no way to delete it."""
        with self._lock:
            self._items.append(CleanupItem(description, undo))

    def run(self) -> tuple[int, tuple[str, ...]]:
        """(items undone, descriptions of the ones left behind)."""
        with self._lock:
            items, self._items = list(reversed(self._items)), []
        done = 0
        left = []
        for item in items:
            ok = False
            if item.undo is not None:
                try:
                    ok = item.undo()
                except Exception:
                    ok = False
            if ok:
                done += 1
            else:
                left.append(item.description)
        return done, tuple(left)
