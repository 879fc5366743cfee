"""Read a dynaguard report back into a ``Report``: the JSON contract, or dynaguard's SARIF 2.1.0.

Pure: text in, ``Report`` out, or a ``ReportError`` whose message names the format and the
JSON path of what is wrong (the server answers an upload with it). Only the findings a report
gates are read: SARIF results carrying a suppression (an inline ignore, a baseline) and
results gone since a ref are left out, as the JSON report leaves them out.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, TypeVar
from urllib.parse import unquote

from dynaguard.catalogue import get_rule
from dynaguard.model import (
    Confidence,
    Endpoint,
    Engine,
    Exchange,
    Finding,
    FlowStep,
    Location,
    Persona,
    Report,
    Rule,
    Severity,
)

JSON_VERSION = 1
"""The JSON contract version this reader understands."""
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "dynaguard/v1"
"""``report/sarif.py``'s partial fingerprint key (kept equal by a test)."""
ENDPOINT_URI_PREFIX = "endpoints/"
"""``report/sarif.py``'s synthetic path of a dynamic finding with no source file."""


_E = TypeVar("_E", Severity, Confidence, Persona, Engine)


class ReportError(ValueError):
    """A report that cannot be read; the message says which part is wrong."""


def read_report(text: str) -> Report:
    """A JSON report or a SARIF log from dynaguard, told apart by their top-level keys."""
    return read_document(load_document(text))


def load_document(text: str) -> dict[str, Any]:
    """The report's text parsed (a UTF-8 BOM allowed), or a ReportError."""
    try:
        document = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"invalid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    if not isinstance(document, dict):
        raise ReportError("expected a JSON object at the top level")
    return document


def read_document(document: dict[str, Any]) -> Report:
    """``read_report`` of an already parsed document."""
    if "runs" in document:
        return _sarif_report(document)
    return _json_report(document)


def _json_report(document: dict[str, Any]) -> Report:
    version = document.get("version")
    if type(version) is not int or version != JSON_VERSION:
        raise ReportError(
            f"version {version!r} is not supported (this server reads JSON report version "
            f"{JSON_VERSION} or SARIF {SARIF_VERSION})"
        )
    tool = _field(document, "tool", dict, "$")
    findings = _field(document, "findings", list, "$")
    summary = document.get("summary") if isinstance(document.get("summary"), dict) else {}
    target = summary.get("target", "") if isinstance(summary, dict) else ""
    return Report(
        findings=tuple(_json_finding(f, f"$.findings[{n}]") for n, f in enumerate(findings)),
        tool_version=str(tool.get("version", "")),
        target=target if isinstance(target, str) else "",
        files_scanned=_count(summary, "files_scanned") if isinstance(summary, dict) else 0,
    )


def _count(table: dict[str, Any], key: str) -> int:
    """A count the report states about itself, 0 when absent or not a count (informative only:
    a report is never refused for it)."""
    value = table.get(key)
    return value if type(value) is int and value >= 0 else 0


def _json_finding(raw: Any, where: str) -> Finding:
    if not isinstance(raw, dict):
        raise ReportError(f"{where}: expected an object")
    rule = _rule(_field(raw, "rule", str, where), where)
    location = raw.get("location")
    endpoint = raw.get("endpoint")
    return _finding(
        rule,
        where,
        engine=_field(raw, "engine", str, where),
        message=_field(raw, "message", str, where),
        fingerprint=_field(raw, "fingerprint", str, where),
        severity=_field(raw, "severity", str, where),
        confidence=_field(raw, "confidence", str, where),
        persona=raw.get("persona", rule.persona.value),
        location=_location(location, f"{where}.location") if location is not None else None,
        endpoint=_endpoint(endpoint, f"{where}.endpoint") if endpoint is not None else None,
        flow=tuple(
            FlowStep(_location(s, f"{where}.flow[{n}]"), str(s.get("note", "")))
            for n, s in enumerate(_optional_list(raw, "flow", where))
        ),
        evidence=tuple(
            _exchange(e, f"{where}.evidence[{n}]")
            for n, e in enumerate(_optional_list(raw, "evidence", where))
        ),
    )


