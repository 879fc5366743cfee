"""HTML: snapshots, the page's structure parsed with ``html.parser``, hostile input, the grade.

The structural checks are an allowlist: only the template's own tags and attributes may appear,
every link is the docs link or an in-page anchor, nothing is loaded, and the CSP comes first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynaguard.model import Confidence, Endpoint, Finding, Report, Severity
from dynaguard.report import grade, html
from dynaguard.report._common import DOCS_URL_BASE
from dynaguard.report.correlate import correlate
from tests.browser.hostile import HOSTILE, PAYLOADS, hostile_report
from tests.report.conftest import make_dynamic, make_static

TAGS = {"html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section"}
TAGS |= {"div", "p", "span", "small", "b", "code", "pre", "h1", "h2", "h3", "h4", "a"}
TAGS |= {"ul", "ol", "li", "dl", "dt", "dd", "details", "summary", "figure", "figcaption"}
ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "rel"}
ATTRIBUTES |= {"open", "style", "aria-label"}
DOCS_LINK = re.compile(re.escape(DOCS_URL_BASE) + r"docs/rules/DG\d{3}\.md")
ANCHOR = re.compile(r"#[a-z0-9-]+")
TOKEN = re.compile(r"[a-z0-9_ -]*")


class Page(HTMLParser):
    """Elements, attributes, text and comments of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def attr(self, name: str) -> list[str]:
        return [str(attrs[name]) for _, attrs in self.elements if name in attrs]


def parse(document: str) -> Page:
    page = Page()
    page.feed(document)
    page.close()
    return page


def words(page: Page) -> str:
    """The page's text as a reader sees it: one space between text nodes and words."""
    return " ".join(" ".join(page.text).split())


def assert_structure(document: str) -> Page:
    """The allowlist every rendered page must satisfy."""
    page = parse(document)
    assert {tag for tag, _ in page.elements} <= TAGS
    names = {name for _, attrs in page.elements for name in attrs}
    assert names <= ATTRIBUTES, names - ATTRIBUTES
    assert not [n for n in names if n.startswith("on")]
    assert all(DOCS_LINK.fullmatch(h) or ANCHOR.fullmatch(h) for h in page.attr("href"))
    assert all(re.fullmatch(r"width: \d{1,3}%", s) for s in page.attr("style"))
    assert all(TOKEN.fullmatch(value) for value in page.attr("class") + page.attr("id"))
    assert page.elements[2:4] == [
        ("meta", {"charset": "utf-8"}),
        (
            "meta",
            {"http-equiv": "Content-Security-Policy", "content": html.CONTENT_SECURITY_POLICY},
        ),
    ]
    assert not page.comments
    return page


def test_full_report_matches_snapshot(
    full_report: Report, snapshot: Callable[[str, str], None]
) -> None:
    # Same names as tests/report/test_report_formatters.py would use for OutputFormat.HTML.
    snapshot("full.html", html.render(full_report))


def test_empty_report_matches_snapshot(
    empty_report: Report, snapshot: Callable[[str, str], None]
) -> None:
    snapshot("empty.html", html.render(empty_report))


@pytest.mark.parametrize("name", ["full_report", "empty_report"])
def test_page_structure(name: str, request: pytest.FixtureRequest) -> None:
    page = assert_structure(html.render(request.getfixturevalue(name)))
    assert "script" not in {tag for tag, _ in page.elements}


def test_hostile_page_keeps_its_structure_and_shows_payloads_as_text() -> None:
    report = hostile_report()
    document = html.render(report)
    page = assert_structure(document)
    text = "".join(page.text)
    for payload in PAYLOADS[:6]:
        assert payload in text, payload
    # Template syntax in values is shown, not evaluated.
    assert "{{ 7*7 }} {% raw %} {{ config.items() }}" in text
    assert "data-pwned" not in {name for _, attrs in page.elements for name in attrs}
    # Three findings have a catalogue id; the rogue rule's id is never put into a link.
    assert len([h for h in page.attr("href") if h.startswith(DOCS_URL_BASE)]) == 3


def test_control_and_bidi_characters_are_shown_not_obeyed() -> None:
    document = html.render(hostile_report())
    for char in "\u202e\u202c\u2066\u2069\u200f\x1b\x00":
        assert char not in document
    assert "\\u202egnp.exe\\u202c" in document
    assert "\\x1b[31mred\\x00" in document


def test_newlines_survive_in_code_and_bodies() -> None:
    text = "".join(parse(html.render(hostile_report())).text)
    assert html.visible(HOSTILE) in text


