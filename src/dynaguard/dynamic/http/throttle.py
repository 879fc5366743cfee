"""Requests in flight to the target, at most a limit that falls when the target stops answering.

A development server (``flask run --without-threads``, ``http.server``) handles one request at a
time: the others wait in its listen queue, and under the scan's concurrency they wait past the
timeout. So a timeout or a refused connection halves the limit (down to one) and the limit stays
there for the rest of the scan: a server that choked once chokes again, and a slower scan that
completes its probes is worth more than a fast one that skips them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Throttle:
    """A semaphore whose size only goes down, shared by every thread of a scan."""

    def __init__(self, limit: int) -> None:
        self._limit = max(1, limit)
        self.configured = self._limit
        """The limit the scan asked for (``--concurrency``)."""
        self._busy = 0
        self._cond = threading.Condition()

    @property
    def limit(self) -> int:
        with self._cond:
            return self._limit

    @property
    def lowered(self) -> bool:
        """True once the target made the scan slow down."""
        return self.limit < self.configured

    @contextmanager
    def slot(self) -> Iterator[int]:
        """Hold one of the slots; yields the limit seen on entry (for :meth:`slow_down`)."""
        with self._cond:
            self._cond.wait_for(lambda: self._busy < self._limit)
            self._busy += 1
            seen = self._limit
        try:
            yield seen
        finally:
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()

    def slow_down(self, seen: int) -> int:
        """Halve the limit after a request that started under ``seen`` got no answer in time.

        Requests that failed together under one limit halve it once: four timeouts at
        concurrency 4 are one sign of overload, not four."""
        with self._cond:
            if self._limit == seen:
                self._limit = max(1, seen // 2)
            return self._limit

    def describe(self) -> str:
        """``concurrency lowered from 4 to 1``, or "" when it was not."""
        limit = self.limit
        if limit == self.configured:
            return ""
        return f"concurrency lowered from {self.configured} to {limit}"
