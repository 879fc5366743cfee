"""Untrusted content (snippets, messages, paths, response bodies) renders safely in every format.

Scanned code and scanned APIs are attacker-controlled: a snippet must not close a JUnit element,
inject HTML or links into a Markdown PR comment, break the JSON/SARIF document, or drive the
terminal that shows the text report.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest
from markdown_it import MarkdownIt

from dynaguard.model import Endpoint, Exchange, Finding, Location, Report, ScanWarning
from dynaguard.report import OutputFormat, render
from dynaguard.report._common import DOCS_URL_BASE

HOSTILE = (
    "x = '</failure></testcase><script>alert(1)</script>' ``ticks` | a | b |\n"
    "# heading [link](https://evil.example) ![img](https://evil.example/x.png) <b>&amp;</b> "
    "\x1b[31mred\x1b[0m \u202eevil ]]> *em* _u_ ~~s~~ $math$ \x00"
)


@pytest.fixture
def hostile_report(static_finding: Finding, dynamic_finding: Finding) -> Report:
    location = Location("app/<b>|`x`.py", 18, 5, "f</testcase>", HOSTILE)
    static = replace(static_finding, message=HOSTILE, location=location)
    exchange = Exchange(
        "POST",
        "http://h/<x>",
        (("X", HOSTILE),),
        HOSTILE,
        500,
        HOSTILE,
        "eve",
        HOSTILE,
        "curl '" + HOSTILE + "'",
    )
    dynamic = replace(
        dynamic_finding,
        message=HOSTILE,
        endpoint=Endpoint("POST", "/a|`b`<c>"),
        evidence=(exchange,),
    )
    return Report(
        findings=(static, dynamic),
        warnings=(ScanWarning(HOSTILE, "app/<x>.py", 1),),
        target=HOSTILE,
        extra={"note": HOSTILE},
    )


def test_json_round_trips_untrusted_text(hostile_report: Report) -> None:
    document = json.loads(render(hostile_report, OutputFormat.JSON))
    assert {f["message"] for f in document["findings"]} == {HOSTILE}
    evidence = document["findings"][0]["evidence"][0]
    assert evidence["response_body"] == HOSTILE
    assert document["summary"]["target"] == HOSTILE


def test_sarif_stays_valid_and_round_trips_untrusted_text(
    hostile_report: Report, sarif_validator: Any
) -> None:
    log = json.loads(render(hostile_report, OutputFormat.SARIF))
    assert not list(sarif_validator.iter_errors(log))
    messages = [r["message"]["text"] for r in log["runs"][0]["results"]]
    assert all(m.startswith(HOSTILE) for m in messages)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == ["endpoints/POST/a%7C%60b%60%3Cc%3E", "app/%3Cb%3E%7C%60x%60.py"]


def test_junit_keeps_its_structure(hostile_report: Report) -> None:
    root = ET.fromstring(render(hostile_report, OutputFormat.JUNIT))
    assert len(root.findall("./testsuite/testcase/failure")) == 2
    assert root.find(".//script") is None
    assert {e.tag for e in root.iter()} <= {
        "testsuites",
        "testsuite",
        "testcase",
        "failure",
        "properties",
        "property",
        "system-err",
    }
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None
    assert "</failure></testcase><script>" in (failure.text or "")


def test_markdown_has_no_html_images_or_foreign_links(hostile_report: Report) -> None:
    tokens = (
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .parse(render(hostile_report, OutputFormat.MARKDOWN))
    )
    inline = [child for t in tokens for child in (t.children or [])]
    kinds = {t.type for t in tokens} | {t.type for t in inline}
    assert not kinds & {"html_block", "html_inline", "image", "s_open", "em_open"}
    links = [t.attrGet("href") for t in inline if t.type == "link_open"]
    assert links and all(str(href).startswith(DOCS_URL_BASE) for href in links)
    headings = [t for t in tokens if t.type == "heading_open"]
    # title, 2 groups, 2 findings, warnings: the snippet's "# heading" did not add one
    assert len(headings) == 6
    spans = [t.content for t in inline if t.type == "code_inline"]
    assert "app/<b>|`x`.py" in spans


def test_text_has_no_control_characters(hostile_report: Report) -> None:
    out = render(hostile_report, OutputFormat.TEXT)
    assert not [c for c in out if c != "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)]
    assert "\u202e" not in out
    assert "\\x1b[31mred" in out
