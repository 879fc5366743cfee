"""SARIF for gates: baseline state, suppressions instead of dropped results, GitHub's limits."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from dynaguard.model import BaselineState, Finding, Report, Suppression, SuppressionKind
from dynaguard.report import sarif

IN_SOURCE = Suppression(SuppressionKind.IN_SOURCE, "# dynaguard: ignore[DG101] at app.py:3")
EXTERNAL = Suppression(SuppressionKind.EXTERNAL, "accepted in the baseline b.json")


def _results(report: Report, **limits: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    run = json.loads(sarif.render(report, **limits))["runs"][0]
    return run["results"], run


def _compared(static_finding: Finding, dynamic_finding: Finding) -> Report:
    new = replace(static_finding, baseline_state=BaselineState.NEW)
    same = replace(dynamic_finding, baseline_state=BaselineState.UNCHANGED)
    updated = replace(static_finding, fingerprint="u", baseline_state=BaselineState.UPDATED)
    gone = replace(static_finding, fingerprint="g", baseline_state=BaselineState.ABSENT)
    quiet = replace(
        static_finding, fingerprint="q", suppression=IN_SOURCE, baseline_state=BaselineState.NEW
    )
    accepted = replace(
        static_finding,
        fingerprint="a",
        suppression=EXTERNAL,
        baseline_state=BaselineState.UNCHANGED,
    )
    return Report(
        findings=(new,),
        hidden=(same, updated, gone, quiet, accepted),
        compared_with="git ref main (0123456789ab)",
    )


def test_every_result_carries_its_baseline_state(
    sarif_validator: Any, static_finding: Finding, dynamic_finding: Finding
) -> None:
    report = _compared(static_finding, dynamic_finding)
    log = json.loads(sarif.render(report))
    assert not list(sarif_validator.iter_errors(log))
    results = log["runs"][0]["results"]
    states = [
        (r["partialFingerprints"][sarif.FINGERPRINT_KEY], r["baselineState"]) for r in results
    ]
    assert states[0] == (static_finding.fingerprint, "new")  # the gated finding comes first
    assert sorted(states[1:]) == sorted(
        [
            (dynamic_finding.fingerprint, "unchanged"),
            ("u", "updated"),
            ("q", "new"),
            ("a", "unchanged"),
        ]
    )
    # Gone from the code: counted, never a result (GitHub would open an alert for it).
    assert log["runs"][0]["properties"]["absent"] == 1
    assert log["runs"][0]["properties"]["comparedWith"] == "git ref main (0123456789ab)"


def test_suppressed_findings_are_results_with_suppressions(
    static_finding: Finding, dynamic_finding: Finding
) -> None:
    results, _ = _results(_compared(static_finding, dynamic_finding))
    marked = {
        r["partialFingerprints"][sarif.FINGERPRINT_KEY]: r["suppressions"]
        for r in results
        if "suppressions" in r
    }
    assert marked == {
        "q": [{"kind": "inSource", "status": "accepted", "justification": IN_SOURCE.justification}],
        "a": [{"kind": "external", "status": "accepted", "justification": EXTERNAL.justification}],
    }


def test_without_a_comparison_there_is_no_baseline_state(static_finding: Finding) -> None:
    results, run = _results(Report(findings=(static_finding,)))
    assert "baselineState" not in results[0]
    assert "comparedWith" not in run["properties"]


def test_too_many_results_keeps_the_gated_and_most_severe_and_says_so(
    sarif_validator: Any, static_finding: Finding, dynamic_finding: Finding
) -> None:
    report = _compared(static_finding, dynamic_finding)
    log = json.loads(sarif.render(report, max_results=2))
    assert not list(sarif_validator.iter_errors(log))
    run = log["runs"][0]
    kept = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in run["results"]]
    assert len(kept) == 2 and kept[0] == static_finding.fingerprint
    assert run["properties"]["truncatedResults"] == 3
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("report truncated: 2 of 5 results kept" in note for note in notes)


def test_a_report_over_the_size_limit_is_cut_to_fit(static_finding: Finding) -> None:
    many = tuple(replace(static_finding, fingerprint=f"f{n}") for n in range(200))
    whole = sarif.render(Report(findings=many))
    limit = len(whole.encode("utf-8")) // 3
    cut = sarif.render(Report(findings=many), max_bytes=limit)
    assert len(cut.encode("utf-8")) <= limit
    run = json.loads(cut)["runs"][0]
    assert 0 < len(run["results"]) < 200
    assert run["properties"]["truncatedResults"] == 200 - len(run["results"])


def test_github_limits_are_the_documented_ones() -> None:
    # https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads
    assert (sarif.MAX_RESULTS, sarif.MAX_BYTES) == (25_000, 10_000_000)
