"""Reading reports back: what the JSON and SARIF formatters write reads back as the findings."""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType

import pytest

from dynaguard.history import reading
from dynaguard.model import Finding, Report, Suppression, SuppressionKind
from dynaguard.report import json as json_report
from dynaguard.report import sarif
from dynaguard.report.correlate import join
from tests.serve.reports import dynamic, static


def _findings() -> tuple[Finding, ...]:
    code = static("DG101", "app/users.py", "create_user", "table.put_item(Item=body)")
    proof = dynamic("DG101", "POST", "/create_user")
    other = dynamic("DG801", "GET", "/users/{id}")
    return (code, other, join(code, proof))


@pytest.mark.parametrize("writer", [json_report, sarif], ids=["json", "sarif"])
def test_what_was_written_reads_back_and_writes_the_same(writer: ModuleType) -> None:
    # Read back, rendered again: the same text, so nothing a format holds is lost on the way.
    report = Report(findings=_findings(), target="app", tool_version="0.1.0")
    text = writer.render(report)
    read = reading.read_report(text)
    assert writer.render(replace(read, target="app")) == text
    assert read.target == "app"


def test_suppressed_sarif_results_are_not_read() -> None:
    code, other, _ = _findings()
    why = Suppression(SuppressionKind.IN_SOURCE, "# dynaguard: ignore[DG101]")
    log = sarif.render(Report(findings=(other,), hidden=(replace(code, suppression=why),)))
    assert [f.fingerprint for f in reading.read_report(log).findings] == [other.fingerprint]


def test_the_sarif_constants_are_the_writers() -> None:
    assert reading.FINGERPRINT_KEY == sarif.FINGERPRINT_KEY
    assert reading.ENDPOINT_URI_PREFIX == sarif.ENDPOINT_URI_PREFIX
    assert reading.SARIF_VERSION == sarif.SARIF_VERSION


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[]", "expected a JSON object"),
        ('{"version": 1, "tool": {}}', "missing key 'findings'"),
        ('{"version": 1, "tool": {}, "findings": [3]}', r"\$\.findings\[0\]: expected an object"),
        ('{"version": "2.1.0", "runs": [{}, {}]}', "exactly one run"),
    ],
)
def test_errors_name_the_json_path(text: str, where: str) -> None:
    with pytest.raises(reading.ReportError, match=where):
        reading.read_report(text)
