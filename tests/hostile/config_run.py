"""Run one hostile configuration or command-line case in-process and judge what dynaguard did.

A case is the files of a fresh directory, a command line and the exit code due: 2 for invalid
input, with a one-line error naming the file, key, line or option (``needles``) and nothing on
stdout; 0 or 1 for a valid ``dynaguard code`` run; 3 for a valid ``dynaguard scan`` of a closed
port on 127.0.0.1, which proves every check ran before the first request and that no request
reached anything else.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from dynaguard.cli import main

DIR = "@DIR@"
"""Replaced by the case's own directory in arguments and needles."""
PORT = "@PORT@"
"""Replaced by a port on 127.0.0.1 that refuses connections."""
TARGET = f"http://127.0.0.1:{PORT}"

# Variables that would change what a case means if the environment running it had them set.
_CLEARED = ("DYNAGUARD_FORMAT", "DYNAGUARD_FAIL_ON", "DYNAGUARD_JOBS", "DYNAGUARD_PERSONA")


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile input and what dynaguard must do with it."""

    name: str
    """Short description, shown when the case fails."""
    argv: tuple[str, ...]
    """The command line after ``dynaguard`` (``@DIR@`` and ``@PORT@`` are replaced)."""
    expect: int
    """The exit code due."""
    files: tuple[tuple[str, bytes], ...] = ()
    """Files written into the case's directory (the working directory of the run)."""
    needles: tuple[str, ...] = ()
    """Text the error message must contain: the file, the key, the line, the option."""
    env: tuple[tuple[str, str], ...] = ()
    """Environment variables set for the run."""
    secret: str | None = None
    """Text that must appear nowhere in the output (a credential in a rejected header)."""
    special: str | None = None
    """A file the case needs that is not a regular file: ``fifo``, ``loop``, ``socket``."""
    one_of: tuple[str, ...] = ()
    """Text of which the error message must contain at least one (one of several wrong keys)."""


def build(
    name: str,
    argv: tuple[str, ...],
    config: str | bytes | None,
    file: str,
    files: tuple[tuple[str, bytes], ...] = (),
    **fields: Any,
) -> Case:
    """A case whose directory holds ``files`` and ``file`` with ``config`` (none if ``None``)."""
    data = config.encode() if isinstance(config, str) else config
    written = files if data is None else (*files, (file, data))
    return Case(name, argv, files=written, **fields)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run did."""

    exit_code: int
    stdout: str
    stderr: str
    crash: str | None
    """An exception that escaped the CLI (a traceback for a user), or ``None``."""


def run_case(case: Case, root: Path, port: int) -> str | None:
    """Run ``case`` in a new directory under ``root``; what went wrong, or ``None``."""
    work = Path(tempfile.mkdtemp(dir=root))
    for name, content in case.files:
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes(content)
    with _special(case.special, work):
        outcome = _invoke(case, work, port)
    return judge(case, outcome, [_place(needle, work, port) for needle in case.needles])


def _missing(case: Case, stderr: str, needles: list[str]) -> list[str]:
    missing = [n for n in needles if n not in stderr]
    if case.one_of and not any(n in stderr for n in case.one_of):
        missing.append(" or ".join(case.one_of))
    return missing


def _place(text: str, work: Path, port: int) -> str:
    return text.replace(DIR, str(work)).replace(PORT, str(port))


def _invoke(case: Case, work: Path, port: int) -> Outcome:
    env: dict[str, str | None] = dict.fromkeys(_CLEARED)
    env.update(case.env)
    argv = [_place(arg, work, port) for arg in case.argv]
    with _cwd(work):
        result = CliRunner().invoke(main, argv, env=env)
    return Outcome(result.exit_code, result.stdout, result.stderr, _crash(result))


def _crash(result: Result) -> str | None:
    if result.exception is None or isinstance(result.exception, SystemExit):
        return None
    return f"{type(result.exception).__name__}: {result.exception}"


def judge(case: Case, outcome: Outcome, needles: list[str]) -> str | None:
    """Why ``outcome`` is wrong for ``case`` (``needles`` in place), or ``None`` when right."""
    said = outcome.stderr.strip().splitlines()
    last = said[-1] if said else "(nothing on stderr)"
    if outcome.crash is not None or "Traceback" in outcome.stdout + outcome.stderr:
        return f"{case.name}: crashed: {outcome.crash or last}"
    if case.secret is not None and case.secret in outcome.stdout + outcome.stderr:
        return f"{case.name}: the secret was echoed"
    if outcome.exit_code != case.expect:
        return f"{case.name}: exit {outcome.exit_code}, expected {case.expect}: {last[:200]}"
    if case.expect == 2:
        return _judge_error(case, outcome, needles)
    if case.expect == 3 and "does not answer" not in outcome.stderr:
        return f"{case.name}: exit 3 but not for the closed port: {last[:200]}"
    return None


def _judge_error(case: Case, outcome: Outcome, needles: list[str]) -> str | None:
    if outcome.stdout:
        return f"{case.name}: exit 2 but something was written to stdout"
    if "dynaguard: error:" not in outcome.stderr and "Error: " not in outcome.stderr:
        return f"{case.name}: exit 2 without an error message"
    missing = _missing(case, outcome.stderr, needles)
    if missing:
        shown = outcome.stderr.strip()[-300:]
        return f"{case.name}: the error does not name {missing}: {shown}"
    return None


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@contextmanager
def _special(kind: str | None, work: Path) -> Iterator[None]:
    """Make ``work/<kind>``; a FIFO gets a writer, released afterwards whatever dynaguard did."""
    if kind is None:
        yield
        return
    path = work / kind
    if kind == "loop":
        path.symlink_to(path)
        yield
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))
            yield
    elif kind == "fifo":
        with _fifo_writer(path):
            yield
    else:
        raise ValueError(f"no special file {kind!r}")


@contextmanager
def _fifo_writer(path: Path) -> Iterator[None]:
    """A FIFO whose writer connects and sends nothing: a reader that opened it blocking gets EOF
    instead of hanging the run, so such a bug shows as an exit code, not a stuck test."""
    os.mkfifo(path)
    writer = threading.Thread(target=lambda: open(path, "wb").close(), daemon=True)
    writer.start()
    try:
        yield
    finally:
        # A reader present until the writer is done releases it, whether or not it has opened yet.
        reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        writer.join()
        os.close(reader)


@contextmanager
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound but never listens: every connection is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def run_all(cases: Iterable[Case], root: Path) -> list[str]:
    """Run every case against one closed port; the failures."""
    failures = []
    with closed_port() as port:
        for case in cases:
            problem = run_case(case, root, port)
            if problem is not None:
                failures.append(problem)
    return failures
