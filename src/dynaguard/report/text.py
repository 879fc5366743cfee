"""``--format text``: findings for terminals and CI logs, grouped by file, then by endpoint.

Plain text only: colour is the CLI's business, so this stays a pure function. Every untrusted
string goes through ``one_line`` so a snippet cannot move the cursor, recolour the terminal
(ANSI escapes) or reorder what the reader sees (bidi overrides).
"""

from __future__ import annotations

from dynaguard.model import Exchange, Finding, FlowStep, Report
from dynaguard.report._common import (
    comparison_sentence,
    coverage_sentences,
    endpoint_label,
    exchange_line,
    grouped,
    location_label,
    one_line,
    plural,
    severity_counts,
    warning_label,
)

INDENT = "  "


def render(report: Report) -> str:
    """The whole report: one block per group, then the summary."""
    lines: list[str] = []
    for heading, findings in grouped(report.findings):
        lines.append(one_line(heading))
        for finding in findings:
            lines.extend(INDENT + line for line in finding_lines(finding))
        lines.append("")
    lines.extend(summary_lines(report))
    return "\n".join(lines) + "\n"


def finding_lines(finding: Finding) -> list[str]:
    """One finding as a title line and indented details (also the body of a JUnit failure)."""
    rule = finding.rule
    severity = finding.effective_severity.value
    confidence = finding.effective_confidence.value
    details = [*_where_lines(finding), one_line(finding.message)]
    if finding.flow:
        details.append("path: " + flow_line(finding))
    if finding.endpoint is not None:
        details.append("route: " + one_line(endpoint_label(finding.endpoint)))
    for number, exchange in enumerate(finding.evidence, start=1):
        details.extend(_exchange_lines(number, exchange))
    details.append("fix: " + rule.hint)
    details.append("docs: " + rule.docs_path)
    title = f"{rule.id} {rule.title} [{severity}/{confidence}]"
    return [title, *(INDENT + line for line in details)]


def flow_line(finding: Finding) -> str:
    """``request.get_json() (line 12) → data (line 14) → Table.put_item(Item=...) (line 18)``."""
    home = finding.location.path if finding.location else None
    hops = (f"{one_line(s.note)} ({one_line(step_place(s, home))})" for s in finding.flow)
    return " → ".join(hops)


def step_place(step: FlowStep, home: str | None) -> str:
    """Where a taint hop is: ``line 12`` in the finding's own file, ``path:12`` elsewhere."""
    where = step.location
    return f"line {where.line}" if where.path == home else f"{where.path}:{where.line}"


def _where_lines(finding: Finding) -> list[str]:
    location = finding.location
    if location is None:
        return []
    where = one_line(location_label(location))
    if location.function:
        where += " in " + one_line(location.function)
    code = [f"{INDENT}{location.line} | {one_line(location.snippet)}"] if location.snippet else []
    return [where, *code]


def _exchange_lines(number: int, exchange: Exchange) -> list[str]:
    line = f"evidence {number}: {one_line(exchange_line(exchange))}"
    if exchange.note:
        line += f" ({one_line(exchange.note)})"
    return [line, *([INDENT + one_line(exchange.curl)] if exchange.curl else [])]


def summary_lines(report: Report) -> list[str]:
    """The closing summary: counts, what was hidden, extra facts and warnings."""
    counts = [f"{n} {sev.value}" for sev, n in severity_counts(report).items() if n]
    found = plural(len(report.findings), "finding") + ": " + ", ".join(counts)
    parts = [
        found if report.findings else "no findings",
        plural(report.files_scanned, "file") + " scanned",
        f"{report.suppressed} suppressed",
        f"{report.baselined} baselined",
    ]
    lines = ["; ".join(parts)]
    compared = comparison_sentence(report)
    lines.extend([compared] if compared else [])
    lines.extend(f"{one_line(k)}: {one_line(v)}" for k, v in sorted(report.extra.items()))
    if report.coverage is not None:
        lines.extend(one_line(sentence) for sentence in coverage_sentences(report.coverage))
    if report.warnings:
        lines.append(plural(len(report.warnings), "warning") + ":")
    lines.extend(INDENT + one_line(warning_label(w)) for w in report.warnings)
    return lines
