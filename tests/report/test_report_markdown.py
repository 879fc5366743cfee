"""Markdown: structure, and escaping checked with a CommonMark parser (markdown-it-py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from dynaguard.model import Report
from dynaguard.report import markdown
from dynaguard.report._common import escape_controls

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
PLAIN = {"text", "softbreak"}


def flat(value: str) -> str:
    """What a one-line rendering of untrusted text should show."""
    return escape_controls(" ".join(value.split()))


def inline_children(document: str) -> list[Token]:
    children: list[Token] = []
    for token in PARSER.parse(document):
        children.extend(token.children or [])
    return children


def block_types(document: str) -> list[str]:
    return [token.type for token in PARSER.parse(document)]


def test_sections_per_file_then_endpoint(full_report: Report) -> None:
    headings = [line for line in markdown.render(full_report).splitlines() if line.startswith("#")]
    assert headings == [
        "# dynaguard report",
        "## `app/admin.py`",
        "### DG301 Request data written with no server\\-side validation",
        "## `app/routes.py`",
        "### DG101 Request body written as a DynamoDB item",
        "## `GET /users/<user_id>`",
        "### DG201 Client\\-chosen identifier selects an item with no owner check",
        "## Warnings",
    ]


def test_summary_table_parses_as_a_table(full_report: Report) -> None:
    tokens = PARSER.parse(markdown.render(full_report))
    start = [t.type for t in tokens].index("table_open")
    end = [t.type for t in tokens].index("table_close")
    cells = [t.content for t in tokens[start:end] if t.type == "inline"]
    assert cells == [
        "Severity",
        "Findings",
        "critical",
        "1",
        "high",
        "1",
        "medium",
        "1",
        "low",
        "0",
        "info",
        "0",
    ]


def test_finding_shows_code_flow_fix_and_docs_link(full_report: Report) -> None:
    out = markdown.render(full_report)
    assert "```python\ntable.put_item(Item=data)\n```" in out
    assert "1. `request.get_json()` at `app/handlers.py:12`" in out
    assert "2. `data` at line 14" in out
    links = [t.attrGet("href") for t in inline_children(out) if t.type == "link_open"]
    assert "https://github.com/dynaguard/dynaguard/blob/main/docs/rules/DG101.md" in links


def test_clean_report_has_no_finding_sections(empty_report: Report) -> None:
    out = markdown.render(empty_report)
    assert "No findings in `/srv/shop`" in out
    assert "##" not in out


@given(st.text())
def test_prose_never_becomes_markup(value: str) -> None:
    for document in (markdown.text(value), "- " + markdown.text(value)):
        kinds = {t.type for t in inline_children(document)}
        assert kinds <= PLAIN, document
        joined = "".join(t.content for t in inline_children(document))
        assert joined == flat(value)
    assert block_types(markdown.text(value) or "x")[0] == "paragraph_open"


@given(st.text())
def test_code_span_shows_exactly_the_text(value: str) -> None:
    children = inline_children("a " + markdown.code_span(value) + " b")
    spans = [t for t in children if t.type == "code_inline"]
    assert len(spans) == 1
    assert spans[0].content == (flat(value) or " ")


@given(st.text(alphabet=st.sampled_from("`~ab\n<>|")))
def test_code_block_cannot_be_closed_from_inside(value: str) -> None:
    tokens = PARSER.parse(markdown.code_block(value, "python") + "\nafter\n")
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 1
    assert fences[0].content == "".join(line + "\n" for line in value.splitlines())
