"""Per operation: tested, skipped (why) or blocked (401/403/404 to every identity that tried)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.model import Endpoint

_DENIED = frozenset({401, 403, 404})
UNANSWERED = "unanswered"
"""A task's status when one of its requests got no answer (http/throttle.py slowed down first)."""


@dataclass(frozen=True, slots=True)
class TaskOutcome:
    """How one probe task on one operation ended."""

    probe: str
    operation: str
    status: str
    """``tested``, ``skipped``, ``blocked`` or ``unanswered``."""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One line of the coverage table."""

    endpoint: Endpoint
    status: str
    """``tested``, ``skipped`` or ``blocked``."""
    probes: tuple[str, ...]
    """Probes that tested it."""
    reasons: tuple[str, ...]
    """Why probes skipped it, or what blocked it."""
    unanswered: tuple[str, ...] = ()
    """Probes that could not conclude because a request got no answer, and which (shown even
    when other probes tested the operation)."""

    @property
    def detail(self) -> str:
        """The table's last column: who tested it, or why nothing did."""
        if self.status != "tested":
            return "; ".join(self.reasons)
        return "; ".join((", ".join(self.probes), *self.unanswered))


class StatusLog:
    """Statuses each operation answered, gathered from every call of the scan."""

    def __init__(self) -> None:
        self._statuses: dict[str, set[int]] = defaultdict(set)
        self._lock = threading.Lock()

    def hook(self, call: Call) -> None:
        if call.operation:
            with self._lock:
                self._statuses[call.operation].add(call.status)

    def statuses(self, key: str) -> set[int]:
        with self._lock:
            return set(self._statuses.get(key, ()))


def coverage(
    operations: Iterable[Operation], outcomes: Iterable[TaskOutcome], log: StatusLog
) -> tuple[CoverageRow, ...]:
    by_op: dict[str, list[TaskOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_op[outcome.operation].append(outcome)
    rows = []
    for op in operations:
        done = by_op.get(op.key, [])
        statuses = log.statuses(op.key)
        tested = tuple(sorted({o.probe for o in done if o.status == "tested"}))
        reasons = tuple(
            sorted({f"{o.probe}: {o.reason}" for o in done if o.status != "tested" and o.reason})
        )
        unanswered = tuple(
            sorted({f"{o.probe} not run: {o.reason}" for o in done if o.status == UNANSWERED})
        )
        if statuses and statuses <= _DENIED:
            status = "blocked"
            reasons = (f"answered only {', '.join(map(str, sorted(statuses)))}", *reasons)
        elif tested:
            status = "tested"
        else:
            status = "skipped"
            reasons = reasons or ("no probe applies",)
        rows.append(CoverageRow(op.endpoint, status, tested, reasons, unanswered))
    return tuple(rows)


def summary(rows: Iterable[CoverageRow]) -> str:
    """``12 operations: 9 tested, 2 skipped, 1 blocked``."""
    rows = list(rows)
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("tested", "skipped", "blocked")}
    return f"{len(rows)} operations: " + ", ".join(f"{n} {s}" for s, n in counts.items())


def table(rows: Iterable[CoverageRow]) -> str:
    """The coverage table as plain text, one operation a line."""
    rows = list(rows)
    width = max((len(f"{r.endpoint.method} {r.endpoint.path}") for r in rows), default=10)
    lines = [f"{'operation':<{width}}  {'status':<8}  detail"]
    for row in rows:
        label = f"{row.endpoint.method} {row.endpoint.path}"
        lines.append(f"{label:<{width}}  {row.status:<8}  {row.detail}")
    return "\n".join(lines)
