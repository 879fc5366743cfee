"""Interrupt an active ``dynaguard scan`` of a twin at a chosen request, and judge what is left.

The twin and its embedded DynamoDB run in this process on 127.0.0.1. The scan runs either in a
child process, as a user runs it (:func:`run`), or through the CLI in this process's main thread
(:func:`run_here`, fast enough for the normal suite). A WSGI wrapper around the twin counts the
scan's write requests and signals the scan on the chosen one, before the twin handles it, so
where the scan is interrupted is decided by a request, never by a time; a further signal
(double Ctrl-C) goes on the Kth request after that. Then the tables are compared with their
state before the scan: every item created, deleted or changed must be put back or named by a
``not cleaned up`` line of the report.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any
from unittest.mock import patch

from click.testing import CliRunner
from werkzeug.security import generate_password_hash

import dynaguard
from dynaguard.cli import main
from dynaguard.demo import auth, create_app, serve, tables
from dynaguard.demo.secure import users as secure_users
from dynaguard.demo.vulnerable import users as vulnerable_users
from dynaguard.lab import Lab, TableSpec

SRC = Path(dynaguard.__file__).resolve().parents[1]
HANG = 180
"""Seconds after which a child scan that has not ended counts as hung (a guard, not a measure)."""
LOGIN = "/auth/token"
READS = ("GET", "HEAD", "OPTIONS")
INTERRUPTED = 4
"""``dynaguard scan``'s exit code once signalled (cli/exits.py)."""
_IDENTITY = """
[[scan.identities]]
name = "{0}"
role = "{1}"
[scan.identities.login]
path = "/auth/token"
body = {{ username = "{0}", password = "{0}-demo-pw" }}
token = "/access_token"
"""
_PREFIXES = count()


@dataclass(frozen=True, slots=True)
class Case:
    """Where and how to interrupt one scan."""

    at: int = 0
    """The write request (1 = the first) on which the first signal is sent; 0: never."""
    signals: tuple[signal.Signals, ...] = (signal.SIGINT,)
    then: int = 1
    """Requests after one signal on which the next one is sent."""
    kind: str = "vulnerable"
    concurrency: int = 1
    probes: tuple[str, ...] = ()
    match: str = ""
    """Instead of ``at``: the first write whose ``METHOD /path body`` this pattern finds."""

    @property
    def name(self) -> str:
        sent = "+".join(s.name for s in self.signals) if self.at or self.match else "no signal"
        where = f"/{self.match}/" if self.match else f"write {self.at}"
        return f"{self.kind} {sent} at {where} (then {self.then}, c{self.concurrency})"

    def config(self) -> str:
        lines = [
            "[scan]",
            "active = true",
            "race-requests = 4",
            f"concurrency = {self.concurrency}",
        ]
        if self.probes:
            lines.append(f"probes = {json.dumps(list(self.probes))}")
        users = (("alice", "user"), ("bob", "user"), ("admin", "admin"))
        return "\n".join(lines) + "".join(_IDENTITY.format(*user) for user in users)


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the tables before and after the scan."""

    table: str
    key: tuple[str, ...]
    what: str
    """``created``, ``deleted`` or ``changed``."""
    attribute: str = ""

    def __str__(self) -> str:
        attribute = f" {self.attribute!r}" if self.attribute else ""
        return f"{self.table} {'/'.join(self.key)}: {self.what}{attribute}"


@dataclass
class Outcome:
    """What one interrupted scan did."""

    case: Case
    code: int | None
    """Exit status; None when the scan hung."""
    stderr: str
    report: dict[str, Any] | None
    changes: list[Change]
    after: dict[tuple[str, ...], dict[str, Any]]
    """The users table after the scan, by key."""
    writes: int
    """Write requests the twin saw."""
    signalled: list[str] = field(default_factory=list)
    requests_after: list[str] = field(default_factory=list)
    """``METHOD /path body`` of each request after the first signal."""

    @property
    def extra(self) -> dict[str, str]:
        found: dict[str, str] = (self.report or {}).get("extra", {})
        return found

    @property
    def left(self) -> list[str]:
        """The report's ``not cleaned up`` lines."""
        prefix = "not cleaned up: "
        messages = [w["message"] for w in (self.report or {}).get("warnings", [])]
        return [m[len(prefix) :] for m in messages if m.startswith(prefix)]

    def unlisted(self) -> list[Change]:
        """Changes that no ``not cleaned up`` line names."""
        return [c for c in self.changes if not any(_names(line, c) for line in self.left)]

    def failures(self) -> list[str]:
        """Why this run is a failure (empty: it is not)."""
        if self.code is None:
            return [f"{self.case.name}: hung for {HANG} s"]
        found = []
        if "Traceback" in self.stderr:
            found.append("a traceback on stderr")
        if self.signalled and self.code != INTERRUPTED:
            found.append(f"exit {self.code} after {self.signalled[0]}, not {INTERRUPTED}")
        if not self.signalled and self.code not in (0, 1):
            found.append(f"exit {self.code} without any signal")
        if self.report is None:
            found.append("no report")
        elif self.extra.get("interrupted") != (self.signalled[0] if self.signalled else "no"):
            found.append(f"the report says interrupted={self.extra.get('interrupted')!r}")
        found += [f"{change} is neither put back nor listed" for change in self.unlisted()]
        return [f"{self.case.name}: {problem}" for problem in found]


