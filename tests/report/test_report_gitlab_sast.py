"""GitLab SAST report: every field schema version 15 requires, with the values it allows.

GitLab's schema (security-report-schemas, dist/sast-report-format.json) is not vendored here,
so each of its requirements is a test: the top-level keys, the scan object, and each
vulnerability's id, identifiers and location.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest

from dynaguard.model import Finding, Report, ScanWarning
from dynaguard.report import gitlab_sast

TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
SEVERITIES = {"Info", "Unknown", "Low", "Medium", "High", "Critical"}


def _document(report: Report) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(gitlab_sast.render(report))
    return loaded


@pytest.fixture
def document(full_report: Report) -> dict[str, Any]:
    timed = replace(
        full_report,
        started_at="2026-01-02T03:04:05",
        finished_at="2026-01-02T03:04:09",
        warnings=(ScanWarning("could not parse", "a.py", 3),),
    )
    return _document(timed)


def test_top_level_required_fields(document: dict[str, Any]) -> None:
    assert {"version", "vulnerabilities", "scan"} <= set(document)
    assert re.match(r"^[0-9]+\.[0-9]+\.[0-9]+$", document["version"])
    assert document["version"] == "15.0.7" and document["schema"].endswith(
        "/v15.0.7/dist/sast-report-format.json"
    )


def test_scan_required_fields(document: dict[str, Any]) -> None:
    scan = document["scan"]
    assert {"analyzer", "scanner", "type", "status", "start_time", "end_time"} <= set(scan)
    for tool in (scan["analyzer"], scan["scanner"]):
        assert {"id", "name", "version", "vendor"} <= set(tool)
        assert all(isinstance(tool[k], str) and tool[k] for k in ("id", "name", "version"))
        assert tool["vendor"]["name"] == "dynaguard"
    assert scan["type"] == "sast" and scan["status"] in {"success", "failure"}
    assert (scan["start_time"], scan["end_time"]) == ("2026-01-02T03:04:05", "2026-01-02T03:04:09")
    assert scan["messages"] == [{"level": "warn", "value": "a.py:3: could not parse"}]


def test_every_vulnerability_has_the_required_fields(
    document: dict[str, Any], full_report: Report
) -> None:
    vulnerabilities = document["vulnerabilities"]
    assert len(vulnerabilities) == len(full_report.findings)
    ids = [v["id"] for v in vulnerabilities]
    assert len(set(ids)) == len(ids) and all(ids)
    for vulnerability in vulnerabilities:
        assert {"id", "identifiers", "location"} <= set(vulnerability)
        assert vulnerability["severity"] in SEVERITIES
        assert 0 < len(vulnerability["name"]) <= 255
        identifiers = vulnerability["identifiers"]
        assert identifiers
        for identifier in identifiers:
            assert all(
                isinstance(identifier[k], str) and identifier[k] for k in ("type", "name", "value")
            )
        assert identifiers[0]["type"] == "dynaguard_rule_id"
        location = vulnerability["location"]
        assert location["file"] and location["start_line"] >= 1


def test_cwe_identifiers_and_static_locations(static_finding: Finding) -> None:
    (vulnerability,) = _document(Report(findings=(static_finding,)))["vulnerabilities"]
    cwe = [i for i in vulnerability["identifiers"] if i["type"] == "cwe"]
    assert [(i["name"], i["value"]) for i in cwe] == [("CWE-915", "915")]
    assert static_finding.location is not None
    assert vulnerability["location"] == {
        "file": static_finding.location.path,
        "start_line": static_finding.location.line,
        "end_line": static_finding.location.line,
        "method": static_finding.location.function,
    }
    assert vulnerability["severity"] == "High"


def test_a_dynamic_finding_points_at_its_endpoint(dynamic_finding: Finding) -> None:
    (vulnerability,) = _document(Report(findings=(dynamic_finding,)))["vulnerabilities"]
    assert vulnerability["location"]["file"].startswith("endpoints/")


def test_ids_are_stable_and_unique_when_fingerprints_repeat(static_finding: Finding) -> None:
    twice = Report(findings=(static_finding, replace(static_finding, message="again")))
    first = [v["id"] for v in _document(twice)["vulnerabilities"]]
    assert len(set(first)) == 2
    assert first == [v["id"] for v in _document(twice)["vulnerabilities"]]


def test_a_report_without_times_still_has_valid_ones(static_finding: Finding) -> None:
    scan = _document(Report(findings=(static_finding,)))["scan"]
    assert TIME.match(scan["start_time"]) and TIME.match(scan["end_time"])