def _sarif_report(document: dict[str, Any]) -> Report:
    if document.get("version") != SARIF_VERSION:
        raise ReportError(
            f"SARIF version {document.get('version')!r} is not supported (expected {SARIF_VERSION})"
        )
    runs = _field(document, "runs", list, "$")
    if len(runs) != 1 or not isinstance(runs[0], dict):
        raise ReportError("$.runs: expected exactly one run (as dynaguard writes)")
    run = runs[0]
    driver = _field(_field(run, "tool", dict, "$.runs[0]"), "driver", dict, "$.runs[0].tool")
    if driver.get("name") != "dynaguard":
        raise ReportError(
            f"$.runs[0].tool.driver.name: {driver.get('name')!r} is not dynaguard (only "
            "dynaguard's SARIF is read)"
        )
    results = _field(run, "results", list, "$.runs[0]")
    properties = run.get("properties") if isinstance(run.get("properties"), dict) else {}
    findings = tuple(
        _sarif_finding(r, f"$.runs[0].results[{n}]")
        for n, r in enumerate(results)
        if isinstance(r, dict) and _gated(r)
    )
    target = properties.get("target", "") if isinstance(properties, dict) else ""
    return Report(
        findings=findings,
        tool_version=str(driver.get("version", "")),
        target=target if isinstance(target, str) else "",
        files_scanned=_count(properties, "filesScanned") if isinstance(properties, dict) else 0,
    )


def _gated(result: dict[str, Any]) -> bool:
    return not result.get("suppressions") and result.get("baselineState") != "absent"


def _sarif_finding(raw: dict[str, Any], where: str) -> Finding:
    rule = _rule(_field(raw, "ruleId", str, where), where)
    props = _field(raw, "properties", dict, where)
    message = _field(_field(raw, "message", dict, where), "text", str, f"{where}.message")
    endpoint_raw = props.get("endpoint")
    endpoint = _endpoint(endpoint_raw, f"{where}.properties.endpoint") if endpoint_raw else None
    if endpoint is not None:
        # report/sarif.py appends the endpoint to the message; the JSON message has none.
        message = message.removesuffix(f" (endpoint: {endpoint.method} {endpoint.path})")
    fingerprints = _field(raw, "partialFingerprints", dict, where)
    return _finding(
        rule,
        where,
        engine=_field(props, "engine", str, f"{where}.properties"),
        message=message,
        fingerprint=_field(fingerprints, FINGERPRINT_KEY, str, f"{where}.partialFingerprints"),
        severity=_field(props, "severity", str, f"{where}.properties"),
        confidence=_field(props, "confidence", str, f"{where}.properties"),
        persona=props.get("persona", rule.persona.value),
        location=_sarif_location(raw, where),
        endpoint=endpoint,
        flow=_sarif_flow(raw, where),
        evidence=tuple(
            _exchange(e, f"{where}.properties.evidence[{n}]")
            for n, e in enumerate(_optional_list(props, "evidence", where))
        ),
    )


def _sarif_location(raw: dict[str, Any], where: str) -> Location | None:
    locations = _field(raw, "locations", list, where)
    if not locations or not isinstance(locations[0], dict):
        raise ReportError(f"{where}.locations: expected at least one location")
    located = _sarif_physical(locations[0], f"{where}.locations[0]")
    if located is None:
        return None
    path, line, column = located
    function = next(
        (
            str(entry.get("name"))
            for entry in locations[0].get("logicalLocations", [])
            if isinstance(entry, dict) and entry.get("kind") == "function"
        ),
        None,
    )
    return Location(path, line, column, function)


def _sarif_physical(location: dict[str, Any], where: str) -> tuple[str, int, int] | None:
    physical = _field(location, "physicalLocation", dict, where)
    artifact = _field(physical, "artifactLocation", dict, f"{where}.physicalLocation")
    uri = _field(artifact, "uri", str, f"{where}.physicalLocation.artifactLocation")
    if "uriBaseId" not in artifact and uri.startswith(ENDPOINT_URI_PREFIX):
        return None
    region = physical.get("region") if isinstance(physical.get("region"), dict) else {}
    line = region.get("startLine", 1) if isinstance(region, dict) else 1
    column = region.get("startColumn", 1) if isinstance(region, dict) else 1
    if type(line) is not int or type(column) is not int:
        raise ReportError(f"{where}.physicalLocation.region: line and column must be integers")
    return unquote(uri), line, column


