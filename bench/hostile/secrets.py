"""The ``secrets`` class of the hostile-input campaign (bench/hostile.py runs every class).

    .venv/bin/python bench/hostile/secrets.py [--count 20]

Each case draws credentials of every kind a scan holds (a login password, API keys, one with a
trailing newline, a token and a cookie the server hands out, a Basic header, ``user:password``
in the target URL) from ``tests/hostile/secrets_cases.py`` and runs ``dynaguard scan`` once per
output format against a server on 127.0.0.1 that echoes whatever it is sent everywhere it can.
A case fails when a credential shows on stdout or stderr in any spelling, when the CLI crashes
or exits 2 or 3, or when the Markdown report holds live markup. Prints ``tried N failed M``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Run as a script, this folder comes first on sys.path, and this file would stand in for the
# standard library's `secrets` wherever that is imported; the repository root gives `tests`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parents[1]))

import argparse  # noqa: E402
import random  # noqa: E402

from tests.hostile.secrets_cases import coincidental, credentials, run_case  # noqa: E402

SEED = 18
"""Cases are drawn from a seeded generator: a failure can be replayed."""


def campaign(count: int) -> tuple[int, int, list[str]]:
    """(cases tried, cases failed, one line per failure)."""
    rng = random.Random(SEED)
    tried = failed = 0
    failures: list[str] = []
    while tried < count:
        creds = credentials(rng)
        if coincidental(creds):
            continue  # spelled in what every report prints: finding it would prove nothing
        tried += 1
        try:
            problems = run_case(creds)
        except Exception as exc:  # a broken case is a failure to report, not the end
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            failed += 1
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            failures.append(f"case {tried}: {problems[0]}{more}")
    return tried, failed, failures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20, help="cases to run (default 20)")
    tried, failed, failures = campaign(parser.parse_args().count)
    for line in failures:
        print(line)
    print(f"tried {tried} failed {failed}")
    sys.exit(1 if failed else 0)
