"""A real ``dynaguard serve`` in a child process on a free 127.0.0.1 port, stopped at the end,
and a logged-in httpx client for what only the dashboard does (projects, triage)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.serve.postgres import free_port

PASSWORD = "a long test password"


@dataclass
class Live:
    url: str
    admin: httpx.Client

    def csrf(self, path: str = "/") -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.admin.get(path).text)
        assert found
        return found.group(1)

    def new_project(self, name: str) -> str:
        answer = self.admin.post(
            "/api/v1/projects", json={"name": name}, headers={"X-CSRF-Token": self.csrf()}
        )
        assert answer.status_code == 201, answer.text
        token: str = answer.json()["token"]
        return token


@contextmanager
def live_server(folder: Path) -> Iterator[Live]:
    port = free_port()
    env = {**os.environ, "DYNAGUARD_ADMIN_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "dynaguard", "serve", "--port", str(port)]
    command += ["--database", f"sqlite:///{folder / 'live.db'}"]
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process, folder / "serve.log")
        with httpx.Client(base_url=url, timeout=30) as admin:
            live = Live(url, admin)
            answer = admin.post(
                "/login",
                data={"username": "admin", "password": PASSWORD, "csrf": live.csrf("/login")},
            )
            assert answer.status_code == 302, answer.text
            yield live
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"dynaguard serve exited: {log.read_text(errors='replace')}")
        try:
            httpx.get(f"{url}/login", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("dynaguard serve did not start within 60 s")
