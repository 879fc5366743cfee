"""Run ``dynaguard scan`` in a child process with its memory capped, and judge how it ended.

A clean end is: exit 0 or 1 with the JSON report on stdout, or exit 2 or 3 with one line
``dynaguard: error: ...`` on stderr and nothing on stdout; never a traceback, never past its
time, never past its memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

SRC = Path(__file__).resolve().parents[2] / "src"
IDENTITIES = (
    "--identity", "alice:user:X-User=alice",
    "--identity", "bob:user:X-User=bob",
    "--identity", "root:admin:X-User=root",
)  # fmt: skip
"""Who scans tests/hostile/served.py's API (it takes any X-User)."""

_CHILD = """
import os, resource, sys
limit = int(os.environ["DG_HOSTILE_MEMORY"])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from dynaguard.cli import main
try:
    main(["scan", *sys.argv[1:]], prog_name="dynaguard")
finally:
    # NOTE: not ru_maxrss: Linux keeps it across exec, so it would count the parent's memory.
    with open("/proc/self/status") as status, open(os.environ["DG_HOSTILE_PEAK"], "w") as peak:
        peak.write(next(l.split()[1] for l in status if l.startswith("VmHWM:")))
"""


@dataclass(frozen=True)
class ScanRun:
    """How one ``dynaguard scan`` ended."""

    args: tuple[str, ...]
    code: int | None
    """Exit status; None when it was killed at its time limit."""
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float | None
    """Peak resident memory; None when it did not get to say."""


def run_scan(args: Sequence[str], *, time_limit: float = 90.0, memory_mb: int = 4096) -> ScanRun:
    """``dynaguard scan ARGS`` with this checkout's sources, killed after ``time_limit``."""
    with tempfile.TemporaryDirectory(prefix="dg-hostile-") as folder:
        peak = Path(folder) / "peak"
        env = {
            **os.environ,
            "PYTHONPATH": str(SRC),
            "DG_HOSTILE_MEMORY": str(memory_mb * 2**20),
            "DG_HOSTILE_PEAK": str(peak),
        }
        started = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, "-c", _CHILD, *args],
                capture_output=True,
                env=env,
                cwd=folder,
                timeout=time_limit,
                check=False,
            )
            code: int | None = done.returncode
            out, err = done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            code, out, err = None, exc.stdout or b"", exc.stderr or b""
        seconds = time.monotonic() - started
        kb = peak.read_text() if peak.exists() else ""
    return ScanRun(
        tuple(args),
        code,
        out.decode(errors="replace"),
        err.decode(errors="replace"),
        seconds,
        int(kb) / 1024 if kb else None,
    )


@dataclass(frozen=True)
class Bounds:
    """What a campaign's scans are given, and what they must keep to."""

    max_time: float
    """``--max-time`` of each scan."""
    timeout: float
    """``--timeout`` of each scan."""
    seconds: float
    """A run taking longer fails: past ``max_time`` and ``cleanup`` by what reading takes."""
    cleanup: float = 5.0
    """``cleanup-timeout`` of each scan."""
    mb: float = 600.0
    """A run whose resident memory peaks higher fails."""


def scan_judged(
    label: str,
    args: Sequence[str],
    active: bool,
    bounds: Bounds,
    *,
    refused: str = "",
    config: str = "",
) -> str:
    """Scan (``args``, the campaign's flags, ``config`` under ``[scan]``): "" for a clean end,
    else what went wrong."""
    mode = "--active" if active else "--read-only"
    flags = [mode, "--max-time", f"{bounds.max_time:g}", "--timeout", f"{bounds.timeout:g}"]
    with tempfile.TemporaryDirectory(prefix="dg-config-") as folder:
        path = Path(folder) / "dynaguard.toml"
        path.write_text(f"[scan]\ncleanup-timeout = {bounds.cleanup:g}\n{config}")
        flags += ["--config", str(path), "--format", "json", "--progress", "none"]
        run = run_scan([*args, *flags], time_limit=bounds.seconds + 30)
    problem = verdict(run, refused=refused, max_seconds=bounds.seconds, max_mb=bounds.mb)
    return f"{label} ({mode[2:]}): {problem}" if problem else ""


def campaign_main(campaign: Callable[[int], tuple[int, int, list[str]]], count: int) -> None:
    """A campaign's ``__main__``: ``--count`` (default ``count``), each failed run, then
    ``tried N failed M``."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=count, help=f"cases (default {count})")
    tried, failed, failures = campaign(parser.parse_args().count)
    print(*(f"FAILED {failure}" for failure in failures), sep="\n", end="\n" if failures else "")
    print(f"tried {tried} failed {failed}")


def campaign_of(
    items: Sequence[T], run: Callable[[T, bool], str], workers: int = 4
) -> tuple[int, int, list[str]]:
    """Each item run read-only and active, ``workers`` at a time: (runs, failed runs, what went
    wrong in each); ``run`` returns "" for a clean end."""
    runs = [(item, active) for item in items for active in (False, True)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        problems = list(pool.map(lambda pair: run(*pair), runs))
    failures = [problem for problem in problems if problem]
    return len(runs), len(failures), failures


def verdict(run: ScanRun, *, refused: str = "", max_seconds: float, max_mb: float) -> str:
    """ "" for a clean end, else what was wrong, in a few words."""
    last = run.stderr.strip().splitlines()[-1:] or [""]
    if run.code is None:
        return f"still running after {run.seconds:.0f} s"
    if "Traceback" in run.stderr:
        return f"traceback: {last[0][:160]}"
    if run.peak_mb is not None and run.peak_mb > max_mb:
        return f"peak memory {run.peak_mb:.0f} MB"
    if run.seconds > max_seconds:
        return f"took {run.seconds:.0f} s"
    if run.code in (0, 1):
        return _report_problem(run, refused)
    if run.code in (2, 3):
        return _error_problem(run, refused)
    return f"exit {run.code}: {last[0][:160]}"


def _report_problem(run: ScanRun, refused: str) -> str:
    if refused:
        return f"exit {run.code}, where exit 2 naming {refused!r} was due"
    try:
        report = json.loads(run.stdout)
    except ValueError:
        return f"exit {run.code} without a JSON report: {run.stdout[:80]!r}"
    return "" if isinstance(report, dict) and "findings" in report else "a report without findings"


def _error_problem(run: ScanRun, refused: str) -> str:
    lines = run.stderr.strip().splitlines()
    if run.stdout or len(lines) != 1 or not lines[0].startswith("dynaguard: error: "):
        return f"exit {run.code} without one error line: {run.stderr[:160]!r}"
    if refused and (run.code != 2 or refused not in lines[0]):
        return f"exit {run.code}, where exit 2 naming {refused!r} was due: {lines[0][:160]}"
    return ""
