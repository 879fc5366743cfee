"""Each rule's documented example raises exactly that rule; its fix raises nothing.

Both are judged by what ``dynaguard code`` shows by default (the regular persona): a pedantic
finding, such as DG301 on a raw string written as sent, is opt-in noise and does not make a
documented fix wrong.
"""

from __future__ import annotations

import pytest

from dynaguard.catalogue import CATALOGUE
from dynaguard.catalogue.prelude import with_prelude
from dynaguard.model import DocVariant, Persona, Rule
from dynaguard.static import analyse_source
from dynaguard.static.rules import CHECKS

STATIC_RULES = [r for r in CATALOGUE if r.id in CHECKS]


def _shown(source: str) -> list[str]:
    found = analyse_source(with_prelude(source))
    return [f.rule.id for f in found if f.effective_persona <= Persona.REGULAR]


@pytest.mark.parametrize("rule", STATIC_RULES, ids=lambda r: r.id)
def test_example_raises_exactly_its_rule(rule: Rule) -> None:
    assert _shown(rule.doc.example) == [rule.id]


@pytest.mark.parametrize("rule", STATIC_RULES, ids=lambda r: r.id)
def test_fix_raises_nothing(rule: Rule) -> None:
    assert _shown(rule.doc.fix) == []


def test_every_static_check_belongs_to_a_catalogue_rule() -> None:
    assert set(CHECKS.keys()) <= {r.id for r in CATALOGUE}
    assert {"DG101", "DG102", "DG103", "DG701", "DG702"} <= set(CHECKS.keys())


VARIANTS = [(r, v) for r in STATIC_RULES for v in r.doc.variants]


@pytest.mark.parametrize(("rule", "variant"), VARIANTS, ids=lambda x: getattr(x, "id", ""))
def test_each_framework_variant_raises_its_rule_and_its_fix_nothing(
    rule: Rule, variant: DocVariant
) -> None:
    assert _shown(variant.example) == [rule.id], variant.framework
    assert _shown(variant.fix) == [], variant.framework


def test_chalice_and_lambda_forms_are_documented_where_they_differ() -> None:
    frameworks = {(r.id, v.framework) for r, v in VARIANTS}
    assert {("DG101", "AWS Chalice"), ("DG101", "an AWS Lambda handler"), ("DG201", "AWS Chalice"),
            ("DG201", "an AWS Lambda handler"), ("DG203", "AWS Chalice"), ("DG302", "AWS Chalice"),
            ("DG601", "AWS Chalice")} <= frameworks  # fmt: skip
