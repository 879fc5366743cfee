"""Scan from code (issue 17): each twin scanned with the spec it serves, then with only the spec
``dynaguard scan --source`` derives from its code (docs/benchmarks.md, "Scan from code").

    .venv/bin/python bench/scan_from_code.py

Prints, per twin, the (rule, operation) findings of both scans, how many of the spec scan's the
code scan also gives (the target is 90%), and any the code scan gives that the spec scan does
not (the target is none that is false). The race probe (DG401) is left out of both: whether a
race shows is timing, measured by bench/dynamic_scan.py. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from itertools import count

from dynaguard.cli.joined import derived_options, source_analysis
from dynaguard.demo import TwinKind, create_app, serve, source_paths
from dynaguard.dynamic import Identity, Login, Role, ScanOptions, ScanResult, scan
from dynaguard.lab import Lab

_PREFIXES = count()
TIMING = frozenset({"DG401"})
"""Rules proven by a race: left out of the comparison (timing, not the spec, decides them)."""

Pair = tuple[str, str]


def _identity(name: str, role: Role = Role.USER) -> Identity:
    body = {"username": name, "password": f"{name}-demo-pw"}
    return Identity(name, role, login=Login(path="/auth/token", body=body, token="/access_token"))


IDENTITIES = (_identity("alice"), _identity("bob"), _identity("admin", Role.ADMIN))


def scan_twin(
    lab: Lab, kind: TwinKind, derive: Callable[[ScanOptions], ScanOptions] = lambda o: o
) -> ScanResult:
    """An active scan of a fresh twin, its options passed through ``derive`` first."""
    prefix = f"code{next(_PREFIXES)}_{kind}_"
    app = create_app(kind, dynamodb=lab.resource(), client=lab.client(), table_prefix=prefix)  # type: ignore[arg-type]
    app.logger.setLevel(logging.CRITICAL)  # the vulnerable twin's 500s are on purpose
    with serve(app) as running:
        options = ScanOptions(target=running.url, identities=IDENTITIES, active=True)
        return scan(derive(options))


def from_code(kind: TwinKind) -> Callable[[ScanOptions], ScanOptions]:
    """What ``dynaguard scan URL --source <the twin's files>`` does to the options."""
    paths = source_paths(kind)
    analysis = source_analysis(paths, surface=True)
    return lambda options: derived_options(options, analysis, paths)


def pairs(result: ScanResult) -> set[Pair]:
    return {
        (f.rule.id, f"{f.endpoint.method} {f.endpoint.path}")
        for f in result.findings
        if f.endpoint and f.rule.id not in TIMING
    }


def compare(lab: Lab, kind: TwinKind) -> tuple[set[Pair], set[Pair]]:
    """(the spec scan's findings, the code scan's)."""
    return pairs(scan_twin(lab, kind)), pairs(scan_twin(lab, kind, from_code(kind)))


def main() -> int:
    with Lab(embedded=True) as lab:
        for kind in ("vulnerable", "secure"):
            spec, code = compare(lab, kind)
            both = spec & code
            share = f"{100 * len(both) / len(spec):.0f}%" if spec else "n/a"
            print(
                f"{kind:<11} spec scan {len(spec):>3}   code scan {len(code):>3}   "
                f"both {len(both):>3}   kept {share}"
            )
            for pair in sorted(spec - code):
                print(f"    only with the spec: {pair[0]} {pair[1]}")
            for pair in sorted(code - spec):
                print(f"    only from the code: {pair[0]} {pair[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
