"""``--format gitlab-sast``: GitLab's SAST security report (``artifacts: reports: sast``).

Schema version 15 of gitlab-org/security-products/security-report-schemas
(``dist/sast-report-format.json``). What it requires, and this module always writes: ``version``,
``vulnerabilities`` and ``scan`` at the top; in ``scan``, ``analyzer`` and ``scanner`` (each with
``id``, ``name``, ``version`` and ``vendor.name``), ``type`` ``sast``, ``status``,
``start_time`` and ``end_time`` (``YYYY-MM-DDTHH:MM:SS``); in each vulnerability, ``id``,
``identifiers`` (at least one, each with ``type``, ``name`` and ``value``) and ``location``.

Like every format but SARIF, it lists the gated findings only (GitLab has no suppressed state).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from dynaguard.model import Finding, Report, Severity
from dynaguard.report._common import INFORMATION_URI, docs_url, ordered, warning_label
from dynaguard.report.sarif import ENDPOINT_URI_PREFIX

SCHEMA_VERSION = "15.0.7"
SCHEMA_URL = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/sast-report-format.json"
)
NO_TIME = "1970-01-01T00:00:00"
"""For a report that carries no time (the schema requires one; GitLab only displays it)."""
_NAMESPACE = uuid.UUID("6f1c1d0e-7c5a-4b53-9a52-3d1d2a9e5f10")
"""Vulnerability ids are UUIDs derived from fingerprints, so GitLab tracks a finding across
pipelines."""
_SEVERITY = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}

JsonObject = dict[str, Any]


def render(report: Report) -> str:
    """The report as one GitLab SAST report object."""
    document = {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": _scan(report),
        "vulnerabilities": _vulnerabilities(report),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _scan(report: Report) -> JsonObject:
    tool = {
        "id": "dynaguard",
        "name": "dynaguard",
        "url": INFORMATION_URI,
        "version": report.tool_version,
        "vendor": {"name": "dynaguard"},
    }
    return {
        "analyzer": tool,
        "scanner": tool,
        "type": "sast",
        "status": "success",
        "start_time": report.started_at or NO_TIME,
        "end_time": report.finished_at or report.started_at or NO_TIME,
        "messages": [{"level": "warn", "value": warning_label(w)} for w in report.warnings],
    }


def _vulnerabilities(report: Report) -> list[JsonObject]:
    seen: dict[str, int] = {}
    out = []
    for finding in ordered(report.findings):
        # Two findings never share an id, even if an engine gave them one fingerprint.
        count = seen.get(finding.fingerprint, 0)
        seen[finding.fingerprint] = count + 1
        key = finding.fingerprint if not count else f"{finding.fingerprint}#{count}"
        out.append(_vulnerability(finding, str(uuid.uuid5(_NAMESPACE, key))))
    return out


def _vulnerability(finding: Finding, identity: str) -> JsonObject:
    rule = finding.rule
    return {
        "id": identity,
        "name": rule.title[:255],
        "description": finding.message,
        "severity": _SEVERITY[finding.effective_severity],
        "solution": rule.hint,
        "identifiers": _identifiers(finding),
        "links": [{"name": f"{rule.id} documentation", "url": docs_url(rule)}],
        "location": _location(finding),
    }


def _identifiers(finding: Finding) -> list[JsonObject]:
    rule = finding.rule
    own = {
        "type": "dynaguard_rule_id",
        "name": f"dynaguard {rule.id}",
        "value": rule.id,
        "url": docs_url(rule),
    }
    cwes = [
        {
            "type": "cwe",
            "name": f"CWE-{number}",
            "value": str(number),
            "url": f"https://cwe.mitre.org/data/definitions/{number}.html",
        }
        for number in rule.cwe
    ]
    return [own, *cwes]


def _location(finding: Finding) -> JsonObject:
    where = finding.location
    if where is None:
        endpoint = finding.endpoint
        name = f"{endpoint.method}{endpoint.path}" if endpoint else "unknown"
        return {"file": ENDPOINT_URI_PREFIX + name.lstrip("/"), "start_line": 1}
    location: JsonObject = {"file": where.path, "start_line": where.line, "end_line": where.line}
    if where.function:
        location["method"] = where.function
    return location
