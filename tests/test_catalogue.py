"""The catalogue as a whole: ids as in DESIGN.md, complete docs, fixtures both ways, fresh pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dynaguard.catalogue import CATALOGUE
from dynaguard.docgen import rule_page
from dynaguard.model import Rule

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT.parent / "shared" / "DESIGN.md"
RULES = list(CATALOGUE)


def _design_table() -> dict[str, tuple[set[int], set[str]]]:
    """id -> (CWE numbers, OWASP ids) from the catalogue table in ../shared/DESIGN.md."""
    table: dict[str, tuple[set[int], set[str]]] = {}
    for line in DESIGN.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"DG\d{3}", cells[0]):
            cwes = {int(n) for n in re.findall(r"\d+", cells[2])}
            owasp = {f"{m}:2023" for m in re.findall(r"API\d+", cells[3])}
            table[cells[0]] = (cwes, owasp)
    return table


def test_design_table_is_readable() -> None:
    assert len(_design_table()) >= 19


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_matches_design(rule: Rule) -> None:
    design = _design_table()
    assert rule.id in design, f"{rule.id} is not in DESIGN.md: new ids go there first"
    cwes, owasp = design[rule.id]
    assert set(rule.cwe) == cwes
    assert set(rule.owasp) == owasp


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata_is_complete(rule: Rule) -> None:
    assert re.fullmatch(r"DG[1-9]\d{2}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.title and rule.hint and rule.cwe
    doc = rule.doc
    for section in (doc.what, doc.why, doc.example, doc.fix):
        assert section.strip(), f"{rule.id} has an empty doc section"
    assert doc.references, f"{rule.id} has no references"


def test_names_are_unique() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


def _twin_marks() -> set[str]:
    """Rule ids seeded (``# expect:``) in the vulnerable twin."""
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "src" / "dynaguard" / "demo").rglob("*.py")
        if "secure" not in p.parts
    )
    return {
        rule
        for mark in re.findall(r"#\s*expect:([^\n]*)", text)
        for rule in re.findall(r"DG\d{3}", mark)
    }


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_true_and_false_fixtures(rule: Rule) -> None:
    """Each engine that implements a rule has true and false cases for it."""
    from dynaguard.dynamic import PROBES
    from dynaguard.static import implemented_rules
    from tests.static.fixtures import fixture_cases

    static = rule in implemented_rules()
    dynamic = any(rule.id in probe.proves for probe in PROBES)
    assert static or dynamic, f"{rule.id} is in the catalogue but no engine implements it"
    if static:
        expected, ok = fixture_cases(rule.id)
        assert expected >= 4, f"{rule.id} needs at least 4 '# expect: {rule.id}' fixture lines"
        assert ok >= 4, f"{rule.id} needs at least 4 '# ok: {rule.id}' fixture lines"
    if dynamic:
        # The vulnerable twin is the probe's true case; the secure twin, which the acceptance
        # tests require to be clean, is its false case.
        assert rule.id in _twin_marks(), f"{rule.id} has a probe but no seeded twin weakness"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_generated_page_is_up_to_date(rule: Rule) -> None:
    page = ROOT / rule.docs_path
    assert page.exists(), f"run `make docs` to generate {rule.docs_path}"
    assert page.read_text(encoding="utf-8") == rule_page(rule), f"run `make docs`: {page} is stale"


def test_readme_rules_table_is_up_to_date() -> None:
    from dynaguard.docgen import with_rules_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == with_rules_table(readme), "run `make docs`: the README's rule table is stale"
