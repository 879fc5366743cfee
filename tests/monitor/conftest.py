"""Real components for the monitor: worker processes, a redis-server on a free 127.0.0.1 port,
the notes API the scan tests use (on loopback), a webhook receiver."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynaguard.lab import Lab
from tests.monitor.receiver import Receiver
from tests.monitor.services import running_redis

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-for-tests"


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    with Lab(embedded=True) as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver(SECRET)
    yield hook
    hook.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: CI runs `make redis-deps` first")
        pytest.skip("redis-server is not installed (`make redis-deps` installs it)")
    with running_redis(binary, tmp_path_factory.mktemp("redis")) as url:
        yield url


class Workers:
    """``dynaguard monitor worker`` child processes, killed at the end of the test."""

    def __init__(self, config: Path, queue: str, database: str) -> None:
        self.args = ["--config", str(config), "--queue", queue, "--database", database]
        self.children: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HOOK_SECRET": SECRET}
        child = subprocess.Popen(
            [sys.executable, "-m", "dynaguard", "monitor", "worker", *self.args, "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.children.append(child)
        return child

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
            child.wait(10)
