"""``--format html``: one self-contained page with the grade, the findings and their fixes.

Everything a finding carries can come from the scanned code or the scanned API, so the page is
built to be safe when they are hostile:

- Jinja2 autoescaping is on, and untrusted values only ever appear as element text, never in
  an attribute; every ``href`` is built here from the constant docs URL or a numbered anchor.
- ``finalize`` runs on every printed value, so control and bidi-override characters are shown
  (``\\u202e``) instead of obeyed, whichever template prints them.
- The page has no script and loads nothing: its Content-Security-Policy is
  ``default-src 'none'; style-src 'unsafe-inline'``, so even an escaping bug cannot run script
  or call out. Expand and collapse use ``<details>``.

Templates live in ``templates/`` (package data: ``*.j2`` only, see pyproject.toml).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from dynaguard.model import Exchange, Finding, FlowStep, Report, Rule, Severity
from dynaguard.report import correlate, grade
from dynaguard.report._common import (
    SEVERITIES_HIGH_FIRST,
    coverage_sentences,
    docs_url,
    endpoint_label,
    escape_controls,
    location_label,
    plural,
    severity_counts,
    warning_label,
)

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
"""No script, no fetch, no navigation by form; inline CSS only."""

_RULE_ID = re.compile(r"DG\d{3}")
_GRADE = re.compile(r"[ABCDF][+-]?")
_OPEN = frozenset({Severity.CRITICAL, Severity.HIGH})
"""Severities whose findings start expanded."""


@dataclass(frozen=True, slots=True)
class Card:
    """One finding as the template shows it."""

    anchor: str
    """Element id, ``finding-3`` (numbered here, never taken from the finding)."""
    finding: Finding
    """The finding itself (its strings are untrusted)."""
    status: correlate.Status
    """Confirmed, potential, or confirmed without code."""
    status_label: str
    """``confirmed: app.py:42, proven on POST /users`` (untrusted: path and route)."""
    docs_url: str | None
    """The rule's documentation page; None unless the id is a well-formed catalogue id."""
    open: bool
    """Whether the card starts expanded."""


@dataclass(frozen=True, slots=True)
class Overall:
    """The grade shown at the top of the page."""

    letter: str
    """``A`` to ``F``, possibly with ``+``/``-`` when the CLI gave one."""
    score: int
    """0 to 100."""
    css: str
    """``grade-a`` ... ``grade-f``."""


def render(report: Report) -> str:
    """The report as one HTML document."""
    page = _environment().get_template("report.html.j2").render(context(report))
    return page.rstrip("\n") + "\n"


def context(report: Report) -> dict[str, Any]:
    """What the template needs, computed once here so the template only lays it out."""
    findings = correlate.canonical(report.findings)
    return {
        "report": report,
        "csp": CONTENT_SECURITY_POLICY,
        "overall": overall(report),
        "categories": grade.category_grades(findings),
        "severity_counts": severity_counts(report),
        "status_counts": status_counts(findings),
        "sections": sections(findings),
        "warnings": [warning_label(w) for w in report.warnings],
        "coverage": coverage_sentences(report.coverage) if report.coverage else [],
    }


def overall(report: Report) -> Overall:
    """The CLI's grade and score from ``Report.extra`` when well-formed, else computed ones.

    A malformed value (not ``A``-``F``, not 0-100) is ignored here so it cannot break the
    layout; the page still lists it verbatim under the scan facts.
    """
    given = report.extra.get("score", "")
    numeric = given.isdecimal() and len(given) <= 3 and int(given) <= 100
    score = int(given) if numeric else grade.score(report.findings)
    letter = report.extra.get("grade", "")
    if not _GRADE.fullmatch(letter):
        letter = grade.letter(score)
    return Overall(letter, score, f"grade-{letter[0].lower()}")


def status_counts(findings: Iterable[Finding]) -> dict[correlate.Status, int]:
    """Findings per status, every status present."""
    counts = dict.fromkeys(correlate.Status, 0)
    for finding in findings:
        counts[correlate.status(finding)] += 1
    return counts


def sections(findings: list[Finding]) -> list[tuple[Severity, list[Card]]]:
    """Non-empty severities, critical first; in each, proven findings before potential ones."""
    rank = {status: n for n, status in enumerate(correlate.Status)}
    result: list[tuple[Severity, list[Card]]] = []
    number = 0
    for severity in SEVERITIES_HIGH_FIRST:
        found = [f for f in findings if f.effective_severity is severity]
        found.sort(key=lambda f: rank[correlate.status(f)])  # stable: report order within
        cards = []
        for finding in found:
            number += 1
            cards.append(card(finding, f"finding-{number}"))
        if cards:
            result.append((severity, cards))
    return result


def card(finding: Finding, anchor: str) -> Card:
    """One finding's card."""
    return Card(
        anchor=anchor,
        finding=finding,
        status=correlate.status(finding),
        status_label=correlate.status_label(finding),
        docs_url=rule_docs_url(finding.rule),
        open=finding.effective_severity in _OPEN,
    )


def rule_docs_url(rule: Rule) -> str | None:
    """The docs link, only for ids of the catalogue's shape (the id is part of the URL)."""
    return docs_url(rule) if _RULE_ID.fullmatch(rule.id) else None


def step_place(step: FlowStep, home: str | None) -> str:
    """``line 12`` in the finding's own file, ``path:12`` elsewhere."""
    where = step.location
    return f"line {where.line}" if where.path == home else f"{where.path}:{where.line}"


def request_text(exchange: Exchange) -> str:
    """The request as HTTP shows it: request line, headers, blank line, body."""
    lines = [f"{exchange.method} {exchange.url}"]
    lines.extend(f"{name}: {value}" for name, value in exchange.request_headers)
    return "\n".join(lines) + (f"\n\n{exchange.request_body}" if exchange.request_body else "")


def http_class(status: int) -> str:
    """``http-2xx`` ... ``http-5xx``, ``http-none`` when there was no response."""
    return f"http-{status // 100}xx" if 100 <= status <= 599 else "http-none"


def visible(value: Any) -> Any:
    """Jinja ``finalize``: every printed string shows its control and bidi characters.

    Newlines survive (code blocks need them), tabs become spaces and CRLF becomes LF.
    """
    # Markup is the template's own output (e.g. a macro's), whose values were finalized inside.
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    lines = value.replace("\r\n", "\n").split("\n")
    return "\n".join(escape_controls(line.expandtabs(4)) for line in lines)


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dynaguard.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=visible,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.update(
        endpoint_label=endpoint_label,
        http_class=http_class,
        location_label=location_label,
        plural=plural,
        request_text=request_text,
        step_place=step_place,
    )
    return env


__all__ = ["CONTENT_SECURITY_POLICY", "Card", "Overall", "context", "render", "visible"]
