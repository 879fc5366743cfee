"""``--format markdown``: a summary table and a section per file or endpoint, for PR comments
and job summaries.

Untrusted text (messages, paths, snippets, notes) never reaches the page as Markdown: prose is
backslash-escaped, code goes into spans or fences longer than any backtick run inside it.
"""

from __future__ import annotations

import re
import string

from dynaguard.model import Exchange, Finding, Report
from dynaguard.report._common import (
    coverage_sentences,
    docs_url,
    endpoint_label,
    escape_controls,
    exchange_line,
    grouped,
    location_label,
    plural,
    severity_counts,
    warning_label,
)

# Punctuation that means nothing to GitHub-flavoured Markdown once newlines are gone is left
# alone so the page stays readable; everything else is escaped.
_INERT = set(",;'\"/?%={}^")
_SIGNIFICANT = re.compile(
    "([" + re.escape("".join(c for c in string.punctuation if c not in _INERT)) + "])"
)
_BACKTICKS = re.compile("`+")


def render(report: Report) -> str:
    """The report as a GitHub-flavoured Markdown document."""
    blocks = ["# dynaguard report", _stats_line(report), *_summary_table(report)]
    if report.coverage is not None:
        blocks.append("\n".join(f"- {text(s)}" for s in coverage_sentences(report.coverage)))
    blocks.extend(f"**{text(key)}:** {text(value)}" for key, value in sorted(report.extra.items()))
    for heading, findings in grouped(report.findings):
        blocks.append("## " + code_span(heading))
        blocks.extend(block for finding in findings for block in finding_blocks(finding))
    if report.warnings:
        blocks.append("## Warnings")
        blocks.append("\n".join("- " + text(warning_label(w)) for w in report.warnings))
    return "\n\n".join(blocks) + "\n"


def text(value: str) -> str:
    """Untrusted prose on one line, every ASCII punctuation character backslash-escaped.

    NOTE: CommonMark lets any ASCII punctuation be escaped, so escaping every significant one
    closes each construct (links, emphasis, HTML, tables, math, line-start markers) without
    tracking which one is open.
    """
    flat = escape_controls(" ".join(value.split()))
    return _SIGNIFICANT.sub(r"\\\1", flat)


def code_span(value: str) -> str:
    """Untrusted text as inline code: one line, fenced by more backticks than it contains."""
    flat = escape_controls(" ".join(value.split()))
    if not flat:
        return "` `"
    fence = "`" * (_longest_backtick_run(flat) + 1)
    # A span that starts or ends with a backtick needs a space of padding (CommonMark 6.1).
    pad = " " if flat[0] == "`" or flat[-1] == "`" else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def code_block(value: str, language: str = "") -> str:
    """Untrusted text as a fenced block whose fence no line of the text can close."""
    lines = [escape_controls(line) for line in value.splitlines()]
    fence = "`" * max(3, _longest_backtick_run(value) + 1)
    return "\n".join([fence + language, *lines, fence])


def _longest_backtick_run(value: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(value)), default=0)


def _stats_line(report: Report) -> str:
    found = f"**{plural(len(report.findings), 'finding')}**" if report.findings else "No findings"
    target = f" in {code_span(report.target)}" if report.target else ""
    scanned = plural(report.files_scanned, "file") + " scanned"
    return f"{found}{target} · {scanned} · {report.suppressed} suppressed · {report.baselined} baselined"


def _summary_table(report: Report) -> list[str]:
    rows = [f"| {sev.value} | {n} |" for sev, n in severity_counts(report).items()]
    table = ["| Severity | Findings |", "| --- | ---: |", *rows]
    return ["\n".join(table)]


def finding_blocks(finding: Finding) -> list[str]:
    """One finding as Markdown blocks: heading, facts, code, message, flow, evidence, fix."""
    rule = finding.rule
    blocks = [f"### {rule.id} {text(rule.title)}", _facts_line(finding)]
    if finding.location is not None and finding.location.snippet:
        blocks.append(code_block(finding.location.snippet, "python"))
    blocks.append(text(finding.message))
    if finding.flow:
        blocks.append("Taint path:\n\n" + _flow_list(finding))
    if finding.evidence:
        items = [_exchange_item(n, e) for n, e in enumerate(finding.evidence, start=1)]
        blocks.append("Evidence:\n\n" + "\n".join(items))
    blocks.append(f"**Fix:** {text(rule.hint)} ([{rule.id} documentation]({docs_url(rule)}))")
    return blocks


def _facts_line(finding: Finding) -> str:
    facts = [
        f"**Severity:** {finding.effective_severity.value}",
        f"**Confidence:** {finding.effective_confidence.value}",
    ]
    location = finding.location
    if location is not None:
        where = code_span(location_label(location))
        if location.function:
            where += " in " + code_span(location.function)
        facts.append(f"**Location:** {where}")
    if finding.endpoint is not None:
        facts.append(f"**Endpoint:** {code_span(endpoint_label(finding.endpoint))}")
    return " · ".join(facts)


def _flow_list(finding: Finding) -> str:
    home = finding.location.path if finding.location else None
    items: list[str] = []
    for number, step in enumerate(finding.flow, start=1):
        where = step.location
        same_file = where.path == home
        place = f"line {where.line}" if same_file else code_span(f"{where.path}:{where.line}")
        items.append(f"{number}. {code_span(step.note)} at {place}")
    return "\n".join(items)


def _exchange_item(number: int, exchange: Exchange) -> str:
    item = f"{number}. {code_span(exchange_line(exchange))}"
    if exchange.note:
        item += " — " + text(exchange.note)
    if exchange.curl:
        # Indented under the list item; the fence is computed from the command itself.
        block = code_block(exchange.curl, "sh")
        item += "\n\n" + "\n".join("   " + line for line in block.splitlines())
    return item
