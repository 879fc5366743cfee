"""``dynaguard serve`` at scale: ingest speed, and page times with a long history stored.

Usage::

    python bench/history.py              # SQLite and PostgreSQL (when initdb is installed)
    python bench/history.py --quick      # 20 scans instead of 200 (a smoke run)

Targets (issue 14, docs/benchmarks.md): a report of 10,000 findings ingested in under 2 s; with
200 scans of 1,000 findings each stored, the project page and the findings list answer in under
200 ms (median) on SQLite and on PostgreSQL. Each scan keeps 95 % of the previous scan's
findings and brings 50 new ones (and 3 % come back after being fixed), so the history holds
about 11,000 tracked findings and 200,000 sightings. Pages are timed through Flask's test
client (no network), logged in, 25 requests each after one warm-up.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine

from dynaguard.model import Finding
from dynaguard.serve import ingest, projects
from dynaguard.serve.store import database
from tests.serve.postgres import binaries, running_postgres
from tests.serve.reports import as_json, dynamic, static
from tests.serve.web import BASE, logged_in, make_app

RULES = ("DG101", "DG102", "DG103", "DG201", "DG202", "DG301", "DG401", "DG403", "DG701")


def finding(n: int) -> Finding:
    return static(RULES[n % len(RULES)], f"app/m{n % 97}.py", f"handler_{n}", f"call_{n}()")


def proof(n: int) -> Finding:
    """The dynamic proof of ``finding(n)`` (same rule, same route)."""
    return dynamic(RULES[n % len(RULES)], "POST", f"/handler_{n}")


def histories(scans: int, size: int, seed: int = 14) -> Iterator[list[int]]:
    """Each scan's finding numbers: most stay, some are fixed, some come back, some are new."""
    rng = random.Random(seed)
    current = list(range(size))
    fixed: list[int] = []
    next_number = size
    for _ in range(scans):
        yield current
        gone = set(rng.sample(current, size * 5 // 100))
        fixed.extend(gone)
        back = rng.sample(fixed, min(len(fixed), size * 3 // 100))
        fixed = [n for n in fixed if n not in set(back)]
        kept = [n for n in current if n not in gone] + back
        new = list(range(next_number, next_number + size - len(kept)))
        next_number += len(new)
        current = kept + new


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def ingest_once(engine: Engine, project: str, text: str, label: str) -> None:
    with database.sessions(engine).begin() as session:
        found = projects.find(session, project) or projects.create(session, project, "bench")
        ingest.ingest(session, found, text, label)


def run(engine: Engine, scans: int) -> dict[str, float]:
    database.migrate(engine)
    big = as_json(*(finding(n) for n in range(10_000)))
    figures = {"ingest 10,000 findings (s)": timed(lambda: ingest_once(engine, "big", big, ""))}
    # A scan report proving 1,000 of them, uploaded apart: each proof is joined with its code
    # finding (serve/joined.py), then the code report again with the proofs present.
    proofs = as_json(*(proof(n) for n in range(1_000)), target="http://127.0.0.1:5000")
    figures["ingest 1,000 proofs, joined with the 10,000 (s)"] = timed(
        lambda: ingest_once(engine, "big", proofs, "scan")
    )
    figures["ingest the 10,000 again, 1,000 pairs (s)"] = timed(
        lambda: ingest_once(engine, "big", big, "again")
    )
    start = time.perf_counter()
    for number, members in enumerate(histories(scans, 1_000)):
        ingest_once(engine, "bench", as_json(*(finding(n) for n in members)), f"run {number}")
    figures[f"store {scans} scans of 1,000 (s)"] = time.perf_counter() - start
    client = logged_in(make_app(engine))
    for path in (
        "/projects/bench",
        "/projects/bench/findings",
        "/projects/bench/findings?state=new",
    ):

        def get(path: str = path) -> None:
            assert client.get(path, base_url=BASE).status_code == 200

        get()
        figures[f"GET {path} median (ms)"] = statistics.median(timed(get) for _ in range(25)) * 1000
    return figures


@contextmanager
def sqlite() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = database.connect(f"sqlite:///{folder}/bench.db")
        yield engine
        engine.dispose()


@contextmanager
def postgresql() -> Iterator[Engine]:
    bin_dir = binaries()
    assert bin_dir is not None
    with running_postgres(bin_dir) as url:
        engine = database.connect(url)
        yield engine
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 scans instead of 200")
    scans = 20 if parser.parse_args().quick else 200
    backends = {"SQLite": sqlite}
    if binaries() is not None:
        backends["PostgreSQL 15"] = postgresql
    else:
        print("PostgreSQL binaries not found: SQLite only", file=sys.stderr)
    for name, make in backends.items():
        with make() as engine:
            figures = run(engine, scans)
        print(f"\n{name}")
        for what, value in figures.items():
            print(f"  {what:<55} {value:8.3f}")


if __name__ == "__main__":
    main()
