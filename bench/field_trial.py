"""`dynaguard scan` on deliberately vulnerable APIs we did not write (docs/benchmarks.md, "Scan on
APIs we did not write (issue 17)").

    .venv/bin/python bench/field_trial.py [--work /tmp/field]

Each app runs from its source on 127.0.0.1 in its own virtualenv, with a fresh database, and is
scanned read-only and with ``--active``; it prints each finding and the coverage summary. An app
whose mirror (the ``fetch`` tool's copy under /work/.mirror) or virtualenv is missing is skipped
with the command that makes it. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIRRORS = Path("/work/.mirror")


@dataclass(frozen=True)
class App:
    name: str
    repo: str
    """``owner+name``: the mirror's folder."""
    venv: str
    """Folder name of its virtualenv under --work."""
    packages: str
    """What to pip install into that virtualenv."""
    command: list[str]
    """Started in the extracted source, ``{python}`` and ``{port}`` filled in."""
    port: int
    config: str
    spec: str | None = None
    signup: str = ""
    """Path of the sign-up operation, when the identities must register first."""
    signups: tuple[dict[str, str], ...] = ()
    """Accounts to register (form-encoded) before the scans: the identities' own."""


APPS = (
    App(
        "OWASP API demo (FastAPI)",
        "lauraluc92+vulnerable-api-demo-owasp",
        "venv-fastapi",
        "fastapi==0.120.4 uvicorn==0.38.0 SQLAlchemy==2.0.44 python-jose==3.5.0 passlib==1.7.4 "
        "bcrypt==3.2.2 slowapi==0.1.9 python-dotenv==1.2.1 Faker==37.12.0 "
        "email-validator==2.1.0.post1 python-multipart==0.0.20 pydantic==2.12.3",
        ["{python}", "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", "{port}"],
        18000,
        "owasp.toml",
    ),
    App(
        "Vulnerable-API-App (Flask-RESTful)",
        "dmdhrumilmistry+Vulnerable-API-App",
        "venv-dmd",
        "Flask==2.1.2 Werkzeug==2.1.2 Flask-RESTful==0.3.9 Flask-JWT-Extended==4.4.2 "
        "Flask-SQLAlchemy==2.5.1 'SQLAlchemy>=1.4.39,<2' PyJWT==2.4.0 Faker",
        ["{python}", "-c", "from app import app; app.run('127.0.0.1', {port}, threaded=True)"],
        18001,
        "dmd.toml",
        spec=str(HERE / "field_trial" / "vuln-api-app.yaml"),
        signup="/api/users",
        signups=tuple(
            {
                "first_name": n,
                "last_name": "Trial",
                "email": f"{n}@trial.test",
                "password": f"{n}-pw-123",
            }
            for n in ("alice", "bob")
        ),
    ),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/field"))
    args = parser.parse_args()
    for app in APPS:
        python = args.work / app.venv / "bin" / "python"
        mirror = MIRRORS / app.repo / "repo"
        if not mirror.exists() or not python.exists():
            print(f"== {app.name}: skipped (no mirror at {mirror} or no {python}); make it with")
            venv = python.parent.parent
            print(f"   python3 -m venv {venv} && {python} -m pip install {app.packages}")
            continue
        with tempfile.TemporaryDirectory(prefix="dg-field-") as folder:
            _extract(mirror, Path(folder))
            for mode in ("--read-only", "--active"):
                server = _start(app, python, Path(folder))
                try:
                    _signup(app)
                    _scan(app, mode)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
    return 0


def _extract(mirror: Path, folder: Path) -> None:
    archive = subprocess.run(
        ["git", f"--git-dir={mirror}", "archive", "HEAD"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)


def _start(app: App, python: Path, folder: Path) -> subprocess.Popen[bytes]:
    """A fresh database each time (the apps create and seed theirs on start)."""
    for stale in (*folder.glob("*.db"), *folder.glob("*.sqlite3"), folder / "instance"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink(missing_ok=True)
    command = [c.format(python=python, port=app.port) for c in app.command]
    server = subprocess.Popen(
        command, cwd=folder, env={**os.environ, "RESET": "True"}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{app.port}/", timeout=1)
            return server
        except OSError as exc:  # an HTTP error status is an answer: the server is up
            if getattr(exc, "code", None):
                return server
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"{app.name} did not start on 127.0.0.1:{app.port}")


def _signup(app: App) -> None:
    for fields in app.signups:
        body = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
        url = f"http://127.0.0.1:{app.port}{app.signup}"
        urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=10)


def _scan(app: App, mode: str) -> None:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "dynaguard", "scan", f"http://127.0.0.1:{app.port}"]
        command += ["--config", str(HERE / "field_trial" / app.config), mode, "--progress", "none"]
        command += ["--format", "json", "-o", out.name, *(["--spec", app.spec] if app.spec else [])]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.monotonic() - started
        if done.returncode not in (0, 1):
            print(f"== {app.name} {mode}: exit {done.returncode}: {done.stderr.strip()}")
            return
        report = json.loads(Path(out.name).read_text())
    extra = report["extra"]
    print(f"== {app.name} {mode}: {len(report['findings'])} findings, {extra['requests']} "
          f"requests, {seconds:.1f} s; identities {extra['identities']}; {extra['coverage']}")  # fmt: skip
    for finding in report["findings"]:
        endpoint = finding["endpoint"]
        print(f"   {finding['rule']} {endpoint['method']} {endpoint['path']}: {finding['message']}")


if __name__ == "__main__":
    sys.exit(main())
