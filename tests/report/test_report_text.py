"""Text: the lines a developer reads in a terminal or a CI log."""

from __future__ import annotations

from dataclasses import replace

from dynaguard.model import Finding, Location, Report
from dynaguard.report import text


def test_static_finding_block(static_finding: Finding) -> None:
    out = text.render(Report(findings=(static_finding,)))
    lines = [line.strip() for line in out.splitlines()]
    assert lines[0] == "app/routes.py"
    assert lines[1] == "DG101 Request body written as a DynamoDB item [high/high]"
    assert lines[2] == "app/routes.py:18:5 in create_user"
    assert lines[3] == "18 | table.put_item(Item=data)"
    assert (
        "path: request.get_json() (app/handlers.py:12) → data (line 14) "
        "→ Table.put_item(Item=...) (line 18)"
    ) in lines
    assert "route: POST /users" in lines
    assert "fix: " + static_finding.rule.hint in lines
    assert "docs: docs/rules/DG101.md" in lines


def test_dynamic_finding_is_grouped_by_endpoint_after_files(full_report: Report) -> None:
    headings = [line for line in text.render(full_report).splitlines() if line[:1] not in " "]
    assert headings[:3] == ["app/admin.py", "app/routes.py", "GET /users/<user_id>"]


def test_dynamic_finding_lists_its_evidence(dynamic_finding: Finding) -> None:
    out = text.render(Report(findings=(dynamic_finding,)))
    assert "[critical/confirmed]" in out
    assert (
        "evidence 2: bob: GET http://127.0.0.1:8000/users/u-alice -> 200 (bob reads alice's item)"
        in out
    )
    assert "curl -H 'Authorization: Bearer $BOB_TOKEN'" in out


def test_summary_line_counts_and_lists_warnings(full_report: Report) -> None:
    tail = text.render(full_report).splitlines()[-5:]
    assert tail[0] == (
        "3 findings: 1 critical, 1 high, 1 medium; 4 files scanned; 1 suppressed; 2 baselined"
    )
    assert tail[1] == "grade: F"
    assert tail[2] == "2 warnings:"
    assert tail[3].strip() == "app/legacy.py:3: could not parse: invalid syntax"


def test_clean_report_says_no_findings(empty_report: Report) -> None:
    assert text.render(empty_report) == (
        "no findings; 4 files scanned; 0 suppressed; 0 baselined\n"
    )


def test_terminal_escapes_in_untrusted_text_are_neutralised(static_finding: Finding) -> None:
    hostile = "x = 1\x1b[2J\x1b]0;pwned\x07 \u202eevil"
    location = replace(static_finding.location or Location("a.py", 1), snippet=hostile)
    finding = replace(static_finding, location=location, message="line\nbreak\rhere")
    out = text.render(Report(findings=(finding,)))
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\u202e" not in out
    assert "\r" not in out
    assert "x = 1\\x1b[2J\\x1b]0;pwned\\x07 \\u202eevil" in out
    assert "line\\x0abreak\\x0dhere" in out
