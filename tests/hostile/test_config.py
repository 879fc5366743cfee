"""Hostile configuration and command lines never crash, hang or pass: exit 2 naming the problem.

The regressions below, and a few random cases, run in the normal suite; every enumerated case
and many random ones are ``hostile_slow`` (``pytest -m hostile_slow tests/hostile``).
``bench/hostile/config.py`` runs the same cases as a campaign and prints tried / failed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile import config_cases, config_scan_cases
from tests.hostile.config_cases import CONFIG, PYPROJECT, code
from tests.hostile.config_run import DIR, Case, closed_port, run_case
from tests.hostile.config_scan_cases import FAST, scan

SECRET = "SECRET-9"

REGRESSIONS = [
    code("jobs = true", "jobs = true\n", expect=2, needles=(CONFIG, "'jobs'")),
    code("jobs = '2'", 'jobs = "2"\n', expect=2, needles=(CONFIG, "'jobs'")),
    code(
        "[tool] not a table",
        "tool = 1\n",
        "--config",
        PYPROJECT,
        expect=2,
        file="pyproject.toml",
        needles=(PYPROJECT, "[tool]"),
    ),
    code("invalid TOML", "jobs = 2\n\n= 3\n", expect=2, needles=(CONFIG, "line 3")),
    code("not UTF-8", b"jobs = 2\n# caf\xe9\n", expect=2, needles=(CONFIG, "UTF-8", "line 2")),
    code("BOM", '\ufefffail-on = "none"\n', expect=0),
    code(
        "10,000 deep",
        "a = " + "[" * 10_000 + "]" * 10_000 + "\n",
        expect=2,
        needles=(CONFIG, "deep"),
    ),
    code(
        "10,000 deep key", "[" + ".".join("a" * 10_000) + "]\n", expect=2, needles=(CONFIG, "deep")
    ),
    code("--config /dev/zero", None, "--config", "/dev/zero", expect=2, needles=("/dev/zero",)),
    code(
        "--config FIFO",
        None,
        "--config",
        f"{DIR}/fifo",
        expect=2,
        special="fifo",
        needles=("fifo",),
    ),
    code("select names no rule", 'select = ["DG999"]\n', expect=2, needles=(CONFIG, "DG999")),
    code("baseline with NUL", 'baseline = "a\\u0000"\n', expect=2, needles=(CONFIG, "baseline")),
    code("--select names no rule", None, "--select", "DG9", expect=2, needles=("--select", "DG9")),
    scan(
        "unknown probe",
        f'{FAST}probes = ["nope"]\n',
        expect=2,
        needles=(CONFIG, "scan.probes", "nope"),
    ),
    scan("bad select", f'{FAST}select = ["XX"]\n', expect=2, needles=(CONFIG, "scan.select")),
    scan("active = yes", f'{FAST}active = "yes"\n', expect=2, needles=(CONFIG, "scan.active")),
    scan("rate = inf", f"{FAST}rate = inf\n", expect=2, needles=(CONFIG, "scan.rate")),
    scan(
        "exclude typo",
        f'{FAST}exclude = ["DELTE /x"]\n',
        expect=2,
        needles=(CONFIG, "scan.exclude"),
    ),
    scan("--select XX", FAST, "--select", "XX", expect=2, needles=("--select", "XX")),
    scan("--probe nope", FAST, "--probe", "nope", expect=2, needles=("--probe", "nope")),
    scan("unclosed IPv6", FAST, expect=2, target="http://[::1", needles=("URL",)),
    scan("port 99999", FAST, expect=2, target="http://127.0.0.1:99999", needles=("URL",)),
    scan("--spec bad URL", FAST, "--spec", "http://[::1", expect=2, needles=("--spec",)),
    scan(
        "header with CRLF",
        f'{FAST}[[scan.identities]]\nname = "a"\nheaders = {{ X-Key = "{SECRET}\\r\\nX: 1" }}\n',
        expect=2,
        needles=(CONFIG, "scan.identities[0].headers.X-Key"),
        secret=SECRET,
    ),
    scan(
        "--identity with LF",
        FAST,
        "--identity",
        f"bob:user:X-Key={SECRET}\n",
        expect=2,
        needles=("--identity bob",),
        secret=SECRET,
    ),
    scan(
        "header from env with LF",
        f'{FAST}[[scan.identities]]\nname = "a"\nheaders = {{ X-Key = "${{KEY}}" }}\n',
        expect=2,
        env=(("KEY", f"{SECRET}\n"),),
        needles=("scan.identities[0].headers.X-Key", "${KEY}"),
        secret=SECRET,
    ),
    scan("valid table", f'{FAST}active = true\nrate = 5\nselect = ["DG2"]\n', expect=3),
    scan("valid flags", FAST, "--select", "DG2", "--probe", "race", expect=3),
]


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with closed_port() as number:
        yield number


def _check(case: Case, root: Path, port: int) -> None:
    problem = run_case(case, root, port)
    assert problem is None, problem


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda case: case.name)
def test_regression(case: Case, tmp_path: Path, port: int) -> None:
    _check(case, tmp_path, port)


@pytest.mark.hostile_slow
@pytest.mark.parametrize(
    "case",
    [*config_cases.cases(), *config_scan_cases.cases()],
    ids=lambda case: case.name[:80],
)
def test_every_case(case: Case, tmp_path: Path, port: int) -> None:
    _check(case, tmp_path, port)


@pytest.mark.parametrize(
    "generate", [config_cases.random_case, config_scan_cases.random_case], ids=["code", "scan"]
)
@pytest.mark.parametrize("examples", [15, pytest.param(300, marks=pytest.mark.hostile_slow)])
def test_random_configs(
    generate: Callable[[random.Random], Case], examples: int, tmp_path: Path, port: int
) -> None:
    @settings(max_examples=examples, deadline=None)
    @given(rng=st.randoms(use_true_random=False))
    def check(rng: random.Random) -> None:
        _check(generate(rng), tmp_path, port)  # each case makes its own directory

    check()
