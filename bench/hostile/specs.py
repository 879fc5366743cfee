"""The specs campaign of issue 18: hostile API descriptions, each scanned read-only and active.

    .venv/bin/python bench/hostile/specs.py [--count 200]

The first ``--count`` cases of tests/hostile/spec_cases.py (every kind interleaved: type
confusion, missing fields, YAML keys, deep nesting, alias bombs, $ref fan-out and cycles, huge
specs, encodings, versions, specs served huge, slow or redirected) go to ``dynaguard scan`` as a
file, a URL on the target or elsewhere, or the target's own /openapi.json, the target being
tests/hostile/served.py's trivial API on 127.0.0.1. A run passes when it ends cleanly
(tests/hostile/scan_runs.py): the JSON report, or exit 2 or 3 with one error line (the expected
words where the spec must be refused), within the time and memory of spec_cases.BOUNDS.
Prints each failed run, then ``tried N failed M`` (N runs: two per spec).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.hostile.scan_runs import campaign_main, campaign_of
from tests.hostile.spec_cases import first, scan_case


def campaign(count: int) -> tuple[int, int, list[str]]:
    """(runs tried, runs failed, what went wrong in each failed run) over ``count`` specs."""
    return campaign_of(first(count), scan_case)


if __name__ == "__main__":
    campaign_main(campaign, 200)
