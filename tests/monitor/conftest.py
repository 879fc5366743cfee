"""Real components for the monitor: worker processes, a redis-server on a free 127.0.0.1 port,
the notes API the scan tests use (on loopback), a webhook receiver."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dynaguard.lab import Lab
from tests.monitor.receiver import Receiver

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: CI runs `make redis-deps` first")
        pytest.skip("redis-server is not installed (`make redis-deps` installs it)")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    _wait_for(lambda: _answers(port), 10)
    yield url
    server.terminate()
    server.wait(10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


wait_for = _wait_for


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
