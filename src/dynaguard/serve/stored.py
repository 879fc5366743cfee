"""How a finding is kept in ``findings.data``: the JSON report's finding object less what its
rule decides (title, CWE, OWASP, remediation, docs link: a third of its bytes, the same for
every finding of a rule), which ``full`` puts back from the catalogue when it is read."""

from __future__ import annotations

from typing import Any

from dynaguard.catalogue import get_rule
from dynaguard.model import Finding
from dynaguard.report.json import finding_dict, rule_fields

RULE_FIELDS = ("title", "cwe", "owasp", "remediation", "docs")
"""``report.json.rule_fields``' keys: left out of the stored data."""
ORDER: tuple[str, ...] = (
    "rule",
    "title",
    "severity",
    "confidence",
    "engine",
    "cwe",
    "owasp",
    "message",
)
ORDER += ("location", "endpoint", "evidence", "remediation", "fingerprint", "flow")
ORDER += ("persona", "docs")
"""``report/json.finding_dict``'s key order (a test checks ``full(compact(f))`` against it)."""


def compact(finding: Finding) -> dict[str, Any]:
    data = finding_dict(finding)
    for key in RULE_FIELDS:
        del data[key]
    return data


def full(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON report's finding object again."""
    merged = {**data, **rule_fields(get_rule(str(data["rule"])))}
    return {key: merged[key] for key in ORDER if key in merged}