def _names(line: str, change: Change) -> bool:
    """The line names the changed item (and the attribute, for a changed attribute)."""
    item = change.key[-1]
    if not re.search(rf"(?<![\w!]){re.escape(item)}(?![\w!])", line):
        return False
    return not change.attribute or f"'{change.attribute}'" in line


class Trigger:
    """WSGI wrapper that interrupts the scan as its case says, through ``send``."""

    def __init__(self, app: Callable[..., Any], case: Case) -> None:
        self._app = app
        self._case = case
        self._lock = threading.Lock()
        self._since: int | None = None
        self.send: Callable[[signal.Signals], None] = lambda _signal: None
        self.writes = 0
        self.sent: list[str] = []
        self.after: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if path != LOGIN:
            request = f"{method} {path} {_body(environ)}"
            with self._lock:
                if self.sent:
                    self.after.append(request)
                self._count(method, request)
        return self._app(environ, start_response)

    def _count(self, method: str, request: str) -> None:
        write = method not in READS
        self.writes += write
        pending = self._case.signals[len(self.sent) :]
        if not pending:
            return
        if self._since is None:
            due = write and (
                bool(re.search(self._case.match, request))
                if self._case.match
                else self.writes == self._case.at
            )
        else:
            self._since += 1
            due = self._since >= self._case.then
        if due:
            self.send(pending[0])
            self.sent.append(pending[0].name)
            self._since = 0