@given(st.text())
def test_visible_keeps_only_newlines_of_the_controls(value: str) -> None:
    shown = html.visible(value)
    assert not [c for c in shown if c != "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)]
    assert shown.count("\n") == value.replace("\r\n", "\n").count("\n")


def test_joined_static_and_dynamic_finding_shows_one_confirmed_card() -> None:
    proof = replace(make_dynamic(), rule=make_static().rule, endpoint=Endpoint("POST", "/users/"))
    report = Report(findings=correlate([make_static()], [proof]))
    text = words(parse(html.render(report)))
    assert "Status confirmed: app/routes.py:18, proven on POST /users/" in text
    assert "Taint path" in text and "Evidence" in text and "Reproduce" in text


def test_cards_show_status_fix_and_docs(full_report: Report) -> None:
    page = parse(html.render(full_report))
    text = words(page)
    assert "Status potential" in text
    assert "Status confirmed (code not scanned)" in text
    assert "Fixed with dynaguard.secure owned_key(table, user_id)" in text
    assert "Vulnerable @app.post('/users')" in text
    assert DOCS_URL_BASE + "docs/rules/DG101.md" in page.attr("href")


def test_critical_and_high_findings_start_open(full_report: Report) -> None:
    page = parse(html.render(full_report))
    details = [attrs for tag, attrs in page.elements if tag == "details"]
    assert [("open" in attrs) for attrs in details] == [True, True, False]


def test_templates_ship_as_package_data() -> None:
    # pyproject's package-data globs ship *.j2 and *.html only.
    names = [p.name for p in files("dynaguard.report").joinpath("templates").iterdir()]
    assert "report.html.j2" in names
    assert all(name.endswith((".j2", ".html")) for name in names)


# The grade ------------------------------------------------------------------------------------


def finding(severity: Severity, confidence: Confidence) -> Finding:
    return replace(make_static(), severity=severity, confidence=confidence)


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([], grade.Grade(100, "A")),
        ([finding(Severity.CRITICAL, Confidence.CONFIRMED)], grade.Grade(75, "C")),
        ([finding(Severity.HIGH, Confidence.HIGH)], grade.Grade(88, "B")),
        ([finding(Severity.INFO, Confidence.LOW)], grade.Grade(99, "A")),
        ([finding(Severity.MEDIUM, Confidence.MEDIUM)] * 3, grade.Grade(88, "B")),
        ([finding(Severity.CRITICAL, Confidence.CONFIRMED)] * 5, grade.Grade(0, "F")),
    ],
)
def test_grade_formula(findings: list[Finding], expected: grade.Grade) -> None:
    assert grade.grade(findings) == expected


@pytest.mark.parametrize(
    ("score", "letter"),
    [(100, "A"), (90, "A"), (89, "B"), (80, "B"), (79, "C"), (70, "C"), (60, "D"), (59, "F")],
)
def test_letter_floors(score: int, letter: str) -> None:
    assert grade.letter(score) == letter


levels = st.builds(finding, st.sampled_from(Severity), st.sampled_from(Confidence))


@given(st.lists(levels, max_size=12), levels)
def test_score_is_bounded_and_only_falls(findings: list[Finding], extra: Finding) -> None:
    before = grade.score(findings)
    assert 0 <= grade.score([*findings, extra]) <= before <= 100
    assert grade.score(reversed(findings)) == before


def test_category_grades_list_every_category(full_report: Report) -> None:
    grades = grade.category_grades(full_report.findings)
    assert [g.category for g in grades] == [f"DG{n}" for n in range(1, 9)]
    assert [(g.name, g.findings, g.grade.score) for g in grades[:3]] == [
        ("Mass assignment", 1, 88),
        ("Authorization", 1, 75),
        ("Validation", 1, 93),
    ]
    rogue = replace(make_static(), rule=replace(make_static().rule, id="<script>"))
    assert [g.category for g in grade.category_grades([rogue])][-2:] == ["DG8", "<sc"]
    assert grade.category_grades([rogue])[-1].name == "Other"


@pytest.mark.parametrize(
    ("extra", "letter", "score"),
    [
        ({}, "F", 56),
        ({"grade": "B+"}, "B+", 56),
        ({"score": "72"}, "C", 72),
        ({"score": "72", "grade": "A"}, "A", 72),
        ({"score": "<b>", "grade": "<b>"}, "F", 56),
        ({"score": "101", "grade": "E"}, "F", 56),
        ({"score": "9" * 5000}, "F", 56),
    ],
)
def test_overall_prefers_a_well_formed_cli_grade(
    full_report: Report, extra: dict[str, str], letter: str, score: int
) -> None:
    shown = html.overall(replace(full_report, extra=extra))
    assert shown == html.Overall(letter, score, f"grade-{letter[0].lower()}")
