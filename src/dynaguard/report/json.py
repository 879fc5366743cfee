"""``--format json``: the versioned machine-readable contract of ../shared/DESIGN.md.

Fields beyond the contract (allowed: fields may be added, never renamed or removed without
bumping ``version``): per finding ``flow``, ``persona``, ``docs`` and ``location.snippet``;
top level ``summary``, ``warnings``, ``extra`` and ``coverage`` (static scans; ``null``
otherwise). ``location`` and ``endpoint`` are always
present and ``null`` when unknown, so consumers see one stable set of keys.
"""

from __future__ import annotations

import json
from typing import Any

from dynaguard.model import (
    Coverage,
    Endpoint,
    Exchange,
    Finding,
    FlowStep,
    Location,
    Report,
    Rule,
    ScanWarning,
)
from dynaguard.report._common import (
    docs_url,
    ordered,
    remediation,
    rule_counts,
    severity_counts,
)

CONTRACT_VERSION = 1
"""Bumped only when a field is renamed or removed."""

JsonObject = dict[str, Any]


def render(report: Report) -> str:
    """The report as one JSON object (key order fixed, findings in report order)."""
    document: JsonObject = {
        "version": CONTRACT_VERSION,
        "tool": {"name": "dynaguard", "version": report.tool_version},
        "findings": [finding_dict(f) for f in ordered(report.findings)],
        "summary": summary_dict(report),
        "warnings": [warning_dict(w) for w in report.warnings],
        "extra": dict(sorted(report.extra.items())),
        "coverage": coverage_dict(report.coverage) if report.coverage else None,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def rule_fields(rule: Rule) -> JsonObject:
    """What a finding's rule alone decides: the same for every finding of the rule."""
    return {
        "title": rule.title,
        "cwe": [f"CWE-{number}" for number in rule.cwe],
        "owasp": list(rule.owasp),
        "remediation": remediation(rule),
        "docs": docs_url(rule),
    }


def finding_dict(finding: Finding) -> JsonObject:
    """One finding, contract fields first, then the additions."""
    rule = finding.rule
    decided = rule_fields(rule)
    return {
        "rule": rule.id,
        "title": decided["title"],
        "severity": finding.effective_severity.value,
        "confidence": finding.effective_confidence.value,
        "engine": finding.engine.value,
        "cwe": decided["cwe"],
        "owasp": decided["owasp"],
        "message": finding.message,
        "location": location_dict(finding.location) if finding.location else None,
        "endpoint": endpoint_dict(finding.endpoint) if finding.endpoint else None,
        "evidence": [exchange_dict(e) for e in finding.evidence],
        "remediation": decided["remediation"],
        "fingerprint": finding.fingerprint,
        "flow": [flow_dict(step) for step in finding.flow],
        "persona": finding.effective_persona.value,
        "docs": decided["docs"],
    }


def location_dict(location: Location) -> JsonObject:
    return {
        "path": location.path,
        "line": location.line,
        "column": location.column,
        "function": location.function,
        "snippet": location.snippet,
    }


def endpoint_dict(endpoint: Endpoint) -> JsonObject:
    return {"method": endpoint.method, "path": endpoint.path}


def flow_dict(step: FlowStep) -> JsonObject:
    return {**location_dict(step.location), "note": step.note}


def exchange_dict(exchange: Exchange) -> JsonObject:
    """An exchange as an object; headers stay a list of pairs because names may repeat."""
    return {
        "method": exchange.method,
        "url": exchange.url,
        "request_headers": [[name, value] for name, value in exchange.request_headers],
        "request_body": exchange.request_body,
        "status": exchange.status,
        "response_body": exchange.response_body,
        "identity": exchange.identity,
        "note": exchange.note,
        "curl": exchange.curl,
    }


def summary_dict(report: Report) -> JsonObject:
    return {
        "total": len(report.findings),
        "by_severity": {sev.value: n for sev, n in severity_counts(report).items()},
        "by_rule": rule_counts(report),
        "files_scanned": report.files_scanned,
        "suppressed": report.suppressed,
        "baselined": report.baselined,
        "target": report.target,
    }


def coverage_dict(coverage: Coverage) -> JsonObject:
    """What a static scan recognised (an added field: the contract's ``version`` stays 1)."""
    return {
        "routes": coverage.routes,
        "routes_reaching_dynamodb": coverage.routes_reaching_dynamodb,
        "dynamodb_calls": {
            "total": coverage.calls,
            "by_provenance": coverage.by_provenance,
            "by_shape": coverage.by_shape,
            "by_model": coverage.by_model,
        },
        "unrecognised_calls": coverage.unrecognised,
        "blind": coverage.blind,
        "routes_without_dynamodb": list(coverage.blind_routes),
    }


def warning_dict(warning: ScanWarning) -> JsonObject:
    return {"message": warning.message, "path": warning.path, "line": warning.line}
