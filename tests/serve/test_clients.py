"""The clients against a real ``dynaguard serve``: ``push``, ``code --upload`` and the gate that
respects the server's triage (``code --server``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dynaguard.cli import main
from tests.serve.live import Live, live_server
from tests.serve.reports import as_json, static

APP = """\
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("users")


@app.post("/users")
def create_user():
    table.put_item(Item=request.get_json())
    return {}, 201
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("serve")) as server:
        yield server


def _run(*args: str, token: str | None) -> tuple[int, str]:
    env = {"DYNAGUARD_TOKEN": token} if token else {}
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_push_uploads_once(live: Live, tmp_path: Path) -> None:
    token = live.new_project("pushed")
    report = tmp_path / "report.json"
    report.write_text(as_json(static("DG101", "a.py", "f", "put_item(Item=b)")), encoding="utf-8")
    push = ("push", str(report), "--server", live.url, "--project", "pushed")
    code, out = _run(*push, token=token)
    assert code == 0, out
    assert "stored" in out and "1 new" in out
    code, out = _run(*push, token=token)
    assert (code, "already stored" in out) == (0, True)
    assert _run(*push, token="dgu_not-a-token")[0] == 3
    assert _run(*push, token=None)[0] == 2


def test_push_names_what_is_wrong_with_a_bad_report(live: Live, tmp_path: Path) -> None:
    token = live.new_project("bad")
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"version": 9, "tool": {}, "findings": []}), encoding="utf-8")
    code, out = _run("push", str(report), "--server", live.url, "--project", "bad", token=token)
    assert code == 3
    assert "400" in out and "version 9 is not supported" in out


def test_code_uploads_and_its_gate_respects_triage(live: Live, tmp_path: Path) -> None:
    token = live.new_project("app")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    target = str(tmp_path / "app.py")
    common = ("--project", "app", "--format", "json", "--no-cache")
    code, out = _run("code", target, "--upload", live.url, *common, token=token)
    assert code == 1, out  # a high finding, nothing triaged
    findings = live.admin.get("/api/v1/projects/app/findings").json()["findings"]
    assert findings, "the upload stored the findings"
    for finding in findings:
        answer = live.admin.post(
            f"/api/v1/projects/app/findings/{finding['id']}/triage",
            json={"kind": "accepted_risk", "reason": "internal tool"},
            headers={"X-CSRF-Token": live.csrf()},
        )
        assert answer.status_code == 201
    code, out = _run("code", target, "--server", live.url, *common, token=token)
    assert code == 0, out
    assert f"{len(findings)} finding(s) triaged" in out
    # In SARIF the triaged findings stay, suppressed with the triage's reason (GitHub keeps
    # their alerts closed instead of closing and reopening them).
    sarif_out = tmp_path / "app.sarif"
    sarif_args = ("--project", "app", "--format", "sarif", "--no-cache", "-o", str(sarif_out))
    code, out = _run("code", target, "--server", live.url, *sarif_args, token=token)
    assert code == 0, out
    results = json.loads(sarif_out.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert len(results) == len(findings)
    for result in results:
        [suppression] = result["suppressions"]
        assert suppression["kind"] == "external"
        assert "internal tool" in suppression["justification"]
