"""The monitor's tasks on a real SQLite queue and history, executed in this process one message
at a time: Huey's own retry, rate-limit and scheduling code runs, without worker processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from huey import Huey
from huey.api import Task
from sqlalchemy import select

from dynaguard.monitor import execute, queue, tasks
from dynaguard.monitor.history import History
from dynaguard.monitor.settings import MonitorSettings, Target, parse_monitor
from dynaguard.serve.store.schema import MonitorRun, utc_now
from tests.serve.reports import as_json, dynamic

Scan = Callable[[Target, Path], str]


def clean_report(target: Target, source: Path) -> str:
    return as_json(target=target.url)


def one_finding(target: Target, source: Path) -> str:
    return as_json(dynamic("DG202", "GET", "/notes/{id}"), target=target.url)


class Inline:
    def __init__(self, tmp: Path, monitor: Mapping[str, Any], monkeypatch: pytest.MonkeyPatch):
        self.config = tmp / "dynaguard.toml"
        self.queue_url = f"sqlite:///{tmp / 'queue.db'}"
        self.db_url = f"sqlite:///{tmp / 'history.db'}"
        self.settings: MonitorSettings = parse_monitor(dict(monitor), self.config)
        self.history = History(self.db_url)
        self.history.prepare()
        self.huey: Huey = queue.open_queue(self.queue_url)
        self.tasks = tasks.install(self.huey, self.settings, self.history)
        self.scans: list[str] = []
        self._monkeypatch = monkeypatch
        self.scan_with(clean_report)

    def scan_with(self, scan: Scan) -> None:
        """Replace the engines: each scan is recorded by target name, then ``scan`` answers."""

        def recorded(target: Target, source: Path) -> str:
            self.scans.append(target.name)
            return scan(target, source)

        self._monkeypatch.setattr(execute, "run", recorded)

    def trigger(self, target: str, suffix: str = "#t") -> str:
        return tasks.enqueue_run(
            self.history, self.tasks.run, self.settings, target, utc_now(), suffix=suffix
        )

    def work(self, *, until: dt.datetime | None = None) -> list[Task]:
        """Run every queued message, then the scheduled ones due by ``until`` (default: none),
        as a worker would; returns what ran. Failures are Huey's to handle, as in a worker."""
        done: list[Task] = []
        if until is not None:
            for task in self.huey.read_schedule(until):
                self.huey.enqueue(task)
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task, until)
            done.append(task)
        return done

    def later(self, seconds: float) -> dt.datetime:
        return utc_now() + dt.timedelta(seconds=seconds)

    def runs(self) -> dict[str, MonitorRun]:
        with self.history.transaction() as session:
            return {run.id: run for run in session.scalars(select(MonitorRun))}
