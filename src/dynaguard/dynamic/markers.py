"""Unique markers planted by a scan, and where they turn up again in a JSON document.

A marker is what turns "the server said 200" into proof: a value nobody but this scan could have
written, read back from the place it should not be.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Iterator
from typing import Any

PREFIX = "dg_"


class Markers:
    """Mints values unique to one scan: ``dg-<run>-<n>`` strings and large distinctive numbers."""

    def __init__(self, run_id: str | None = None) -> None:
        self.run_id = run_id or secrets.token_hex(4)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        # Numbers share the run's randomness so two scans never plant the same one.
        self._number_base = 700_000_000 + int(self.run_id, 16) % 100_000 * 1_000

    @property
    def prefix(self) -> str:
        """Every string marker of this run starts with this."""
        return f"{PREFIX}{self.run_id}_"

    def _next(self) -> int:
        with self._lock:
            return next(self._counter)

    def new(self) -> str:
        return f"{self.prefix}{self._next()}"

    def number(self) -> int:
        return self._number_base + self._next()

    def owns(self, value: object) -> bool:
        """True for a string marker minted by this run."""
        return isinstance(value, str) and self.prefix in value


def walk(document: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (dotted path, value) pair of a JSON document, leaves and containers alike."""
    yield path, document
    if isinstance(document, dict):
        for key, value in document.items():
            yield from walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from walk(value, f"{path}[{index}]")


def paths_of(document: Any, value: object) -> list[str]:
    """Dotted paths at which ``value`` is stored (strings also match inside longer strings)."""
    found = []
    for path, node in walk(document):
        if (isinstance(value, str) and isinstance(node, str) and value in node) or (
            not isinstance(value, str) and type(node) is type(value) and node == value
        ):
            found.append(path)
    return found


def contains(document: Any, value: object) -> bool:
    return bool(paths_of(document, value))
