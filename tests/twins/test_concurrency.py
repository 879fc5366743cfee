"""Lost updates under concurrency (DG401): read-modify-write versus one atomic ADD."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.twins.twin_helpers import Twin

CLIENTS = 20
ATTEMPTS = 4


@pytest.fixture
def atomic_moto_requests() -> Iterator[None]:
    """Make each moto request run without preemption, as DynamoDB applies one write to an item.

    moto executes an ADD in Python without a lock, so a thread switch inside it can lose an
    increment that DynamoDB would never lose. With a long switch interval a thread yields the GIL
    only when it blocks on I/O, i.e. between requests. The vulnerable twin's race spans two
    requests (get_item, then put_item), so it is untouched.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(5.0)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


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


@pytest.mark.usefixtures("atomic_moto_requests")
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
