"""Hostile-input campaign, configuration and command line: every enumerated case, then random ones.

Usage::

    python bench/hostile/config.py [COUNT]     # default 600; prints "tried N failed M"

The cases live with the tests (``tests/hostile/config_cases.py`` for ``dynaguard code`` and the
config file itself, ``tests/hostile/config_scan_cases.py`` for ``dynaguard scan``): wrong types for
every key, tables that are not tables, invalid or non-UTF-8 TOML, a BOM, nesting 10,000 deep,
special files, unparsable URLs, unknown probes and rule ids, headers with line breaks. Each runs
in-process in its own directory; ``scan`` targets a closed port on 127.0.0.1 only. Random cases
come from a fixed seed, so two runs try the same cases.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the cases are the test suite's

from tests.hostile import config_cases, config_scan_cases  # noqa: E402
from tests.hostile.config_run import Case, run_all  # noqa: E402

SEED = 18


def cases(count: int) -> list[Case]:
    """The enumerated cases, then random ones (code and scan in turn), ``count`` in all."""
    fixed = [*config_cases.cases(), *config_scan_cases.cases()]
    rng = random.Random(SEED)
    makers = (config_cases.random_case, config_scan_cases.random_case)
    extra = [makers[i % 2](rng) for i in range(max(0, count - len(fixed)))]
    return [*fixed, *extra][:count]


def campaign(count: int) -> tuple[int, int, list[str]]:
    """Run ``count`` cases: (tried, failed, what each failure was)."""
    chosen = cases(count)
    previous = os.environ.get("DYNAGUARD_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="dynaguard-hostile-config-") as root:
        # Analyses are cached outside the user's cache directory, and gone afterwards.
        os.environ["DYNAGUARD_CACHE_DIR"] = str(Path(root) / "cache")
        try:
            failures = run_all(chosen, Path(root))
        finally:
            if previous is None:
                del os.environ["DYNAGUARD_CACHE_DIR"]
            else:
                os.environ["DYNAGUARD_CACHE_DIR"] = previous
    return len(chosen), len(failures), failures


if __name__ == "__main__":
    tried, failed, failures = campaign(int(sys.argv[1]) if len(sys.argv) > 1 else 600)
    for failure in failures:
        print(f"  {failure}")
    print(f"tried {tried} failed {failed}")
    raise SystemExit(1 if failed else 0)
