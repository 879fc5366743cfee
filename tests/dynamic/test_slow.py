"""A server that handles one request at a time: the scan slows down for it and completes its
probes, instead of reading timeouts as answers; what still gets no answer is named in the
coverage table. Outcomes are asserted, never durations."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from dynaguard.dynamic import ScanOptions, ScanResult, scan
from dynaguard.dynamic.coverage import table
from dynaguard.lab import Lab
from tests.dynamic.conftest import IDENTITIES, Served
from tests.dynamic.notes_app import create_app
from tests.dynamic.test_engine import EXPECTED

NEVER = "/admin/notes"
"""The one path this server never answers, however the scan sends it."""

TIMEOUT = 2.0
"""Far above what one request to the loopback app takes, far below a held request's wait."""


class OneAtATime:
    """WSGI middleware: one request at a time. One that arrives while another is handled waits
    until the test ends, as a single-threaded server's listen queue makes a client wait past its
    timeout; it never reaches the app, so what the scan sees does not depend on timing."""

    def __init__(self, app: Callable[..., Iterable[bytes]], never: str) -> None:
        self._app = app
        self._never = never
        self._busy = threading.Lock()
        self._count = threading.Lock()
        self.released = threading.Event()
        self.held = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ["PATH_INFO"] == self._never or not self._busy.acquire(blocking=False):
            with self._count:
                self.held += 1
            self.released.wait()
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return [b""]
        try:
            # Read to the end before letting the next request in.
            return list(self._app(environ, start_response))
        finally:
            self._busy.release()


@pytest.fixture(scope="module")
def slow_scan() -> Iterator[tuple[ScanResult, OneAtATime]]:
    with Lab(embedded=True) as lab:
        app = create_app(lab.resource(), vulnerable=True, prefix="slow_")
        gate = OneAtATime(app.wsgi_app, NEVER)
        app.wsgi_app = gate  # type: ignore[method-assign]
        served = Served(app)
        options = ScanOptions(
            target=served.url,
            identities=IDENTITIES,
            active=True,
            race_requests=6,
            timeout=TIMEOUT,
            retries=1,
        )
        try:
            yield scan(replace(options, concurrency=4)), gate
        finally:
            gate.released.set()
            served.stop()


def _pairs(result: ScanResult) -> set[tuple[str, str]]:
    return {
        (f.rule.id, f"{f.endpoint.method} {f.endpoint.path}") for f in result.findings if f.endpoint
    }


def test_the_scan_slows_down_and_proves_what_a_threaded_server_shows(
    slow_scan: tuple[ScanResult, OneAtATime],
) -> None:
    result, gate = slow_scan
    assert gate.held > 1  # the scan did overload it: requests were held, then it slowed down
    unreachable = {pair for pair in EXPECTED if pair[1].endswith(NEVER)}
    # A race needs two requests handled at once, which this server never does.
    cannot_race = {("DG401", "POST /notes/{note_id}/like")}
    missing = EXPECTED - unreachable - cannot_race - _pairs(result)
    assert not missing, (sorted(missing), table(result.coverage))
    assert not _pairs(result) & unreachable


def test_what_still_gets_no_answer_says_why(slow_scan: tuple[ScanResult, OneAtATime]) -> None:
    result, _ = slow_scan
    rows = {f"{r.endpoint.method} {r.endpoint.path}": r for r in result.coverage}
    admin = rows[f"GET {NEVER}"]
    assert admin.status == "skipped"
    assert any(
        f"GET {NEVER} got no answer: ReadTimeout" in reason and "concurrency lowered" in reason
        for reason in admin.reasons
    ), admin.reasons
    like = rows["POST /notes/{note_id}/like"]
    assert any("race: the target is sent one request at a time" in r for r in like.reasons)
    # Every other operation was tested, and no probe ended for want of an answer there.
    for key, row in rows.items():
        if key not in (f"GET {NEVER}", "POST /login"):
            assert row.status == "tested" and not row.unanswered, (key, row)
