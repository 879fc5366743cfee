"""JUnit XML: parses, counts add up, one failing case per finding, a pass when clean."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from dynaguard.catalogue import get_rule
from dynaguard.model import Engine, Finding, Location, Report
from dynaguard.report import junit
from dynaguard.report._common import xml_safe


def parsed(report: Report) -> ET.Element:
    return ET.fromstring(junit.render(report))


def test_one_suite_per_rule_and_a_failing_case_per_finding(full_report: Report) -> None:
    root = parsed(full_report)
    assert (root.get("tests"), root.get("failures")) == ("3", "3")
    suites = root.findall("testsuite")
    assert [s.get("name", "")[:5] for s in suites] == ["DG101", "DG201", "DG301", "dynag"]
    failures = root.findall("./testsuite/testcase/failure")
    assert [f.get("type") for f in failures] == ["DG101", "DG201", "DG301"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(len(suite.findall("testcase/failure")))


def test_failing_case_names_where_and_explains(static_finding: Finding) -> None:
    case = parsed(Report(findings=(static_finding,))).find("./testsuite/testcase")
    assert case is not None
    assert case.get("classname") == "app/routes.py"
    assert case.get("name") == "DG101 line 18 in create_user"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "DG101: " + static_finding.message
    assert "path: request.get_json() (app/handlers.py:12)" in (failure.text or "")
    assert "fix: Build the item from an allowlist" in (failure.text or "")


def test_dynamic_case_is_named_after_its_endpoint(dynamic_finding: Finding) -> None:
    case = parsed(Report(findings=(dynamic_finding,))).find("./testsuite/testcase")
    assert case is not None
    assert case.get("classname") == "GET /users/<user_id>"


def test_clean_report_has_one_passing_case(empty_report: Report) -> None:
    root = parsed(empty_report)
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    (case,) = root.iter("testcase")
    assert case.get("name") == "no findings"
    assert case.find("failure") is None


def test_run_facts_and_warnings_are_in_the_summary_suite(full_report: Report) -> None:
    suite = parsed(full_report).find("./testsuite[@name='dynaguard']")
    assert suite is not None
    facts = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert facts["baselined"] == "2"
    assert facts["extra.grade"] == "F"
    system_err = suite.findtext("system-err") or ""
    assert system_err.splitlines()[0] == "app/legacy.py:3: could not parse: invalid syntax"


@given(st.text(), st.text())
def test_any_untrusted_text_gives_well_formed_xml(message: str, path: str) -> None:
    finding = Finding(
        rule=get_rule("DG101"),
        engine=Engine.STATIC,
        message=message,
        fingerprint="f",
        location=Location(path, 1, 1, path, message),
    )
    case = parsed(Report(findings=(finding,))).find("./testsuite/testcase")
    assert case is not None
    assert case.get("classname") == xml_safe(path)
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == xml_safe("DG101: " + message)
