"""A throwaway PostgreSQL server for the tests: ``initdb`` in a temporary folder, a free port on
127.0.0.1, no other way in (no Unix socket), stopped and deleted at the end.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as the
``postgres`` (or ``nobody``) user through ``runuser``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SEARCH = ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")


def binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None."""
    found = shutil.which("initdb")
    candidates = [Path(found).parent] if found else []
    candidates += [Path(p) for p in SEARCH]
    return next(
        (c for c in candidates if (c / "initdb").exists() and (c / "pg_ctl").exists()), None
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user() -> tuple[list[str], int | None]:
    """The command prefix and uid to run the server with (root cannot)."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            return ["runuser", "-u", name, "--"], pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


@contextmanager
def running_postgres(bin_dir: Path) -> Iterator[str]:
    """A server's URL (user ``dg``, database ``postgres``, trust auth on 127.0.0.1 only)."""
    prefix, uid = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="dynaguard-pg-"))
    if uid is not None:
        os.chown(folder, uid, -1)
    data, port = folder / "data", free_port()
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "dg",
         "-E", "UTF8", "--no-sync", "--locale=C"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off"
    start = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options]
    subprocess.run(
        [*start, "-l", str(folder / "log"), "-w", "-t", "60", "start"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        yield f"postgresql+psycopg://dg@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)
