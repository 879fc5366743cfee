"""``dynaguard monitor`` at scale: runs per minute, queue latency, nothing lost or run twice.

Usage::

    python bench/monitor.py              # 200 targets; 2 and 4 workers; SQLite and Redis
    python bench/monitor.py --quick      # 20 targets (a smoke run)

Each target is a small fake API on its own 127.0.0.1 port (an OpenAPI document and one GET
operation), so the per-host rate limit does not hold anything back. A round enqueues one run
per target for the current minute, as the scheduler does at a minute when every target is due,
and then once more as a second scheduler would (which must add nothing); one ``dynaguard monitor
worker --workers W`` process works through them with real scans. Latency is from the enqueue to
the scan's first request; throughput is runs over the time until the last run is done. A run is
lost when it is not done in time, and duplicated when its API sees a second scan or the run
needed a second attempt. Redis rounds need ``redis-server`` (``make redis-deps``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from dynaguard.monitor import queue, tasks
from dynaguard.monitor.history import History
from dynaguard.monitor.settings import MonitorSettings, parse_monitor
from dynaguard.serve.store.schema import MonitorRun, utc_now
from tests.monitor.services import running_redis

ROOT = Path(__file__).resolve().parents[1]

SPEC = json.dumps(
    {
        "openapi": "3.0.3",
        "info": {"title": "fake", "version": "1"},
        "paths": {"/items": {"get": {"responses": {"200": {"description": "a list"}}}}},
    }
).encode()


class FakeApi(ThreadingHTTPServer):
    """One target: counts scans (spec fetches) and notes when each round's first request came."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.scans = 0
        self.first: float | None = None
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def reset(self) -> None:
        self.scans, self.first = 0, None


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        api = self.server
        assert isinstance(api, FakeApi)
        api.first = api.first or time.monotonic()
        api.scans += self.path == "/openapi.json"
        body = SPEC if self.path == "/openapi.json" else b'{"items": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Round:
    storage: str
    workers: int
    runs: int
    seconds: float
    latencies: list[float]
    lost: int
    duplicated: int

    def row(self) -> str:
        p50, p95 = _percentile(self.latencies, 50), _percentile(self.latencies, 95)
        per_minute = self.runs / self.seconds * 60
        return (
            f"| {self.storage} | {self.workers} | {self.runs} | {self.seconds:.1f} "
            f"| {per_minute:.0f} | {p50:.2f} | {p95:.2f} | {self.lost} | {self.duplicated} |"
        )


def _percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _config(folder: Path, apis: list[FakeApi]) -> Path:
    lines = ["[monitor]", "retries = 0", ""]
    for n, api in enumerate(apis):
        lines += ["[[monitor.targets]]", f'name = "t{n}"', f'url = "{api.url}"', 'every = "1d"']
        lines += ["timeout = 60", ""]
    config = folder / "dynaguard.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


@contextmanager
def _worker(config: Path, queue_url: str, db: str, workers: int) -> Iterator[None]:
    args = ["monitor", "worker", "--config", str(config), "--queue", queue_url]
    args += ["--database", db, "--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(
        [sys.executable, "-m", "dynaguard", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield
    finally:
        os.killpg(child.pid, signal.SIGINT)  # Huey's consumer stops its workers and exits
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(10)


def one_round(storage: str, queue_url: str, workers: int, apis: list[FakeApi]) -> Round:
    with tempfile.TemporaryDirectory(prefix="dg-monitor-bench-") as tmp:
        folder = Path(tmp)
        config = _config(folder, apis)
        db = f"sqlite:///{folder / 'history.db'}"
        settings = parse_monitor(_load(config), config)
        history = History(db)
        history.prepare()
        installed = tasks.install(queue.open_queue(queue_url), settings, history)
        installed.run.huey.flush()
        for api in apis:
            api.reset()
        with _worker(config, queue_url, db, workers):
            time.sleep(3.0)  # the worker's start-up is not the queue's latency
            start = _enqueue(history, installed, settings)
            finished = _wait_done(history, len(apis), 30 + len(apis) * 2)
        states = _states(history)
    done = [run for run in states if run.state == "done"]
    latencies = [api.first - start for api in apis if api.first is not None]
    duplicated = sum(api.scans > 1 for api in apis) + sum(r.attempts > 1 for r in done)
    return Round(
        storage,
        workers,
        len(apis),
        finished - start,
        latencies,
        lost=len(apis) - len(done),
        duplicated=duplicated + max(0, len(states) - len(apis)),
    )


def _load(config: Path) -> object:
    import tomllib

    return tomllib.loads(config.read_text(encoding="utf-8"))["monitor"]


def _enqueue(history: History, installed: tasks.Tasks, settings: MonitorSettings) -> float:
    """Every target due this minute, twice (two schedulers); when the minute began. Latency is
    counted from then for every run: the scheduler's own enqueuing is part of the wait."""
    due, start = utc_now(), time.monotonic()
    for _ in range(2):
        for target in settings.targets:
            tasks.enqueue_run(history, installed.run, settings, target.name, due)
    return start


def _states(history: History) -> list[MonitorRun]:
    with history.transaction() as session:
        return list(session.scalars(select(MonitorRun)))


def _wait_done(history: History, count: int, seconds: float) -> float:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if sum(run.state == "done" for run in _states(history)) >= count:
            break
        time.sleep(0.2)
    return time.monotonic()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 targets instead of 200")
    parser.add_argument("--targets", type=int, default=0, help="how many targets (overrides)")
    options = parser.parse_args()
    count = options.targets or (20 if options.quick else 200)
    rounds: list[Round] = []
    with ExitStack() as stack:
        apis = [FakeApi() for _ in range(count)]
        queues = {"sqlite": ""}
        binary = shutil.which("redis-server")
        if binary:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            queues["redis"] = stack.enter_context(running_redis(binary, folder))
        else:
            print("redis-server not installed: SQLite rounds only", file=sys.stderr)
        for storage, url in queues.items():
            for workers in (2, 4):
                with tempfile.TemporaryDirectory() as qdir:
                    queue_url = url or f"sqlite:///{Path(qdir) / 'queue.db'}"
                    rounds.append(one_round(storage, queue_url, workers, apis))
                print(rounds[-1].row(), flush=True)
        for api in apis:
            api.shutdown()
            api.server_close()
    print(
        "| queue | workers | runs | seconds | runs/min | latency p50 (s) | p95 (s) | lost | twice |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for done in rounds:
        print(done.row())
    return 0 if all(r.lost == r.duplicated == 0 for r in rounds) else 1


if __name__ == "__main__":
    raise SystemExit(main())
