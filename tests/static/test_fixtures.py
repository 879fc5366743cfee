"""Each rule's fixtures: the findings are exactly the ``# expect:`` marks, file by file."""

from __future__ import annotations

import pytest

from dynaguard.catalogue import CATALOGUE
from dynaguard.static import analyse
from tests.static.fixtures import FIXTURES, fixture_cases, marks, rule_dirs


@pytest.mark.parametrize("rule_dir", rule_dirs())
def test_findings_are_exactly_the_expect_marks(rule_dir: str) -> None:
    root = FIXTURES / rule_dir
    analysis = analyse([root], root=root, rules=list(CATALOGUE))
    found = {(f.location.path, f.location.line, f.rule.id) for f in analysis.findings if f.location}
    expected = marks(rule_dir, "expect")
    assert sorted(found - expected) == [], "findings without an expect mark (false positives)"
    assert sorted(expected - found) == [], "expect marks without a finding (false negatives)"
    assert analysis.warnings == ()


@pytest.mark.parametrize("rule_dir", rule_dirs())
def test_every_rule_has_enough_true_and_false_cases(rule_dir: str) -> None:
    true_cases, false_cases = fixture_cases(rule_dir)
    assert true_cases >= 4
    assert false_cases >= 4


def test_ok_marks_never_coincide_with_findings_of_their_rule() -> None:
    for rule_dir in rule_dirs():
        clash = marks(rule_dir, "ok") & marks(rule_dir, "expect")
        assert clash == set(), rule_dir


def test_fixture_cases_of_an_unknown_rule_is_zero() -> None:
    assert fixture_cases("DG999") == (0, 0)
