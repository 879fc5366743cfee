"""The catalogue rules this engine introduced: complete, CWE/OWASP as in DESIGN.md, runnable docs."""

from __future__ import annotations

import ast

import pytest

from dynaguard.catalogue import CATALOGUE
from dynaguard.catalogue.prelude import with_prelude
from dynaguard.model import Rule

OURS = [r for r in CATALOGUE if r.id[2] in "2348"]


def test_the_dynamic_rules_are_catalogued() -> None:
    assert [r.id for r in OURS] == [
        "DG201",
        "DG202",
        "DG203",
        "DG301",
        "DG302",
        "DG401",
        "DG402",
        "DG403",
        "DG404",
        "DG801",
    ]


@pytest.mark.parametrize("rule", OURS, ids=lambda r: r.id)
def test_examples_are_complete_modules_with_the_prelude(rule: Rule) -> None:
    for code in (rule.doc.example, rule.doc.fix):
        tree = ast.parse(with_prelude(code))
        routes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.decorator_list]
        assert routes, f"{rule.id}: the example and the fix are Flask routes"
        compile(tree, rule.id, "exec")


@pytest.mark.parametrize("rule", OURS, ids=lambda r: r.id)
def test_docs_are_complete(rule: Rule) -> None:
    doc = rule.doc
    assert "dynaguard scan" in doc.what, "say how the scanner proves it"
    assert doc.why and doc.references and rule.hint.endswith(".")
    assert doc.example != doc.fix