def _body(environ: dict[str, Any]) -> str:
    """Read the body and put it back for the twin."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body.decode("utf-8", "replace")


Scanner = Callable[[Path, str, Trigger], tuple[int | None, str]]


def run(lab: Lab, case: Case) -> Outcome:
    """One scan of a fresh twin by a child process, signalled with ``kill``."""
    return _judged(lab, case, _child)


def run_here(lab: Lab, case: Case) -> Outcome:
    """One scan of a fresh twin through the CLI in this process (its main thread only)."""
    return _judged(lab, case, _in_process)


def _judged(lab: Lab, case: Case, scanner: Scanner) -> Outcome:
    prefix = f"int{next(_PREFIXES)}_{case.kind}_"
    app = create_app(case.kind, dynamodb=lab.resource(), client=lab.client(), table_prefix=prefix)  # type: ignore[arg-type]
    app.logger.disabled = True  # the vulnerable twin's 500s are expected
    trigger = Trigger(app.wsgi_app, case)
    app.wsgi_app = trigger  # type: ignore[method-assign]
    specs = tables(prefix)
    before = snapshot(lab, specs)
    with tempfile.TemporaryDirectory() as work, serve(app) as running:
        (Path(work) / "dynaguard.toml").write_text(case.config(), encoding="utf-8")
        code, stderr = scanner(Path(work), running.url, trigger)
        report = _read(Path(work) / "report.json")
    after = snapshot(lab, specs)
    users = after[specs[0].name]
    changes = diff(before, after)
    return Outcome(
        case, code, stderr, report, changes, users, trigger.writes, trigger.sent, trigger.after
    )


def _arguments(work: Path, url: str) -> list[str]:
    config, report = str(work / "dynaguard.toml"), str(work / "report.json")
    return [
        "scan",
        url,
        "--config",
        config,
        "--format",
        "json",
        "-o",
        report,
        "--progress",
        "plain",
    ]


def _child(work: Path, url: str, trigger: Trigger) -> tuple[int | None, str]:
    command = [sys.executable, "-m", "dynaguard", *_arguments(work, url)]
    env = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1"}
    with (work / "stderr").open("w+", encoding="utf-8") as err:
        child = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=err)
        trigger.send = lambda number: os.kill(child.pid, number)
        try:
            code: int | None = child.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            code = None
        err.seek(0)
        return code, err.read()


def _in_process(work: Path, url: str, trigger: Trigger) -> tuple[int | None, str]:
    main_thread = threading.main_thread().ident
    assert main_thread == threading.get_ident(), "the CLI's handlers need the main thread"
    # To the main thread itself, where the handlers run: the twin's own threads must not get it.
    trigger.send = lambda number: signal.pthread_kill(main_thread, number)
    result = CliRunner().invoke(main, _arguments(work, url), catch_exceptions=True)
    return result.exit_code, result.stderr + (repr(result.exception) if _crashed(result) else "")


def _crashed(result: Any) -> bool:
    return result.exception is not None and not isinstance(result.exception, SystemExit)


def _read(report: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


Items = dict[str, dict[tuple[str, ...], dict[str, Any]]]


def snapshot(lab: Lab, specs: Iterable[TableSpec]) -> Items:
    """Every item of every table, by key, as JSON-comparable values."""
    found: Items = {}
    for spec in specs:
        keys = [k for k in (spec.hash_key, spec.range_key) if k]
        table = lab.resource().Table(spec.name)
        page = table.scan()
        items = list(page["Items"])
        while "LastEvaluatedKey" in page:
            page = table.scan(ExclusiveStartKey=page["LastEvaluatedKey"])
            items += page["Items"]
        plain = [json.loads(json.dumps(item, default=str)) for item in items]
        found[spec.name] = {tuple(str(item[k]) for k in keys): item for item in plain}
    return found


def diff(before: Items, after: Items) -> list[Change]:
    """Items created, deleted, and each attribute changed, added or removed."""
    changes = []
    for table, old in before.items():
        new = after.get(table, {})
        changes += [Change(table, key, "created") for key in new.keys() - old.keys()]
        changes += [Change(table, key, "deleted") for key in old.keys() - new.keys()]
        for key in old.keys() & new.keys():
            names = sorted(set(old[key]) | set(new[key]))
            moved = [n for n in names if old[key].get(n) != new[key].get(n)]
            changes += [Change(table, key, "changed", name) for name in moved]
    return sorted(changes, key=str)


@contextmanager
def lab() -> Iterator[Lab]:
    """An embedded DynamoDB for a series of runs (each twin has its own tables).

    The twins hash passwords with scrypt, a quarter of a second for each login and sign-up; here
    they use a cheap hash, because these runs are about interrupts and the normal suite runs
    them."""
    cheap = functools.partial(generate_password_hash, method="pbkdf2:sha256:1000")
    with ExitStack() as stack:
        stack.enter_context(patch.object(auth, "_demo_password_hash", functools.cache(cheap)))
        for module in (vulnerable_users, secure_users):
            stack.enter_context(patch.object(module, "generate_password_hash", cheap))
        yield stack.enter_context(Lab(embedded=True))
