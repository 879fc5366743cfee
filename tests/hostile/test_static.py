"""Hostile source trees never crash, hang or blow up ``dynaguard code`` (issue 18, static part).

The regressions below and a case of each kind run in the normal suite, all through one pool of
two workers (a few seconds); every file-system variant, every nested construct around Python's
limits and many random trees of every kind are ``hostile_slow`` (``pytest -m hostile_slow
tests/hostile``). ``bench/hostile/static.py`` runs the campaign (2,000 trees): tried / failed.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynaguard.static.source.discover import printable
from tests.cli.test_code_cli import VULNERABLE, _run
from tests.hostile import static_files
from tests.hostile.static_cases import SOURCE_KINDS, call_graph
from tests.hostile.static_files import FILE_KINDS, SLOW, every
from tests.hostile.static_limits import DEEP_SHAPES, deep
from tests.hostile.static_pool import Verdict, run_cases
from tests.hostile.static_run import Case

SEED = 18


def _variant(kind: str, name: str) -> Callable[[random.Random], Case]:
    return FILE_KINDS[kind][name]


REGRESSIONS: list[Callable[[random.Random], Case]] = [
    # The scan root was "/", from which the walk up to it never ended (a hang).
    _variant("devices", "path /dev/zero"),
    # os.walk recursed per level: a RecursionError traceback; 500 levels took over 30 s.
    _variant("names", "990 folders deep"),
    # A folder that may be listed but not entered: PermissionError tracebacks.
    _variant("permissions", "folder without execute"),
    _variant("permissions", "file in a folder without execute given"),
    # A path given that is not UTF-8: a UnicodeEncodeError traceback writing the report.
    _variant("names", "not UTF-8 path given"),
    # Every path from a handler to a put was an access of its own: 45 s for 200 functions.
    lambda rng: call_graph(rng, 120),
    # -o onto a link loop (RuntimeError from resolve()) or into a folder that cannot be entered
    # (PermissionError from is_symlink()): tracebacks.
    _variant("output", "link loop"),
    _variant("permissions", "-o in a folder without execute"),
]


def _fast(rng: random.Random) -> list[Case]:
    """The regressions, a random case of each quick source kind, two variants of each file
    kind."""
    cases = [make(rng) for make in REGRESSIONS]
    cases += [make(rng) for kind, make in SOURCE_KINDS.items() if kind not in SLOW]
    for variants in FILE_KINDS.values():
        cases += [make(rng) for make in rng.sample(sorted(variants.values(), key=id), 2)]
    return cases


def _slow(rng: random.Random) -> list[Case]:
    """Every file variant, every nested construct around each limit, ten trees of each kind."""
    cases = [*every(rng)]
    limits = (99, 100, 101, 199, 200, 201, 990, 1000, 1010)
    cases += [deep(rng, shape, depth) for shape in sorted(DEEP_SHAPES) for depth in limits]
    cases += [make(rng) for make in SOURCE_KINDS.values() for _ in range(10)]
    cases += [static_files.random_case(rng) for _ in range(40)]
    return cases


FAST = _fast(random.Random(SEED))
KINDS = sorted({*SOURCE_KINDS, *FILE_KINDS})


@pytest.fixture(scope="module")
def fast_verdicts() -> list[Verdict]:
    return run_cases(FAST)


@pytest.fixture(scope="module")
def slow_verdicts() -> list[Verdict]:
    # Made here, not at collection: hundreds of trees, some of megabytes.
    return run_cases(_slow(random.Random(SEED + 1)))


@pytest.mark.parametrize("index", range(len(FAST)), ids=[c.name[:70] for c in FAST])
def test_fast(index: int, fast_verdicts: list[Verdict]) -> None:
    verdict = fast_verdicts[index]
    if verdict.skipped:
        pytest.skip("permissions do not bind this process (root that keeps CAP_DAC_OVERRIDE)")
    assert verdict.problem is None, verdict.problem


@pytest.mark.hostile_slow
@pytest.mark.parametrize("kind", KINDS)
def test_slow(kind: str, slow_verdicts: list[Verdict]) -> None:
    found = [v for v in slow_verdicts if v.case.kind == kind and not v.skipped]
    if not found:
        pytest.skip("permissions do not bind this process (root that keeps CAP_DAC_OVERRIDE)")
    problems = [v.problem for v in found if v.problem is not None]
    assert not problems, f"{len(problems)} of {len(found)} failed:\n" + "\n".join(problems)


_NAMES = st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b)


@given(st.lists(_NAMES, min_size=2, max_size=2, unique=True))
def test_every_file_name_is_spelt_as_valid_utf8_text_and_no_two_alike(names: list[bytes]) -> None:
    spelt = [printable(os.fsdecode(name)) for name in names]
    for text in spelt:
        text.encode("utf-8")  # raises on a lone surrogate: JSON, SARIF and HTML would break
    assert spelt[0] != spelt[1]


def test_a_name_spelt_like_the_escape_of_another_does_not_hide_it(tmp_path: Path) -> None:
    # Both were reported as ``bad\xff.py``: one of the two files was silently not scanned.
    for name in (b"bad\xff.py", b"bad\\xff.py"):
        (tmp_path / os.fsdecode(name)).write_text(VULNERABLE, encoding="utf-8")
    code, out, _ = _run("code", "--format", "json", "--no-cache", str(tmp_path))
    assert code == 1
    paths = {f["location"]["path"].rpartition("/")[2] for f in json.loads(out)["findings"]}
    assert paths == {"bad\\xff.py", "bad\\\\xff.py"}
