"""JSON: the versioned contract of DESIGN.md, field by field."""

from __future__ import annotations

import json
from typing import Any

from dynaguard.model import Finding, Report
from dynaguard.report import json as json_format

CONTRACT_FINDING_KEYS = [
    "rule",
    "title",
    "severity",
    "confidence",
    "engine",
    "cwe",
    "owasp",
    "message",
    "location",
    "endpoint",
    "evidence",
    "remediation",
    "fingerprint",
]


def rendered(report: Report) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json_format.render(report))
    return document


def test_top_level_contract(full_report: Report) -> None:
    document = rendered(full_report)
    assert list(document)[:3] == ["version", "tool", "findings"]
    assert document["version"] == 1
    assert document["tool"] == {"name": "dynaguard", "version": "0.1.0"}


def test_finding_keys_start_with_the_contract_in_order(full_report: Report) -> None:
    for finding in rendered(full_report)["findings"]:
        assert list(finding)[: len(CONTRACT_FINDING_KEYS)] == CONTRACT_FINDING_KEYS
        assert set(finding) - set(CONTRACT_FINDING_KEYS) == {"flow", "persona", "docs"}


def test_static_finding_fields(static_finding: Finding) -> None:
    (finding,) = rendered(Report(findings=(static_finding,)))["findings"]
    assert finding["rule"] == "DG101"
    assert finding["title"] == "Request body written as a DynamoDB item"
    assert (finding["severity"], finding["confidence"], finding["engine"]) == (
        "high",
        "high",
        "static",
    )
    assert finding["cwe"] == ["CWE-915"]
    assert finding["owasp"] == ["API3:2023"]
    assert finding["location"] == {
        "path": "app/routes.py",
        "line": 18,
        "column": 5,
        "function": "create_user",
        "snippet": "table.put_item(Item=data)",
    }
    assert finding["endpoint"] == {"method": "POST", "path": "/users"}
    assert finding["evidence"] == []
    assert finding["remediation"].startswith("Build the item from an allowlist")
    assert finding["remediation"].endswith("See docs/rules/DG101.md.")
    assert finding["fingerprint"] == static_finding.fingerprint
    assert [(s["path"], s["line"], s["note"]) for s in finding["flow"]] == [
        ("app/handlers.py", 12, "request.get_json()"),
        ("app/routes.py", 14, "data"),
        ("app/routes.py", 18, "Table.put_item(Item=...)"),
    ]


def test_dynamic_finding_uses_effective_values_and_carries_evidence(
    dynamic_finding: Finding,
) -> None:
    (finding,) = rendered(Report(findings=(dynamic_finding,)))["findings"]
    assert finding["severity"] == "critical"  # the occurrence's override, not the rule's high
    assert finding["confidence"] == "confirmed"  # dynamic findings are proven
    assert finding["persona"] == "regular"
    assert finding["location"] is None
    first = finding["evidence"][0]
    assert list(first) == [
        "method",
        "url",
        "request_headers",
        "request_body",
        "status",
        "response_body",
        "identity",
        "note",
        "curl",
    ]
    assert first["request_headers"] == [["Authorization", "Bearer <alice-token>"]]
    assert first["status"] == 200


def test_findings_follow_sort_key_order(full_report: Report) -> None:
    rules = [f["rule"] for f in rendered(full_report)["findings"]]
    expected = [f.rule.id for f in sorted(full_report.findings, key=Finding.sort_key)]
    assert rules == expected


def test_summary_and_warnings(full_report: Report) -> None:
    document = rendered(full_report)
    assert document["summary"] == {
        "total": 3,
        "by_severity": {"critical": 1, "high": 1, "medium": 1, "low": 0, "info": 0},
        "by_rule": {"DG101": 1, "DG201": 1, "DG301": 1},
        "files_scanned": 4,
        "suppressed": 1,
        "baselined": 2,
        "target": "/srv/shop",
    }
    assert document["warnings"][0] == {
        "message": "could not parse: invalid syntax",
        "path": "app/legacy.py",
        "line": 3,
    }
    assert document["extra"] == {"grade": "F"}
