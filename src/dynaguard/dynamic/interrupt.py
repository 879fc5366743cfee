"""Interrupting a scan from outside (the CLI's Ctrl-C and SIGTERM handlers): the first request
stops probing, the second stops the cleanup that follows.

The engine only reads the state; whoever owns the process (the CLI) calls :meth:`request`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from dynaguard.dynamic.outcomes import Skip

_SIGNALS = tuple(
    s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s
)


class Interrupted(Skip):
    """Raised by a probe's request once the scan is stopping: the task ends as skipped."""


class Interrupt:
    """What was asked, in order (``SIGINT``, ``SIGTERM``...).

    NOTE: :meth:`request` runs inside signal handlers, which may nest: it takes no lock and only
    appends to a list (atomic under the GIL), so a second signal never deadlocks on the first.
    """

    def __init__(self) -> None:
        self.requests: list[str] = []

    def request(self, why: str) -> None:
        self.requests.append(why)

    @property
    def stopped(self) -> bool:
        """Probing must stop: no new task, no new probe request."""
        return bool(self.requests)

    @property
    def aborted(self) -> bool:
        """A second request: cleanup must stop too."""
        return len(self.requests) > 1

    @property
    def first(self) -> str:
        return self.requests[0] if self.requests else ""


NEVER = Interrupt()
"""For scans nobody can interrupt: never requested."""


@contextlib.contextmanager
def signals_to_this_thread() -> Iterator[None]:
    """Threads started inside the block block SIGINT and SIGTERM, so the kernel delivers them to
    the calling (main) thread, whose Python handlers then run at once rather than when its wait
    for the workers ends."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = block(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, previous)
