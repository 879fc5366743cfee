"""Comparing two runs' findings by fingerprint, occurrences counted."""

from __future__ import annotations

from dataclasses import replace

from dynaguard.catalogue import get_rule
from dynaguard.history.compare import compare
from dynaguard.model import BaselineState, Engine, Finding, Location

RULE = get_rule("DG101")


def _finding(fingerprint: str, line: int, message: str = "m") -> Finding:
    return Finding(
        rule=RULE,
        engine=Engine.STATIC,
        message=message,
        fingerprint=fingerprint,
        location=Location("app.py", line, 1, "f", "x"),
    )


def test_occurrences_are_counted_and_the_later_copy_is_new() -> None:
    result = compare([_finding("a", 20), _finding("a", 10)], [_finding("a", 5)])
    assert [(f.location.line if f.location else 0) for f in result.new] == [20]
    assert [f.baseline_state for f in result.new] == [BaselineState.NEW]
    assert [f.baseline_state for f in result.existing] == [BaselineState.UNCHANGED]
    assert result.absent == ()


def test_a_moved_line_is_unchanged_and_a_changed_message_is_updated() -> None:
    result = compare(
        [_finding("moved", 30), _finding("reworded", 3, "new words")],
        [_finding("moved", 3), _finding("reworded", 3, "old words")],
    )
    states = {f.fingerprint: f.baseline_state for f in result.existing}
    assert states == {"moved": BaselineState.UNCHANGED, "reworded": BaselineState.UPDATED}


def test_findings_that_are_gone_are_absent_as_they_were() -> None:
    before = _finding("fixed", 7)
    result = compare([], [before, replace(before, fingerprint="also")])
    assert sorted(f.fingerprint for f in result.absent) == ["also", "fixed"]
    assert {f.baseline_state for f in result.absent} == {BaselineState.ABSENT}
    assert result.absent[0].location == before.location
