"""Compare a run's findings with an earlier run's: what is new, unchanged, updated or gone.

Pure. Matching is by fingerprint counted as a multiset, so a fingerprint present twice now and
once before leaves one of the two new. (The static engine already numbers same-looking findings
in one function, ``static/findings.with_fingerprints``; counting here keeps the rule true for
any engine.) Within one fingerprint, findings pair up in location order, so the later copy is
the new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from dynaguard.model import BaselineState, Finding


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every finding of both runs, each with its ``baseline_state``."""

    new: tuple[Finding, ...]
    """Findings now whose fingerprint has no partner before."""
    existing: tuple[Finding, ...]
    """Findings now with a partner before: unchanged or updated."""
    absent: tuple[Finding, ...]
    """Findings before with no partner now (as they were before)."""


def compare(current: Iterable[Finding], previous: Iterable[Finding]) -> Comparison:
    """Pair ``current`` with ``previous`` by fingerprint, occurrences counted."""
    before: dict[str, list[Finding]] = {}
    for finding in sorted(previous, key=Finding.sort_key):
        before.setdefault(finding.fingerprint, []).append(finding)
    new: list[Finding] = []
    existing: list[Finding] = []
    for finding in sorted(current, key=Finding.sort_key):
        partners = before.get(finding.fingerprint)
        if not partners:
            new.append(replace(finding, baseline_state=BaselineState.NEW))
            continue
        partner = partners.pop(0)
        state = BaselineState.UNCHANGED if _same(finding, partner) else BaselineState.UPDATED
        existing.append(replace(finding, baseline_state=state))
    absent = [
        replace(f, baseline_state=BaselineState.ABSENT) for group in before.values() for f in group
    ]
    return Comparison(tuple(new), tuple(existing), tuple(sorted(absent, key=Finding.sort_key)))


def _same(now: Finding, then: Finding) -> bool:
    """Whether what a reader sees changed; a moved line is not a change."""
    return (
        now.message == then.message
        and now.effective_severity == then.effective_severity
        and now.endpoint == then.endpoint
        and [step.note for step in now.flow] == [step.note for step in then.flow]
    )


def mark(findings: Iterable[Finding], state: BaselineState) -> tuple[Finding, ...]:
    """The findings, each with ``state``."""
    return tuple(replace(f, baseline_state=state) for f in findings)
