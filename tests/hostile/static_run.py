"""Run one hostile source tree through ``dynaguard code`` in-process and judge what it did.

A case is a tree of files (names are bytes: they need not be UTF-8), special files beside them
(FIFOs, links to devices, link loops, sockets, files and folders the run may not read), a
command line and the exit code due. Beside its hostile part every tree holds ``sentinel.py``,
one route with a DG101 finding, unless the case says otherwise: the report must still name it,
so a hostile file that silently ends the analysis of the others fails as surely as a crash.

The judge: no traceback; the exit code due (2 or 3 only where the input is bad, with a
``dynaguard: error:`` naming it and nothing on stdout); output that is UTF-8 and parses in its
format (JSON; SARIF validated against the OASIS 2.1.0 schema; JUnit XML; HTML with balanced
tags); and nothing left in the tree but the report. Time and memory bounds are the pool's
(``static_pool.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from click.testing import CliRunner, Result

from dynaguard.cli import main
from tests.cli.test_code_cli import VULNERABLE
from tests.conftest import SARIF_SCHEMA
from tests.hostile.static_tree import Reader, listing, make_tree, remove

SENTINEL = b"sentinel.py"
"""A route whose DG101 every report of a tree that holds it must name."""
FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")
"""Every ``--format`` of ``dynaguard code``."""

# Variables that would change what a case means if the environment running it had them set.
_CLEARED = ("DYNAGUARD_FORMAT", "DYNAGUARD_FAIL_ON", "DYNAGUARD_JOBS", "DYNAGUARD_PERSONA")
_VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "wbr", "source"}


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile tree, the command line that scans it, and what dynaguard must do."""

    kind: str
    """The class of hostile input (``nesting``, ``fifo``...): failures are counted by it."""
    name: str
    """Short description with the generator's parameters, shown when the case fails."""
    files: tuple[tuple[bytes, bytes], ...] = ()
    """Regular files: path relative to the case's directory (any bytes but ``/`` and NUL)
    and content."""
    specials: tuple[tuple[bytes, str], ...] = ()
    """What is not a regular file, made after the files in this order: ``fifo`` (nobody
    writes), ``fifo-out`` (a FIFO whose reader keeps what is written, for ``-o``), ``socket``,
    ``dir``, ``zero``/``null``/``urandom`` (a link to the device), ``loop`` (a link to itself),
    ``dangling``, ``link:<target>``, ``mode:<octal>`` (chmod of what the path names)."""
    paths: tuple[str, ...] = (".",)
    """The paths given to ``dynaguard code`` (relative to the case's directory)."""
    flags: tuple[str, ...] = ()
    """Other options (``--jobs 2``, ``--no-cache``...)."""
    fmt: str = "json"
    output: str | None = None
    """The ``-o`` argument; ``None`` for stdout."""
    expect: int = 1
    """The exit code due: 1 for the sentinel's finding, 0 without it, 2 or 3 for bad input."""
    needles: tuple[str, ...] = ()
    """Text the error message (exit 2 or 3) must contain."""
    sentinel: bool = True
    """Whether ``sentinel.py`` is in the tree (and its DG101 in the report)."""
    privileged: bool = False
    """The case needs permission checks to mean anything (a file the run may not read): it is
    skipped where the process reads everything (root with CAP_DAC_OVERRIDE)."""

    def argv(self) -> list[str]:
        output = () if self.output is None else ("--output", self.output)
        return ["code", *self.paths, "--format", self.fmt, *output, *self.flags]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run did and what it wrote."""

    result: Result
    report: bytes | None
    """The report where it went (stdout, a file, a FIFO); ``None`` where it cannot be read back
    (``/dev/null``) or was not written."""
    left: frozenset[bytes]
    """Paths in the tree after the run that were not there before, the report's own aside."""


def run_case(case: Case, work: Path) -> str | None:
    """Make ``case``'s tree in the new directory ``work``, run it; what went wrong, or ``None``."""
    root = os.fsencode(work)
    os.mkdir(root)
    try:
        with ExitStack() as stack:
            sentinel = ((SENTINEL, VULNERABLE.encode()),) if case.sentinel else ()
            readers = make_tree(root, case.files + sentinel, case.specials, stack)
            before = listing(root)
            with contextlib.chdir(work):
                result = CliRunner().invoke(main, case.argv(), env=dict.fromkeys(_CLEARED))
            report = _report(case, root, result, readers)
            left = listing(root) - before - _own(case, root)
        return judge(case, Outcome(result, report, frozenset(left)))
    finally:
        remove(root)


