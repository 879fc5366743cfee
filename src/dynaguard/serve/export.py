"""A project's open findings as JSON (the report contract), SARIF or CSV: pure, rows in, text out.

Open means not fixed and not triaged. SARIF, which has a place for them, also carries the
triaged findings as suppressed results whose justification is the mark's reason and author.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from dataclasses import replace

from dynaguard.history.reading import read_report
from dynaguard.model import Finding, Report, Suppression, SuppressionKind
from dynaguard.report import json as json_report
from dynaguard.report import sarif
from dynaguard.serve.queries import Row

CSV_COLUMNS: tuple[str, ...] = (
    "rule",
    "title",
    "severity",
    "confidence",
    "engine",
    "state",
    "path",
    "line",
    "function",
    "method",
    "endpoint",
    "message",
    "fingerprint",
)


class ExportFormat(enum.Enum):
    JSON = "json"
    SARIF = "sarif"
    CSV = "csv"


MEDIA_TYPES = {
    ExportFormat.JSON: "application/json",
    ExportFormat.SARIF: "application/sarif+json",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


def render(rows: list[Row], fmt: ExportFormat, target: str) -> str:
    if fmt is ExportFormat.CSV:
        return _csv([row for row in rows if row.mark is None])
    report = _report(rows, target)
    if fmt is ExportFormat.JSON:
        return json_report.render(report)
    return sarif.render(report)


def _report(rows: list[Row], target: str) -> Report:
    findings = _findings(rows)
    kept = tuple(f for f, row in zip(findings, rows, strict=True) if row.mark is None)
    hidden = tuple(
        replace(f, suppression=Suppression(SuppressionKind.EXTERNAL, _justification(row)))
        for f, row in zip(findings, rows, strict=True)
        if row.mark is not None
    )
    return Report(findings=kept, hidden=hidden, target=target)


def _findings(rows: list[Row]) -> list[Finding]:
    """The stored finding objects read back through the report reader (one code path)."""
    document = {
        "version": 1,
        "tool": {},
        "findings": [row.data for row in rows],
    }
    report = read_report(json.dumps(document))
    return list(report.findings)


def _justification(row: Row) -> str:
    mark = row.mark
    assert mark is not None
    until = f", until {mark.expires_at:%Y-%m-%d}" if mark.expires_at else ""
    return f"{mark.kind.replace('_', ' ')}: {mark.reason} ({mark.author}{until})"


def _csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        data = row.data
        location = data.get("location") or {}
        endpoint = data.get("endpoint") or {}
        values = [data["rule"], data["title"], data["severity"], data["confidence"]]
        values += [data["engine"], row.finding.state, location.get("path", "")]
        values += [location.get("line", ""), location.get("function") or ""]
        values += [endpoint.get("method", ""), endpoint.get("path", ""), data["message"]]
        values.append(data["fingerprint"])
        writer.writerow([_defused(str(v)) for v in values])
    return out.getvalue()


def _defused(value: str) -> str:
    # NOTE: a cell starting with = + - @ is a formula in spreadsheets (CSV injection, OWASP);
    # findings carry text from scanned code and servers.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
