"""Hostile input, class ``interrupt``: active scans stopped by SIGINT or SIGTERM at many points.

    .venv/bin/python bench/hostile/interrupt.py [--count 40]

A full scan of the vulnerable twin first counts its write requests (and is judged like the
others: a completed scan must leave nothing unlisted). Then each run interrupts a fresh twin on
another of those writes, cycling through SIGINT, SIGTERM, a second SIGINT one to three requests
after the first (cleanup aborted), SIGTERM then SIGINT, four probes in parallel, and the secure
twin. A run fails on a hang, a traceback, a missing report, a wrong exit code (4 once signalled)
or any item the tables show created, deleted or changed that is neither put back nor named by a
``not cleaned up`` line of the report (tests/hostile/interrupt_run.py).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the tests' harness

from tests.hostile.interrupt_run import Case, lab, run

_VARIANTS: tuple[tuple[tuple[signal.Signals, ...], int], ...] = (
    ((signal.SIGINT,), 1),
    ((signal.SIGTERM,), 1),
    ((signal.SIGINT, signal.SIGINT), 1),
    ((signal.SIGINT, signal.SIGINT), 3),
    ((signal.SIGTERM, signal.SIGINT), 2),
)


def cases(count: int, writes: int) -> list[Case]:
    """``count`` interrupted scans, their first signals spread over writes 1..``writes``."""
    found = []
    for index in range(count):
        at = 1 + (index * max(writes - 1, 0)) // max(count - 1, 1)
        signals, then = _VARIANTS[index % len(_VARIANTS)]
        concurrency = 4 if index % 6 == 5 else 1
        kind = "secure" if index % 9 == 8 else "vulnerable"
        found.append(Case(at, signals, then, kind, concurrency))
    return found


def campaign(count: int) -> tuple[int, int, list[str]]:
    """(runs tried, runs failed, what went wrong): ``count`` runs, the full scan included."""
    failures: list[str] = []
    failed = 0
    with lab() as running:
        full = run(running, Case(at=0))
        outcomes = [full]
        for case in cases(max(count - 1, 0), full.writes):
            outcomes.append(run(running, case))
    for outcome in outcomes:
        problems = outcome.failures()
        failed += bool(problems)
        failures += problems[:3]  # three lines say enough about one broken run
    return len(outcomes), failed, failures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=40, help="scans to run (default 40)")
    arguments = parser.parse_args()
    tried, failed, failures = campaign(arguments.count)
    for line in failures:
        print(f"  {line}")
    print(f"tried {tried} failed {failed}")
