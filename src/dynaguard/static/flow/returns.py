"""What each function returns where, when it returns data read from DynamoDB or a mapping
with a sensitive attribute name (an item the handler wrote).

A rule about responses (DG801) points at the ``return`` line, so the frame's joined ``returns``
is not enough; only those values are kept (most returns carry neither, and a scan holds no more
than it needs).
"""

from __future__ import annotations

from dynaguard.catalogue.dg801 import is_sensitive
from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.frame import Frame
from dynaguard.static.flow.values import STORED_BASE, Value, join


def _returns(analyzer: Analyzer) -> dict[str, dict[int, Value]]:
    """Function id -> return line -> the stored data returned there."""
    return analyzer.memo("responses.returns", dict)


def has_stored(value: Value) -> bool:
    # A container's labels hold its fields' (``CONTAIN``): no need to look into the fields.
    return any(p <= STORED_BASE for p, _ in value.labels)


def names_secret(value: Value, depth: int = 0) -> bool:
    """A mapping with a sensitive attribute name among its fields (``{'password': ...}``): the
    item a handler wrote may be what it returns."""
    if depth > _MAX_DEPTH:
        return False
    return any(is_sensitive(n) or names_secret(f, depth + 1) for n, f in value.fields.items())


_MAX_DEPTH = 3


def note_return(frame: Frame, line: int, value: Value) -> None:
    if line and (has_stored(value) or names_secret(value)):
        by_fn = _returns(frame.analyzer).setdefault(frame.fn_id, {})
        old = by_fn.get(line)
        by_fn[line] = value if old is None else join(old, value)


def returns_of(analyzer: Analyzer, fn_id: str) -> dict[int, Value]:
    """Return line -> the value returned there (stored data only)."""
    return _returns(analyzer).get(fn_id, {})
