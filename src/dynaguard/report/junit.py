"""``--format junit``: JUnit XML for CI systems that show test results (GitLab, Jenkins, Azure).

One ``testsuite`` per rule with a failing ``testcase`` per finding, then a ``dynaguard`` suite
holding the run's facts as properties, its warnings in ``system-err`` and, when nothing was
found, one passing testcase, so a clean scan shows up as a pass rather than as nothing.
ElementTree escapes markup; ``xml_safe`` handles the characters XML cannot carry at all.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dynaguard.model import Finding, Report, Rule
from dynaguard.report._common import (
    endpoint_label,
    ordered,
    rules_used,
    warning_label,
    xml_safe,
)
from dynaguard.report.text import finding_lines

SUMMARY_SUITE = "dynaguard"


def render(report: Report) -> str:
    """The report as a ``testsuites`` document."""
    findings = ordered(report.findings)
    root = ET.Element("testsuites", name="dynaguard")
    for rule in rules_used(findings):
        root.append(_rule_suite(rule, [f for f in findings if f.rule.id == rule.id]))
    root.append(_summary_suite(report))
    _set_counts(root, tests=len(findings) or 1, failures=len(findings))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _rule_suite(rule: Rule, findings: list[Finding]) -> ET.Element:
    suite = ET.Element("testsuite", name=f"{rule.id} {rule.title}")
    _set_counts(suite, tests=len(findings), failures=len(findings))
    for finding in findings:
        suite.append(_failing_case(finding))
    return suite


def _failing_case(finding: Finding) -> ET.Element:
    classname, name = _case_names(finding)
    case = ET.Element("testcase", classname=xml_safe(classname), name=xml_safe(name))
    failure = ET.SubElement(case, "failure", type=finding.rule.id)
    failure.set("message", xml_safe(f"{finding.rule.id}: {finding.message}"))
    # The text formatter already neutralises terminal escapes; reuse its layout as the detail.
    failure.text = xml_safe("\n".join(finding_lines(finding)))
    return case


def _case_names(finding: Finding) -> tuple[str, str]:
    """``(classname, name)``: the file (or endpoint) groups cases; the name says where."""
    rule_id = finding.rule.id
    location = finding.location
    if location is not None:
        name = f"{rule_id} line {location.line}"
        if location.function:
            name += f" in {location.function}"
        return location.path, name
    if finding.endpoint is not None:
        return endpoint_label(finding.endpoint), rule_id
    return SUMMARY_SUITE, rule_id


def _summary_suite(report: Report) -> ET.Element:
    suite = ET.Element("testsuite", name=SUMMARY_SUITE)
    properties = ET.SubElement(suite, "properties")
    facts = {
        "target": report.target,
        "tool_version": report.tool_version,
        "files_scanned": str(report.files_scanned),
        "suppressed": str(report.suppressed),
        "baselined": str(report.baselined),
        # Prefixed so a free-form fact can never shadow one of the facts above.
        **{f"extra.{key}": value for key, value in sorted(report.extra.items())},
    }
    for name, value in facts.items():
        ET.SubElement(properties, "property", name=xml_safe(name), value=xml_safe(value))
    clean = not report.findings
    if clean:
        ET.SubElement(suite, "testcase", classname=SUMMARY_SUITE, name="no findings")
    if report.warnings:
        system_err = ET.SubElement(suite, "system-err")
        system_err.text = xml_safe("\n".join(warning_label(w) for w in report.warnings))
    _set_counts(suite, tests=int(clean), failures=0)
    return suite


def _set_counts(element: ET.Element, tests: int, failures: int) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", "0")
