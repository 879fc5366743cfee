"""`dynaguard scan --source`: proofs joined with the code that explains them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dynaguard.cli import main
from dynaguard.demo import RunningApp, create_app, issue_token, serve
from dynaguard.lab import Lab

SRC = Path(__file__).resolve().parents[2] / "src"
SECRET = "test-secret-for-the-scan-source-test-0123456789"


@pytest.fixture(scope="module")
def vulnerable() -> Iterator[RunningApp]:
    with Lab(embedded=True) as lab:
        app = create_app(
            "vulnerable",
            dynamodb=lab.resource(),
            client=lab.client(),
            table_prefix="scan_source_",
            jwt_secret=SECRET,
        )
        with serve(app) as running:
            yield running


def _identity(name: str, role: str) -> str:
    return f"{name}:{role}:Authorization=Bearer {issue_token(SECRET, name)}"


def test_scan_with_source_confirms_static_findings(
    vulnerable: RunningApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(SRC)  # so that locations read dynaguard/demo/...
    args = ["scan", vulnerable.url, "--active", "--probe", "mass-assignment", "--format", "json"]
    args += ["--identity", _identity("alice", "user"), "--identity", _identity("bob", "user")]
    args += ["--progress", "none", "--source", "dynaguard/demo", "--fail-on", "none"]
    # With no spec, --source would derive one from the code (tests/dynamic/test_scan_from_code).
    args += ["--spec", f"{vulnerable.url}/openapi.json"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    joined = [f for f in findings if f["engine"] == "dynamic" and f["location"]]
    assert {f["rule"] for f in joined} >= {"DG101", "DG102"}
    assert all(f["message"].startswith("confirmed: dynaguard/demo/") for f in joined)
    assert all(f["evidence"] for f in joined)
    # Code-only findings (no probe ran for them) stay static, "potential".
    assert any(f["engine"] == "static" for f in findings)
