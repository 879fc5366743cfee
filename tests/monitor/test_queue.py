"""The monitor on real components: worker processes on a SQLite and on a Redis queue, the notes
API on loopback as the target, a webhook receiver that checks signatures and counts."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dynaguard.cli import main
from dynaguard.lab import Lab
from dynaguard.monitor.history import History
from dynaguard.serve.store import database
from dynaguard.serve.store.schema import MonitorAlert, MonitorRun
from tests.dynamic.conftest import Served, serve_notes
from tests.monitor.conftest import Workers
from tests.monitor.receiver import Receiver
from tests.monitor.services import wait_for

TARGET = """\
[monitor]
threshold = "medium"
retries = 1

[monitor.webhook]
url = "{hook}"
secret = "${{HOOK_SECRET}}"

[[monitor.targets]]
name = "notes"
url = "{url}"
every = "1h"
timeout = {timeout}
active = true
rate = {rate}
race-requests = 4

[[monitor.targets.identities]]
name = "alice"
headers = {{ X-API-Key = "alice-key" }}

[[monitor.targets.identities]]
name = "root"
role = "admin"
headers = {{ X-API-Key = "root-key" }}
"""


@pytest.fixture
def notes(lab: Lab) -> Iterator[Served]:
    with serve_notes(lab, vulnerable=True) as served:
        yield served


def _setup(
    tmp: Path, notes: Served, hook: Receiver, queue: str, *, timeout: int = 60, rate: int = 0
) -> tuple[Path, str]:
    config = tmp / "dynaguard.toml"
    text = TARGET.format(hook=hook.url, url=notes.url, timeout=timeout, rate=rate)
    config.write_text(text, encoding="utf-8")
    return config, f"sqlite:///{tmp / 'history.db'}"


def _cli(config: Path, queue: str, db: str, *args: str) -> str:
    result = CliRunner().invoke(
        main,
        [
            "monitor",
            args[0],
            "--config",
            str(config),
            "--queue",
            queue,
            "--database",
            db,
            *args[1:],
        ],
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def _runs(db: str) -> list[MonitorRun]:
    history = History(db)
    with history.transaction() as session:
        return list(session.scalars(select(MonitorRun)))


def _alerts(db: str) -> list[MonitorAlert]:
    with History(db).transaction() as session:
        return list(session.scalars(select(MonitorAlert)))


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_a_run_stores_its_report_and_alerts_once_signed(
    storage: str, tmp_path: Path, notes: Served, receiver: Receiver, request: pytest.FixtureRequest
) -> None:
    queue = (
        f"sqlite:///{tmp_path / 'queue.db'}"
        if storage == "sqlite"
        else str(request.getfixturevalue("redis_url")).replace("/0", "/1")
    )
    config, db = _setup(tmp_path, notes, receiver, queue)
    workers = Workers(config, queue, db)
    try:
        workers.start()
        first = _cli(config, queue, db, "trigger", "notes").strip()
        wait_for(lambda: len(receiver.deliveries) == 1, 60)
        body = receiver.deliveries[0]
        assert body["run"] == first and body["project"] == "notes" and body["target"] == "notes"
        rules = {f["rule"] for f in body["findings"]}
        assert "DG202" in rules and all(f["severity"] != "low" for f in body["findings"])
        # The second run finds the same weaknesses: nothing new, no alert.
        second = _cli(config, queue, db, "trigger", "notes").strip()
        wait_for(lambda: any(r.id == second and r.state == "done" for r in _runs(db)), 60)
    finally:
        workers.stop()
    assert len(receiver.deliveries) == 1 and receiver.rejected == 0
    assert {r.id: r.new_findings for r in _runs(db)}[second] == 0
    assert all(a.sent_at is not None for a in _alerts(db))
    shown = _cli(config, queue, db, "status")
    assert "notes  [every 60 min]" in shown and "done, 0 new finding(s)" in shown
    assert "dead letters: 0" in shown


def test_a_worker_killed_mid_run_is_retried_by_another_one_alert(
    tmp_path: Path, notes: Served, receiver: Receiver, redis_url: str
) -> None:
    queue = redis_url.replace("/0", "/2")
    # Slow requests keep the scan running long enough to be killed in the middle of it.
    config, db = _setup(tmp_path, notes, receiver, queue, timeout=8, rate=8)
    workers = Workers(config, queue, db)
    try:
        doomed = workers.start()
        run = _cli(config, queue, db, "trigger", "notes").strip()
        wait_for(lambda: any(r.state == "running" for r in _runs(db)), 30)
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(10)
        workers.start()
        # The lease (timeout + grace) runs out; then recovery hands the run to the survivor.
        wait_for(lambda: _lease_over(db), 20)
        _cli(config, queue, db, "recover")
        wait_for(lambda: any(r.state in ("done", "dead") for r in _runs(db)), 30)
        wait_for(lambda: len(receiver.deliveries) >= 1, 20)
        wait_for(lambda: all(a.sent_at is not None for a in _alerts(db)), 10)
        _cli(config, queue, db, "recover")  # nothing left to recover: no second alert
        wait_for(lambda: _queue_empty(config, queue, db), 10)
    finally:
        workers.stop()
    assert len(receiver.deliveries) == 1 and receiver.rejected == 0
    (held,) = [r for r in _runs(db) if r.id == run]
    assert held.state == "done" and held.attempts == 2


def _lease_over(db: str) -> bool:
    now = database_now()
    return all(r.lease_until is not None and r.lease_until < now for r in _runs(db))


def database_now() -> object:
    from dynaguard.serve.store.schema import utc_now

    return utc_now()


def _queue_empty(config: Path, queue: str, db: str) -> bool:
    return "queue: 0 pending" in _cli(config, queue, db, "status")


def test_two_workers_on_one_redis_queue_run_each_run_once(
    tmp_path: Path, notes: Served, receiver: Receiver, redis_url: str
) -> None:
    queue = redis_url.replace("/0", "/3")
    config, db = _setup(tmp_path, notes, receiver, queue)
    workers = Workers(config, queue, db)
    try:
        workers.start()
        workers.start()
        runs = [_cli(config, queue, db, "trigger", "notes").strip() for _ in range(3)]
        wait_for(lambda: sum(r.state == "done" for r in _runs(db)) == 3, 60)
    finally:
        workers.stop()
    done = _runs(db)
    assert sorted(r.id for r in done) == sorted(runs)
    assert all(r.attempts == 1 for r in done)
    # Only the first run's findings were new; the per-target lock kept the runs apart.
    assert len(receiver.deliveries) == 1
    assert database.resolve_url(db)
