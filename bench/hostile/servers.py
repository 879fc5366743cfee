"""The servers campaign of issue 18: scans of servers that trickle, stall, flood or misanswer.

    .venv/bin/python bench/hostile/servers.py [--count 124]

Each case of tests/hostile/server_cases.py (the first ``--count``) puts one behaviour of
tests/hostile/served.py (a body one byte every 0.25 s for ever, headers likewise, silence,
1 GiB, a gzip bomb, JSON nested 400,000 deep, redirects to port 99999 or round in a loop,
garbage, resets...) on every path, on the API's operations, on its items or on the identities'
login, and ``dynaguard scan`` runs against it read-only and active with a short ``--max-time``
and ``--timeout``. A run passes when it ends cleanly (tests/hostile/scan_runs.py): the JSON
report or exit 2 or 3 with one error line, within the time and memory of server_cases.BOUNDS.
Prints each failed run, then ``tried N failed M`` (N runs: two per case).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.hostile.scan_runs import campaign_main, campaign_of
from tests.hostile.server_cases import first, scan_case


def campaign(count: int) -> tuple[int, int, list[str]]:
    """(runs tried, runs failed, what went wrong in each failed run) over ``count`` cases."""
    return campaign_of(first(count), scan_case)


if __name__ == "__main__":
    campaign_main(campaign, 124)
