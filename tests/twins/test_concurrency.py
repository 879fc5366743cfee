"""Lost updates under concurrency (DG401): read-modify-write versus one atomic ADD."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.twins.twin_helpers import Twin

CLIENTS = 20
ATTEMPTS = 4


def _race(twin: Twin, record_id: str) -> int:
    """``CLIENTS`` increments released together; returns the stored counter afterwards."""
    start = threading.Barrier(CLIENTS)
    path = f"/users/alice/records/{record_id}/increment"

    def increment(_: int) -> int:
        start.wait(timeout=60)
        status: int = twin.request("POST", path, user="alice").status_code
        return status

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(increment, range(CLIENTS)))
    assert statuses == [200] * CLIENTS
    return int((twin.record("alice", record_id) or {})["counter"])


def test_concurrent_increments(twin: Twin) -> None:
    """Every request succeeds, yet the vulnerable twin keeps fewer than ``CLIENTS`` increments.

    A race need not lose an update every time, so the vulnerable twin gets up to ``ATTEMPTS``
    tries; the secure twin must count exactly ``CLIENTS`` in every attempt.
    """
    finals = []
    for attempt in range(ATTEMPTS):
        finals.append(_race(twin, twin.seed_record("alice", f"counter {attempt}")))
        if twin.exploitable and finals[-1] < CLIENTS:
            break
    assert (min(finals) < CLIENTS) is twin.exploitable
    if not twin.exploitable:
        assert finals == [CLIENTS] * ATTEMPTS
