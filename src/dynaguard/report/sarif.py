"""``--format sarif``: SARIF 2.1.0 as GitHub code scanning ingests it.

GitHub rejects the *whole file* when any result lacks a location or has only a logical one
("locationFromSarifResult: expected at least one location" / "expected artifact location",
https://github.com/github/codeql-action/issues/1738, microsoft/sarif-sdk#2694). So a dynamic
finding with no source location gets a physical location on a synthetic, repository-relative
path named after its endpoint (``endpoints/POST/users``) plus a logical location naming the
endpoint; its proof (the exchanges) travels in ``properties.evidence``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from dynaguard.model import (
    BaselineState,
    Confidence,
    Endpoint,
    Finding,
    Location,
    Report,
    Rule,
    Severity,
)
from dynaguard.report._common import (
    INFORMATION_URI,
    docs_url,
    endpoint_label,
    ordered,
    rule_counts,
    rules_used,
    state_counts,
    warning_label,
)
from dynaguard.report.json import coverage_dict, endpoint_dict, exchange_dict
from dynaguard.report.markdown import code_block

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "dynaguard/v1"
"""Our own partial fingerprint: GitHub keeps alerts stable across runs with it."""
MAX_RESULTS = 25_000
"""GitHub code scanning rejects a run with more results."""
MAX_BYTES = 10_000_000
"""GitHub code scanning rejects a larger upload (10 MB)."""
ENDPOINT_URI_PREFIX = "endpoints/"
"""Synthetic artifact path for findings that have an endpoint but no source file."""

SarifObject = dict[str, Any]

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# NOTE: GitHub maps security-severity > 9.0 to critical, 7.0-8.9 high, 4.0-6.9 medium, else low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
PRECISION = {
    Confidence.CONFIRMED: "very-high",
    Confidence.HIGH: "high",
    Confidence.MEDIUM: "medium",
    Confidence.LOW: "low",
}


def render(report: Report, *, max_results: int = MAX_RESULTS, max_bytes: int = MAX_BYTES) -> str:
    """The report as a SARIF log with one run: the gated findings first (most severe first, so
    that they are what survives GitHub's limits), then the suppressed and the unchanged ones."""
    emitted = emitted_findings(report)
    limit = min(len(emitted), max_results)
    text = _log(report, emitted, limit)
    # NOTE: the size limit is GitHub's upload limit; checked on the text as written (not
    # compressed), so a file that passes here is accepted however it is uploaded.
    while len(text.encode("utf-8")) > max_bytes and limit > 0:
        size = len(text.encode("utf-8"))
        limit = min(limit - 1, int(limit * max_bytes / size * 0.95))
        text = _log(report, emitted, max(limit, 0))
    return text


def emitted_findings(report: Report) -> list[Finding]:
    """What becomes a result, in the order kept when GitHub's limits force a cut: the gated
    findings, most severe first, then the others. Absent ones are left out: gone from the code,
    a result would open an alert where GitHub, which ignores ``baselineState``, finds nothing."""
    hidden = [f for f in report.hidden if f.baseline_state is not BaselineState.ABSENT]
    return [*_by_severity(report.findings), *_by_severity(hidden)]


def _by_severity(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(ordered(findings), key=lambda f: f.effective_severity, reverse=True)


def _log(report: Report, emitted: list[Finding], limit: int) -> str:
    chosen = {id(f) for f in emitted[:limit]}
    # Written in report order (the gated findings, then the others), whatever was cut.
    kept = [f for f in (*ordered(report.findings), *ordered(report.hidden)) if id(f) in chosen]
    rules = rules_used(kept)
    index = {rule.id: number for number, rule in enumerate(rules)}
    truncated = len(emitted) - len(kept)
    run: SarifObject = {
        "tool": {"driver": _driver(report, rules)},
        "originalUriBaseIds": {SRCROOT: _srcroot(report.target)},
        "invocations": [_invocation(report, truncated, len(emitted))],
        "results": [_result(f, index[f.rule.id]) for f in kept],
        "properties": _run_properties(report, truncated),
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _driver(report: Report, rules: list[Rule]) -> SarifObject:
    return {
        "name": "dynaguard",
        "version": report.tool_version,
        "semanticVersion": report.tool_version,
        "informationUri": INFORMATION_URI,
        "rules": [reporting_descriptor(rule) for rule in rules],
    }


def reporting_descriptor(rule: Rule) -> SarifObject:
    """A rule's metadata; GitHub reads severity, precision and tags from here, not results."""
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.doc.what},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "helpUri": docs_url(rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": _tags(rule),
            "precision": PRECISION[rule.confidence],
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _tags(rule: Rule) -> list[str]:
    """``security``, CWE tags in CodeQL's spelling, ``owasp-api-3`` for ``API3:2023``."""
    cwes = [f"external/cwe/cwe-{number}" for number in rule.cwe]
    owasp = [f"owasp-api-{entry.split(':')[0].removeprefix('API')}" for entry in rule.owasp]
    return ["security", *cwes, *owasp]


def _doc_sections(rule: Rule) -> list[tuple[str, str, bool]]:
    """``(heading, body, is_code)`` of the rule's doc, in the ruff doc order."""
    doc = rule.doc
    sections = [
        ("What it does", doc.what, False),
        ("Why is this bad?", doc.why, False),
        ("Example", doc.example, True),
        ("Use instead", doc.fix, True),
    ]
    if doc.fix_secure:
        sections.append(("Use instead, with dynaguard.secure", doc.fix_secure, True))
    if doc.references:
        sections.append(("References", "\n".join(f"- {url}" for url in doc.references), False))
    return sections


def _help_markdown(rule: Rule) -> str:
    parts = [
        f"## {heading}\n\n{code_block(body, 'python') if is_code else body}"
        for heading, body, is_code in _doc_sections(rule)
    ]
    return "\n\n".join(parts) + "\n"


def _help_text(rule: Rule) -> str:
    def body(text: str, is_code: bool) -> str:
        if not is_code:
            return text
        return "\n".join("    " + line if line else "" for line in text.splitlines())

    parts = [f"{heading}\n\n{body(text, code)}" for heading, text, code in _doc_sections(rule)]
    return "\n\n".join(parts) + "\n"


def _result(finding: Finding, rule_index: int) -> SarifObject:
    result: SarifObject = {
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.effective_severity],
        "message": {"text": _message(finding)},
        "locations": [_primary_location(finding)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if finding.flow:
        steps = [_source_location(s.location, s.note) for s in finding.flow]
        thread = {"locations": [{"location": step} for step in steps]}
        result["codeFlows"] = [{"threadFlows": [thread]}]
        result["relatedLocations"] = [{"id": n, **step} for n, step in enumerate(steps, 1)]
    if finding.baseline_state is not None:
        result["baselineState"] = finding.baseline_state.value
    if finding.suppression is not None:
        suppression = finding.suppression
        result["suppressions"] = [
            {
                "kind": suppression.kind.value,
                "status": "accepted",
                "justification": suppression.justification,
            }
        ]
    result["properties"] = _result_properties(finding)
    return result


def _message(finding: Finding) -> str:
    if finding.endpoint is None:
        return finding.message
    return f"{finding.message} (endpoint: {endpoint_label(finding.endpoint)})"


def _primary_location(finding: Finding) -> SarifObject:
    """The file location when known, else the endpoint as a synthetic file (see module doc)."""
    if finding.location is not None:
        location = _source_location(finding.location)
    else:
        location = _endpoint_location(finding.endpoint)
    logical = _logical_locations(finding)
    return {**location, "logicalLocations": logical} if logical else location


def _source_location(where: Location, note: str = "") -> SarifObject:
    physical = {
        "artifactLocation": {"uri": quote(where.path), "uriBaseId": SRCROOT},
        "region": {"startLine": where.line, "startColumn": where.column},
    }
    location: SarifObject = {"physicalLocation": physical}
    if note:
        location["message"] = {"text": note}
    return location


def _endpoint_location(endpoint: Endpoint | None) -> SarifObject:
    name = f"{endpoint.method}{endpoint.path}" if endpoint else "unknown"
    physical = {
        "artifactLocation": {"uri": ENDPOINT_URI_PREFIX + quote(name.lstrip("/"))},
        "region": {"startLine": 1},
    }
    label = endpoint_label(endpoint) if endpoint else "an unknown endpoint"
    return {"physicalLocation": physical, "message": {"text": f"HTTP endpoint {label}"}}


def _logical_locations(finding: Finding) -> list[SarifObject]:
    logical: list[SarifObject] = []
    if finding.location is not None and finding.location.function:
        function = finding.location.function
        logical.append({"name": function, "fullyQualifiedName": function, "kind": "function"})
    if finding.endpoint is not None:
        label = endpoint_label(finding.endpoint)
        logical.append({"name": label, "fullyQualifiedName": label, "kind": "resource"})
    return logical


def _result_properties(finding: Finding) -> SarifObject:
    properties: SarifObject = {
        "engine": finding.engine.value,
        "severity": finding.effective_severity.value,
        "confidence": finding.effective_confidence.value,
        "persona": finding.effective_persona.value,
    }
    if finding.endpoint is not None:
        properties["endpoint"] = endpoint_dict(finding.endpoint)
    if finding.evidence:
        properties["evidence"] = [exchange_dict(e) for e in finding.evidence]
    return properties


def _srcroot(target: str) -> SarifObject:
    """The scanned root; a ``file:`` URI only when the target is an absolute path."""
    base: SarifObject = {"description": {"text": f"The scanned root: {target or '.'}"}}
    if target.startswith("/"):
        uri = PurePosixPath(target).as_uri()
        base["uri"] = uri if uri.endswith("/") else uri + "/"
    return base


def _invocation(report: Report, truncated: int, total: int) -> SarifObject:
    """Scan warnings become tool execution notifications; the run itself still succeeded."""
    notifications = [
        {"level": "warning", "message": {"text": warning_label(w)}} for w in report.warnings
    ]
    if truncated:
        text = (
            f"report truncated: {total - truncated} of {total} results kept, the most severe "
            f"gated ones first (GitHub code scanning accepts at most {MAX_RESULTS} results and "
            f"{MAX_BYTES // 1_000_000} MB per upload)"
        )
        notifications.append({"level": "warning", "message": {"text": text}})
    return {"executionSuccessful": True, "toolExecutionNotifications": notifications}


def _run_properties(report: Report, truncated: int) -> SarifObject:
    states = state_counts(report)
    compared = {
        "comparedWith": report.compared_with,
        "absent": states[BaselineState.ABSENT],
    }
    return {
        **(compared if report.compared_with else {}),
        **({"truncatedResults": truncated} if truncated else {}),
        "target": report.target,
        "filesScanned": report.files_scanned,
        "suppressed": report.suppressed,
        "baselined": report.baselined,
        "findingsByRule": rule_counts(report),
        "extra": dict(sorted(report.extra.items())),
        **({"coverage": coverage_dict(report.coverage)} if report.coverage else {}),
    }
