"""Benchmark of `dynaguard scan` on the reference twins (docs/benchmarks.md, "Dynamic scanner").

    .venv/bin/python bench/dynamic_scan.py [--runs 20]

Prints, for each twin, the requests sent and the wall time of a full active scan (target for the
vulnerable twin: at most 30 s and 1000 requests), then the race probe's detection rate over
``--runs`` runs on each twin (target: at least 19/20 on the vulnerable twin, 0 on the secure one).

Everything runs on 127.0.0.1: the embedded DynamoDB (moto), the twins and the scanner share one
process. NOTE: moto applies an ``ADD`` in Python without a lock, so a thread switch inside one
could lose an increment real DynamoDB never loses; as the twins' own concurrency test does, the
interpreter's switch interval is raised so threads switch only when they block on I/O
(docs/twins.md, "Notes on the tests"). A benchmark, never a test: timing is its subject.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from itertools import count

from dynaguard.demo import create_app, serve
from dynaguard.dynamic import Identity, Login, Role, ScanOptions, ScanResult, scan
from dynaguard.lab import Lab

_PREFIXES = count()


def _identity(name: str, role: Role = Role.USER) -> Identity:
    body = {"username": name, "password": f"{name}-demo-pw"}
    return Identity(name, role, login=Login(path="/auth/token", body=body))


IDENTITIES = (_identity("alice"), _identity("bob"), _identity("admin", Role.ADMIN))


def _scan(lab: Lab, kind: str, **options: object) -> tuple[ScanResult, float]:
    prefix = f"bench{next(_PREFIXES)}_{kind}_"
    app = create_app(kind, dynamodb=lab.resource(), client=lab.client(), table_prefix=prefix)  # type: ignore[arg-type]
    # The vulnerable twin crashes on purpose (DG302); its tracebacks are not the benchmark's.
    app.logger.setLevel(logging.CRITICAL)
    with serve(app) as running:
        started = time.perf_counter()
        result = scan(
            ScanOptions(target=running.url, identities=IDENTITIES, active=True, **options)
        )  # type: ignore[arg-type]
        return result, time.perf_counter() - started


def full_scans(lab: Lab) -> None:
    print("full active scan            requests   wall time   findings   rules")
    for kind in ("vulnerable", "secure"):
        result, seconds = _scan(lab, kind)
        rules = ",".join(sorted({f.rule.id for f in result.findings})) or "-"
        print(
            f"  {kind:<24}{result.requests:>10}{seconds:>10.1f} s{len(result.findings):>11}   {rules}"
        )


def race_rate(lab: Lab, runs: int) -> None:
    print(f"race probe (DG401), {runs} runs of 20 requests released together")
    for kind in ("vulnerable", "secure"):
        hits = 0
        for _ in range(runs):
            result, _ = _scan(lab, kind, probes=("race",))
            hits += any(f.rule.id == "DG401" for f in result.findings)
        print(f"  {kind:<24}{hits}/{runs} detected")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=20, help="race probe runs per twin (default 20)"
    )
    args = parser.parse_args(argv)
    with Lab(embedded=True) as lab:
        full_scans(lab)
        race_rate(lab, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