def judge(case: Case, outcome: Outcome) -> str | None:
    """Why ``outcome`` is wrong for ``case``, or ``None`` when it is right."""
    result = outcome.result
    said = result.stderr.strip().splitlines()
    last = said[-1][:200] if said else "(nothing on stderr)"
    crash = _crash(result)
    if crash is not None or "Traceback" in result.output:
        return f"{case.name}: crashed: {crash or last}"
    if result.exit_code != case.expect:
        return f"{case.name}: exit {result.exit_code}, expected {case.expect}: {last}"
    if outcome.left:
        return f"{case.name}: left behind {sorted(outcome.left)[:3]}"
    if case.expect >= 2:
        return _judge_error(case, result)
    if outcome.report is None:
        return None
    problem = check_report(case.fmt, outcome.report, sentinel=case.sentinel and case.expect == 1)
    return None if problem is None else f"{case.name}: {case.fmt} report: {problem}"


def _judge_error(case: Case, result: Result) -> str | None:
    if result.stdout_bytes and case.output is None:
        return f"{case.name}: exit {case.expect} but something was written to stdout"
    if "dynaguard: error:" not in result.stderr and "Error: " not in result.stderr:
        return f"{case.name}: exit {case.expect} without an error message"
    missing = [needle for needle in case.needles if needle not in result.stderr]
    if missing:
        return f"{case.name}: the error does not name {missing}: {result.stderr.strip()[-200:]}"
    return None


def _crash(result: Result) -> str | None:
    if result.exception is None or isinstance(result.exception, SystemExit):
        return None
    exception, said = result.exception, []
    while exception is not None and len(said) < 3:  # what it was raised from says the most
        said.append(f"{type(exception).__name__}: {str(exception)[-300:]}")
        exception = exception.__cause__
    return " from ".join(said)


def check_report(fmt: str, data: bytes, *, sentinel: bool) -> str | None:
    """Why ``data`` is not a valid ``fmt`` report (naming the sentinel's DG101 when due)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 (byte {exc.start})"
    try:
        problem = _PARSERS[fmt](text)
    except (ValueError, ElementTree.ParseError) as exc:  # JSONDecodeError is a ValueError
        return f"does not parse: {str(exc)[:200]}"
    if problem is None and sentinel and not _names_sentinel(fmt, text):
        return "the sentinel's DG101 is missing"
    return problem


def _names_sentinel(fmt: str, text: str) -> bool:
    if fmt == "json":
        found = json.loads(text)["findings"]
        return any(f["rule"] == "DG101" and "sentinel.py" in json.dumps(f) for f in found)
    if fmt == "sarif":
        results = json.loads(text)["runs"][0]["results"]
        return any(r["ruleId"] == "DG101" and "sentinel.py" in json.dumps(r) for r in results)
    return "DG101" in text and "sentinel.py" in text


def _json(text: str) -> str | None:
    document = json.loads(text)
    return None if isinstance(document, dict) and "findings" in document else "no findings list"


def _sarif(text: str) -> str | None:
    errors = sorted(sarif_validator().iter_errors(json.loads(text)), key=str)
    return None if not errors else f"not SARIF 2.1.0: {errors[0].message[:200]}"


def _junit(text: str) -> str | None:
    tag = ElementTree.fromstring(text).tag
    return None if tag in {"testsuites", "testsuite"} else f"root element {tag}"


def _html(text: str) -> str | None:
    parser = _Balance()
    parser.feed(text)
    parser.close()
    return parser.problem or (None if not parser.open else f"unclosed {parser.open[-3:]}")


def _text(text: str) -> str | None:
    return None if text.strip() else "empty"


_PARSERS = {
    "text": _text,
    "json": _json,
    "sarif": _sarif,
    "junit": _junit,
    "markdown": _text,
    "html": _html,
}


class _Balance(HTMLParser):
    """Whether every element the page opens is closed, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problem = self.problem or f"</{tag}> closes {self.open[-1:] or 'nothing'}"
            return
        self.open.pop()


@cache
def sarif_validator() -> Any:
    """A validator for the OASIS SARIF 2.1.0 schema, as the formatter tests build it."""
    from jsonschema.validators import validator_for

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = validator_for(schema)  # the schema's own "$schema" (draft-04) picks the class
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _report(case: Case, root: bytes, result: Result, readers: dict[bytes, Reader]) -> bytes | None:
    """The report as written: on stdout, in the FIFO, or in the file (links followed)."""
    if case.output is None or case.output == "-":
        return result.stdout_bytes
    target = os.fsencode(case.output)
    if target in readers:
        reader = readers[target]
        reader.done.set()
        reader.thread.join()
        return bytes(reader.data)
    path = os.path.join(root, target)
    if not os.path.isfile(path):
        return None  # a device, or nothing written (a judged exit 2 says why)
    with open(path, "rb") as handle:
        return handle.read()


def _own(case: Case, root: bytes) -> set[bytes]:
    """What a run may add: the report or the baseline it was asked to write, where a link
    named leads included."""
    named = [case.output]
    named += [case.flags[i + 1] for i, f in enumerate(case.flags[:-1]) if f == "--write-baseline"]
    own = set()
    for name in (os.fsencode(n) for n in named if n not in (None, "-")):
        own.add(os.path.normpath(name))
        own.add(os.path.relpath(os.path.realpath(os.path.join(root, name)), os.path.realpath(root)))
    return own
