"""Ctrl-C and SIGTERM during ``dynaguard scan``: the first stops probing (cleanup runs and the
report is written), the second stops the cleanup (the report says what that leaves), a third
ends the process at once, the usual way."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from dynaguard.dynamic.interrupt import Interrupt

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def handled(interrupt: Interrupt) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into requests on ``interrupt`` inside the block."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; an embedding program keeps its own
        return
    previous = {number: signal.getsignal(number) for number in _SIGNALS}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    def request(number: int, _frame: FrameType | None) -> None:
        interrupt.request(signal.Signals(number).name)
        if interrupt.aborted:
            restore()  # a third signal is not caught: it ends dynaguard as it always would

    for number in _SIGNALS:
        signal.signal(number, request)
    try:
        yield
    finally:
        restore()
