"""What each function returns where, when it returns data read from DynamoDB.

A rule about responses (DG801) points at the ``return`` line, so the frame's joined ``returns``
is not enough; only values with stored data are kept (most returns carry none, and a scan holds
no more than it needs).
"""

from __future__ import annotations

from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.frame import Frame
from dynaguard.static.flow.values import STORED_BASE, Value, join


def _returns(analyzer: Analyzer) -> dict[str, dict[int, Value]]:
    """Function id -> return line -> the stored data returned there."""
    return analyzer.memo("responses.returns", dict)


def has_stored(value: Value) -> bool:
    # A container's labels hold its fields' (``CONTAIN``): no need to look into the fields.
    return any(p <= STORED_BASE for p, _ in value.labels)


def note_return(frame: Frame, line: int, value: Value) -> None:
    if line and has_stored(value):
        by_fn = _returns(frame.analyzer).setdefault(frame.fn_id, {})
        old = by_fn.get(line)
        by_fn[line] = value if old is None else join(old, value)


def returns_of(analyzer: Analyzer, fn_id: str) -> dict[int, Value]:
    """Return line -> the value returned there (stored data only)."""
    return _returns(analyzer).get(fn_id, {})