def _sarif_flow(raw: dict[str, Any], where: str) -> tuple[FlowStep, ...]:
    steps: list[FlowStep] = []
    for flow in raw.get("codeFlows", [])[:1]:
        for thread in flow.get("threadFlows", [])[:1] if isinstance(flow, dict) else []:
            for n, entry in enumerate(thread.get("locations", [])):
                here = f"{where}.codeFlows[0].threadFlows[0].locations[{n}]"
                location = entry.get("location", {}) if isinstance(entry, dict) else {}
                located = _sarif_physical(location, here)
                if located is None:
                    continue
                note = location.get("message", {}).get("text", "")
                steps.append(FlowStep(Location(*located), str(note)))
    return tuple(steps)


def _finding(rule: Rule, where: str, **raw: Any) -> Finding:
    severity = _enum(Severity, raw["severity"], f"{where}.severity")
    confidence = _enum(Confidence, raw["confidence"], f"{where}.confidence")
    persona = _enum(Persona, raw["persona"], f"{where}.persona")
    engine = _enum(Engine, raw["engine"], f"{where}.engine")
    if not raw["fingerprint"]:
        raise ReportError(f"{where}.fingerprint: must not be empty")
    finding = Finding(
        rule=rule,
        engine=engine,
        message=raw["message"],
        fingerprint=raw["fingerprint"],
        location=raw["location"],
        endpoint=raw["endpoint"],
        flow=raw["flow"],
        evidence=raw["evidence"],
        severity=None if severity == rule.severity else severity,
        persona=None if persona == rule.persona else persona,
    )
    # Store an override only where the effective value differs, as the engines do.
    if confidence != finding.effective_confidence:
        return replace(finding, confidence=confidence)
    return finding


def _location(raw: Any, where: str) -> Location:
    if not isinstance(raw, dict):
        raise ReportError(f"{where}: expected an object")
    line, column = raw.get("line", 1), raw.get("column", 1)
    if type(line) is not int or type(column) is not int:
        raise ReportError(f"{where}: line and column must be integers")
    function = raw.get("function")
    return Location(
        path=_field(raw, "path", str, where),
        line=line,
        column=column,
        function=function if isinstance(function, str) else None,
        snippet=str(raw.get("snippet", "")),
    )


def _endpoint(raw: Any, where: str) -> Endpoint:
    if not isinstance(raw, dict):
        raise ReportError(f"{where}: expected an object")
    return Endpoint(_field(raw, "method", str, where), _field(raw, "path", str, where))


def _exchange(raw: Any, where: str) -> Exchange:
    if not isinstance(raw, dict):
        raise ReportError(f"{where}: expected an object")
    headers = raw.get("request_headers", [])
    if not isinstance(headers, list) or not all(
        isinstance(h, list) and len(h) == 2 and all(isinstance(p, str) for p in h) for h in headers
    ):
        raise ReportError(f"{where}.request_headers: expected a list of [name, value] pairs")
    status = raw.get("status", 0)
    return Exchange(
        method=str(raw.get("method", "")),
        url=str(raw.get("url", "")),
        request_headers=tuple((name, value) for name, value in headers),
        request_body=str(raw.get("request_body", "")),
        status=status if type(status) is int else 0,
        response_body=str(raw.get("response_body", "")),
        identity=str(raw.get("identity", "")),
        note=str(raw.get("note", "")),
        curl=str(raw.get("curl", "")),
    )


def _rule(rule_id: str, where: str) -> Rule:
    try:
        return get_rule(rule_id)
    except KeyError:
        raise ReportError(f"{where}: unknown rule {rule_id!r}") from None


def _enum(kind: type[_E], value: Any, where: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ReportError(f"{where}: {value!r} is not one of {allowed}") from None


def _field(raw: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in raw:
        raise ReportError(f"{where}: missing key {key!r}")
    value = raw[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ReportError(f"{where}.{key}: expected {kind.__name__}")
    return value


def _optional_list(raw: dict[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ReportError(f"{where}.{key}: expected a list")
    return value


__all__ = ["ReportError", "load_document", "read_document", "read_report"]
