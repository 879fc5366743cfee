"""Helpers every formatter shares: ordering, counts, labels, links and untrusted-text hygiene.

Everything a finding carries (snippets, messages, paths, response bodies) can come from the
scanned code or the scanned API, so it is treated as hostile in every format.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from dynaguard.model import (
    BaselineState,
    Coverage,
    Endpoint,
    Exchange,
    Finding,
    Location,
    Report,
    Rule,
    ScanWarning,
    Severity,
)

DOCS_URL_BASE = "https://github.com/dynaguard/dynaguard/blob/main/"
"""Where the generated rule docs live on GitHub.

NOTE: the project's public home is not decided yet; this is the one place to change it.
"""

INFORMATION_URI = "https://github.com/dynaguard/dynaguard"
"""The tool's home page, for SARIF ``tool.driver.informationUri``."""

SEVERITIES_HIGH_FIRST: tuple[Severity, ...] = tuple(reversed(Severity))
"""Severities in reading order for summaries (critical first)."""

# C0 and C1 controls (ANSI escapes start with \x1b), Unicode line separators, and the bidi
# controls used by "Trojan Source" (CVE-2021-42574) to make code read unlike how it runs.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in report order; the fingerprint breaks ties so output is deterministic."""
    return sorted(findings, key=lambda f: (f.sort_key(), f.fingerprint))


def rules_used(findings: Iterable[Finding]) -> list[Rule]:
    """The distinct rules of these findings, by id."""
    by_id = {f.rule.id: f.rule for f in findings}
    return [by_id[key] for key in sorted(by_id)]


def severity_counts(report: Report) -> dict[Severity, int]:
    """Findings per severity, every severity present, critical first."""
    counts = Counter(f.effective_severity for f in report.findings)
    return {sev: counts[sev] for sev in SEVERITIES_HIGH_FIRST}


def rule_counts(report: Report) -> dict[str, int]:
    """Findings per rule id, in id order."""
    counts = Counter(f.rule.id for f in report.findings)
    return {rule_id: counts[rule_id] for rule_id in sorted(counts)}


def docs_url(rule: Rule) -> str:
    """The rule's documentation page on GitHub (derived from the id alone)."""
    return DOCS_URL_BASE + rule.docs_path


def remediation(rule: Rule) -> str:
    """The fix hint followed by where to read more."""
    return f"{rule.hint} See {rule.docs_path}."


def endpoint_label(endpoint: Endpoint) -> str:
    """``POST /users``."""
    return f"{endpoint.method} {endpoint.path}"


def location_label(location: Location) -> str:
    """``path:line:column``."""
    return f"{location.path}:{location.line}:{location.column}"


def exchange_line(exchange: Exchange) -> str:
    """``alice: POST http://host/users -> 201``: one exchange in one line."""
    who = exchange.identity or "anonymous"
    status = exchange.status or "no response"
    return f"{who}: {exchange.method} {exchange.url} -> {status}"


def plural(count: int, noun: str) -> str:
    """``1 finding``, ``2 findings``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def escape_controls(text: str) -> str:
    """Control and bidi-override characters shown as ``\\x1b``/``\\u202e`` instead of obeyed."""
    return _UNSAFE.sub(_visible, text)


def one_line(text: str) -> str:
    """Untrusted text made safe for a single line of output."""
    return escape_controls(text.strip())


def xml_safe(text: str) -> str:
    """Text with the characters XML 1.0 cannot carry at all made visible (ElementTree would
    write them raw and produce a file no parser accepts)."""
    return _XML_ILLEGAL.sub(_visible, text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def grouped(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped for reading: by file first, then by endpoint for those without a file.

    Each group is ``(heading, findings in report order)``; the heading is untrusted text.
    """
    groups: dict[tuple[int, str], list[Finding]] = {}
    for finding in ordered(findings):
        groups.setdefault(_group_key(finding), []).append(finding)
    return [(heading, groups[(rank, heading)]) for rank, heading in sorted(groups)]


def _group_key(finding: Finding) -> tuple[int, str]:
    if finding.location is not None:
        return (0, finding.location.path)
    if finding.endpoint is not None:
        return (1, endpoint_label(finding.endpoint))
    return (2, "(no location)")


def warning_label(warning: ScanWarning) -> str:
    """``path:line: message``, or just the message when no file is concerned."""
    place = warning.path or ""
    if place and warning.line is not None:
        place += f":{warning.line}"
    return f"{place}: {warning.message}" if place else warning.message


_BLIND_SHOWN = 10


def coverage_sentences(coverage: Coverage) -> list[str]:
    """What a static scan recognised, in sentences (text, Markdown and HTML say the same)."""
    routes = plural(coverage.routes, "route")
    calls = plural(coverage.calls, "DynamoDB call")
    out = [
        f"coverage: {routes} ({coverage.routes_reaching_dynamodb} reach DynamoDB); {calls}"
        f" recognised: {coverage.by_provenance} by how the handle was made,"
        f" {coverage.by_shape} by shape, {coverage.by_model} by your models"
    ]
    if coverage.unrecognised:
        out.append(
            f"{plural(coverage.unrecognised, 'call')} named like a DynamoDB operation"
            " (put_item, get_item...) could not be recognised"
        )
    if coverage.blind:
        out.append(
            f"dynaguard found {routes} but recognised no DynamoDB access, so no finding about"
            " DynamoDB can appear: if the project reaches DynamoDB through a wrapper, an extension"
            " or a repository class, declare it under [tool.dynaguard.models] (docs/models.md)"
        )
    elif coverage.blind_routes:
        shown = ", ".join(coverage.blind_routes[:_BLIND_SHOWN])
        more = len(coverage.blind_routes) - _BLIND_SHOWN
        tail = f" and {more} more" if more > 0 else ""
        out.append(f"routes that reach no recognised DynamoDB call: {shown}{tail}")
    return out


def state_counts(report: Report) -> dict[BaselineState, int]:
    """How many findings are new, unchanged, updated and gone since what the report compares
    with (suppressed ones apart: they are counted as suppressed)."""
    counts = dict.fromkeys(BaselineState, 0)
    for finding in (*report.findings, *report.hidden):
        if finding.baseline_state is not None and finding.suppression is None:
            counts[finding.baseline_state] += 1
    return counts


def comparison_sentence(report: Report) -> str | None:
    """``compared with git ref main (1a2b3c4d5e6f): 2 new, 5 unchanged, 0 updated, 1 gone``."""
    if not report.compared_with:
        return None
    counts = state_counts(report)
    gone = counts.pop(BaselineState.ABSENT)
    parts = [f"{n} {state.value}" for state, n in counts.items()] + [f"{gone} gone"]
    return f"compared with {one_line(report.compared_with)}: " + ", ".join(parts)
