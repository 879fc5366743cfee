"""Each rule's documented example raises exactly that rule; its fix raises nothing."""

from __future__ import annotations

import pytest

from dynaguard.catalogue import CATALOGUE
from dynaguard.catalogue.prelude import with_prelude
from dynaguard.model import Rule
from dynaguard.static import analyse_source
from dynaguard.static.rules import CHECKS

STATIC_RULES = [r for r in CATALOGUE if r.id in CHECKS]


@pytest.mark.parametrize("rule", STATIC_RULES, ids=lambda r: r.id)
def test_example_raises_exactly_its_rule(rule: Rule) -> None:
    found = analyse_source(with_prelude(rule.doc.example))
    assert [f.rule.id for f in found] == [rule.id]


@pytest.mark.parametrize("rule", STATIC_RULES, ids=lambda r: r.id)
def test_fix_raises_nothing(rule: Rule) -> None:
    assert analyse_source(with_prelude(rule.doc.fix)) == ()


def test_every_static_check_belongs_to_a_catalogue_rule() -> None:
    assert set(CHECKS.keys()) <= {r.id for r in CATALOGUE}
    assert {"DG101", "DG102", "DG103", "DG701", "DG702"} <= set(CHECKS.keys())
