"""Coverage: a scan says what it recognised, and says so loudly when it recognised nothing.

And DynamoDB calls on handles dynaguard cannot follow are still recognised by their shape, with
medium confidence (DESIGN.md: "known first, then shape").
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dynaguard.catalogue import CATALOGUE
from dynaguard.cli import main
from dynaguard.model import Confidence, Coverage, Report
from dynaguard.report import json as json_report
from dynaguard.report import text as text_report
from dynaguard.static import analyse, analyse_source

SHAPED = """
from flask import Flask, request

app = Flask(__name__)


def store(table, data):
    # A table handed in by a caller dynaguard cannot see: recognised by the call's shape.
    table.put_item(Item=data)


@app.post("/things")
def create_thing():
    store(app.config["THINGS"], request.get_json())
    return {"ok": True}
"""


def _analyse(tmp_path: Path, source: str, name: str = "app.py") -> Coverage:
    (tmp_path / name).write_text(source, encoding="utf-8")
    return analyse([tmp_path], root=tmp_path, rules=list(CATALOGUE)).coverage


def test_a_call_recognised_by_shape_is_reported_with_medium_confidence() -> None:
    found = [f for f in analyse_source(SHAPED) if f.rule.id == "DG101"]
    assert len(found) == 1
    assert found[0].effective_confidence == Confidence.MEDIUM
    assert found[0].location is not None and found[0].location.line == 9


def test_a_method_with_a_dynamodb_name_but_not_its_shape_is_not_a_dynamodb_call() -> None:
    source = SHAPED.replace("table.put_item(Item=data)", "table.put_item(data)")
    assert [f for f in analyse_source(source) if f.rule.id == "DG101"] == []


def test_coverage_counts_routes_and_calls_by_how_they_were_recognised(tmp_path: Path) -> None:
    source = SHAPED + (
        "\n\nimport boto3\nusers = boto3.resource('dynamodb').Table('users')\n\n\n"
        "@app.get('/users/<user_id>')\ndef get_user(user_id):\n"
        "    return users.get_item(Key={'user_id': user_id}).get('Item')\n\n\n"
        "@app.get('/health')\ndef health():\n    return 'ok'\n\n\n"
        "def unknown(db, data):\n    db.put_item(data)\n"
    )
    coverage = _analyse(tmp_path, source)
    assert coverage == Coverage(
        routes=3,
        routes_reaching_dynamodb=2,
        by_provenance=1,
        by_shape=1,
        by_model=0,
        unrecognised=1,
        blind_routes=("GET /health",),
    )


BLIND = """
from flask import Flask, request
from company.storage import save_record

app = Flask(__name__)


@app.post("/records")
def create_record():
    save_record(request.get_json())
    return {"ok": True}
"""


def test_a_project_with_routes_and_no_recognised_access_is_blind(tmp_path: Path) -> None:
    coverage = _analyse(tmp_path, BLIND)
    assert coverage.blind and coverage.routes == 1 and coverage.calls == 0
    text = text_report.render(Report(findings=(), coverage=coverage))
    assert "recognised no DynamoDB access" in text
    assert "[tool.dynaguard.models]" in text
    document = json.loads(json_report.render(Report(findings=(), coverage=coverage)))
    assert document["version"] == 1
    assert document["coverage"]["blind"] is True
    assert document["coverage"]["routes_without_dynamodb"] == ["POST /records"]


def test_a_project_that_is_not_blind_does_not_say_so(tmp_path: Path) -> None:
    coverage = _analyse(tmp_path, SHAPED)
    assert not coverage.blind
    text = text_report.render(Report(findings=(), coverage=coverage))
    assert "recognised no DynamoDB access" not in text
    assert "coverage: 1 route (1 reach DynamoDB)" in text


def test_the_cli_prints_coverage_in_text_and_json(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BLIND, encoding="utf-8")
    runner = CliRunner()
    text = runner.invoke(main, ["code", str(tmp_path), "--fail-on", "none"])
    assert text.exit_code == 0, text.output
    assert "recognised no DynamoDB access" in text.output
    out = runner.invoke(main, ["code", str(tmp_path), "--format", "json", "--fail-on", "none"])
    assert json.loads(out.output)["coverage"]["routes"] == 1
