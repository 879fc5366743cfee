"""SARIF: valid against the OASIS schema, and shaped the way GitHub code scanning ingests it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlparse

import pytest

from dynaguard.model import Confidence, Finding, Report, Severity
from dynaguard.report import sarif


def rendered(report: Report) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif.render(report))
    return log


def assert_valid(validator: Any, log: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_full_report_is_valid_sarif(sarif_validator: Any, full_report: Report) -> None:
    assert_valid(sarif_validator, rendered(full_report))


def test_empty_report_is_valid_sarif_with_no_results(
    sarif_validator: Any, empty_report: Report
) -> None:
    log = rendered(empty_report)
    assert_valid(sarif_validator, log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []


@pytest.mark.parametrize("kind", ["static", "dynamic"])
def test_single_finding_reports_are_valid(
    sarif_validator: Any, kind: str, request: pytest.FixtureRequest
) -> None:
    finding: Finding = request.getfixturevalue(f"{kind}_finding")
    assert_valid(sarif_validator, rendered(Report(findings=(finding,))))


def test_the_schema_check_can_fail(sarif_validator: Any, full_report: Report) -> None:
    # Guards the validity tests against a validator that accepts anything.
    log = rendered(full_report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator.iter_errors(log))


def test_every_result_has_a_relative_physical_location(full_report: Report) -> None:
    # GitHub rejects the whole upload if one result lacks a physical artifact location.
    for result in rendered(full_report)["runs"][0]["results"]:
        assert len(result["locations"]) >= 1
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri
        assert not urlparse(uri).scheme
        assert not uri.startswith("/")


def test_dynamic_finding_is_located_on_its_endpoint(dynamic_finding: Finding) -> None:
    (result,) = rendered(Report(findings=(dynamic_finding,)))["runs"][0]["results"]
    (location,) = result["locations"]
    artifact = location["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == "endpoints/GET/users/%3Cuser_id%3E"
    assert location["logicalLocations"] == [
        {
            "name": "GET /users/<user_id>",
            "fullyQualifiedName": "GET /users/<user_id>",
            "kind": "resource",
        }
    ]
    assert "GET /users/<user_id>" in result["message"]["text"]
    assert [e["identity"] for e in result["properties"]["evidence"]] == ["alice", "bob"]
    assert result["properties"]["confidence"] == "confirmed"


def test_static_result_carries_flow_fingerprint_and_region(static_finding: Finding) -> None:
    log = rendered(Report(findings=(static_finding,)))
    (result,) = log["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "app/routes.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 18, "startColumn": 5}
    assert result["partialFingerprints"] == {"dynaguard/v1": static_finding.fingerprint}
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [
        "request.get_json()",
        "data",
        "Table.put_item(Item=...)",
    ]
    uris = [s["location"]["physicalLocation"]["artifactLocation"]["uri"] for s in steps]
    assert uris == ["app/handlers.py", "app/routes.py", "app/routes.py"]
    assert [r["id"] for r in result["relatedLocations"]] == [1, 2, 3]


def test_rule_index_points_at_the_result_rule(full_report: Report) -> None:
    run = rendered(full_report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["DG101", "DG201", "DG301"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_rule_descriptor_has_github_security_metadata(static_finding: Finding) -> None:
    (rule,) = rendered(Report(findings=(static_finding,)))["runs"][0]["tool"]["driver"]["rules"]
    assert rule["properties"] == {
        "tags": ["security", "external/cwe/cwe-915", "owasp-api-3"],
        "precision": "high",
        "security-severity": "8.0",
    }
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["helpUri"] == "https://github.com/dynaguard/dynaguard/blob/main/docs/rules/DG101.md"
    markdown = rule["help"]["markdown"]
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in markdown
    assert "table.put_item(Item=request.get_json())" in rule["help"]["text"]


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "note"),
        (Severity.INFO, "note"),
    ],
)
def test_result_level_follows_effective_severity(
    static_finding: Finding, severity: Severity, level: str
) -> None:
    finding = replace(static_finding, severity=severity)
    (result,) = rendered(Report(findings=(finding,)))["runs"][0]["results"]
    assert result["level"] == level


def test_every_severity_and_confidence_has_a_mapping() -> None:
    assert set(sarif.LEVELS) == set(Severity)
    assert set(sarif.SECURITY_SEVERITY) == set(Severity)
    assert all(0.0 <= float(v) <= 10.0 for v in sarif.SECURITY_SEVERITY.values())
    assert set(sarif.PRECISION) == set(Confidence)


def test_srcroot_uri_only_for_absolute_targets(empty_report: Report) -> None:
    absolute = rendered(empty_report)["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]
    assert absolute["uri"] == "file:///srv/shop/"
    relative = rendered(replace(empty_report, target="."))["runs"][0]["originalUriBaseIds"]
    assert "uri" not in relative["%SRCROOT%"]


def test_warnings_become_tool_notifications(full_report: Report) -> None:
    (invocation,) = rendered(full_report)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert texts == [
        "app/legacy.py:3: could not parse: invalid syntax",
        "probe skipped: no second identity configured",
    ]
