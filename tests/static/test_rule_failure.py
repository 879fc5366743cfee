"""A rule that raises on some code does not end the scan: the others still report, and a warning
names the rule whose findings may be missing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from dynaguard.static.rules import CHECKS
from dynaguard.static.rules.base import Found, RuleCheck
from tests.static.conftest import Project

SOURCE = """
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("notes")


@app.put("/notes/<note_id>")
def replace_note(note_id):
    table.put_item(Item={**request.get_json(), "note_id": note_id})
    return {}, 201
"""


def _raises(*_: object) -> Iterator[Found]:
    raise AttributeError("a bug in the rule")


@pytest.mark.parametrize("rule", ["DG101", "DG203"])  # a per-event check, a whole-run check
def test_a_failing_rule_is_a_warning_and_the_others_still_report(
    project: Project, monkeypatch: pytest.MonkeyPatch, rule: str
) -> None:
    before = {f.rule.id for f in project({"app.py": SOURCE}).findings}
    assert {"DG101", "DG203"} <= before
    broken: RuleCheck = CHECKS[rule]
    field = "run" if broken.per_event else "whole"
    monkeypatch.setitem(CHECKS._entries, rule, dataclasses.replace(broken, **{field: _raises}))  # type: ignore[attr-defined]
    analysis = project({"app.py": SOURCE})
    assert {f.rule.id for f in analysis.findings} == before - {rule}
    [warning] = [w for w in analysis.warnings if rule in w.message]
    assert "internal error (AttributeError)" in warning.message
