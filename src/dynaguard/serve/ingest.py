"""A report becomes a scan: findings matched by fingerprint, each one's state moved on.

The caller owns the transaction (``with session.begin()``), so a report that fails half-way
stores nothing. The same report uploaded twice (same findings, same run label) has the same
digest and is the same scan.

States, for each tracked finding of the project, when a scan arrives::

    seen, never before            -> new
    seen, was new/open/reopened   -> open
    seen, was fixed               -> reopened
    not seen, was not fixed       -> fixed

Scans are ordered by arrival. A scan fixes only what its engines could have seen (its
``Scope``): a ``dynaguard code`` upload leaves the proofs of ``dynaguard scan`` uploads alone,
and the other way round. Static and dynamic findings of one weakness in the same report are
joined first (``report.correlate``, as the HTML report shows them); a joined finding keeps the
static fingerprint, so it stays the finding ``dynaguard code`` reported before. Those uploaded
in separate reports are joined after each upload (``joined.pair``).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dynaguard.history.reading import load_document, read_document
from dynaguard.model import Engine, Finding, Report
from dynaguard.report.correlate import correlate
from dynaguard.report.grade import grade
from dynaguard.serve import joined, stored
from dynaguard.serve.store import bulk, schema
from dynaguard.serve.store.schema import Scope, State


@dataclass(frozen=True, slots=True)
class Ingested:
    """What an upload did."""

    scan_id: int
    """The scan (new, or the one this same report made before)."""
    created: bool
    """False when the report had been uploaded before."""
    counts: dict[str, Any]
    """The scan's counts (by severity, category and state)."""


def ingest(session: Session, project: schema.Project, text: str, label: str = "") -> Ingested:
    """Store the report ``text`` (JSON or SARIF) as a scan of ``project``; raises
    ``ReportError`` for a report that cannot be read."""
    document = load_document(text)
    report = read_document(document)
    digest = report_digest(document, label)
    found = session.execute(
        select(schema.Scan.id, schema.Scan.counts).where(
            schema.Scan.project_id == project.id, schema.Scan.digest == digest
        )
    ).first()
    if found is not None:
        return Ingested(found.id, False, found.counts)
    findings = tracked_findings(report)
    scan = _new_scan(
        session, project=project, report=report, findings=findings, digest=digest, label=label
    )
    states = _track(session, project.id, scan, findings)
    scan.counts = {**scan.counts, "state": dict(Counter(states.values()))}
    joined.pair(session, project.id)
    session.flush()
    return Ingested(scan.id, True, scan.counts)


def scope(report: Report) -> Scope:
    """Which engines made the report: ``dynaguard code`` scans files, ``dynaguard scan`` a URL
    (and files too with ``--source``); findings say it as well. A report that says neither
    (no files, no URL, no findings) is taken as both, which fixes everything it lacks."""
    static = report.files_scanned > 0 or any(
        joined.side(f) == Scope.STATIC.value for f in report.findings
    )
    dynamic = report.target.startswith(("http://", "https://")) or any(
        f.engine is Engine.DYNAMIC for f in report.findings
    )
    if static != dynamic:
        return Scope.STATIC if static else Scope.DYNAMIC
    return Scope.BOTH


def report_digest(document: dict[str, Any], label: str) -> str:
    """SHA-256 of the parsed report (whitespace and key order do not count) and the label."""
    canonical_text = json.dumps(document, sort_keys=True)
    return hashlib.sha256(f"{canonical_text}\x00{label}".encode()).hexdigest()


def tracked_findings(report: Report) -> list[Finding]:
    """The report's findings, static and dynamic proofs joined, one per fingerprint."""
    # A dynamic finding with a location is already joined; correlate keeps it as it is.
    static = [f for f in report.findings if f.engine is Engine.STATIC or f.location is not None]
    dynamic = [f for f in report.findings if f.engine is Engine.DYNAMIC and f.location is None]
    # NOTE: correlate sorts on every field (repr), a second for 10,000 findings: only a report
    # with proofs to join pays for it.
    joined = correlate(static, dynamic) if dynamic else report.findings
    unique: dict[str, Finding] = {}
    for finding in joined:
        # NOTE: the static engine numbers look-alike findings in one function, so a repeated
        # fingerprint is one weakness reported twice (e.g. by two joined proofs): keep the first.
        unique.setdefault(finding.fingerprint, finding)
    return list(unique.values())


def _new_scan(
    session: Session,
    *,
    project: schema.Project,
    report: Report,
    findings: list[Finding],
    digest: str,
    label: str,
) -> schema.Scan:
    result = grade(findings)
    scan = schema.Scan(
        project_id=project.id,
        digest=digest,
        created_at=schema.utc_now(),
        target=report.target,
        tool_version=report.tool_version[:50],
        label=label[:200],
        score=result.score,
        grade=result.letter,
        total=len(findings),
        scope=scope(report).value,
        counts={
            "severity": dict(Counter(f.effective_severity.value for f in findings)),
            "category": dict(Counter(f.rule.category for f in findings)),
        },
    )
    session.add(scan)
    session.flush()
    return scan


def _track(
    session: Session, project_id: int, scan: schema.Scan, findings: list[Finding]
) -> dict[int, str]:
    """Insert or move on every tracked finding of the project; ``{finding id: new state}`` for
    those whose state this scan set (``open`` included)."""
    scan_id, covered = scan.id, Scope(scan.scope)
    rows = session.execute(
        select(
            schema.Finding.id, schema.Finding.fingerprint, schema.Finding.state, schema.Finding.side
        ).where(schema.Finding.project_id == project_id)
    ).all()
    known = {row.fingerprint: (row.id, row.state) for row in rows}
    visible = {row.fingerprint for row in rows if covered.covers(row.side)}
    fresh = [f for f in findings if f.fingerprint not in known]
    seen = [f for f in findings if f.fingerprint in known]
    states: dict[int, str] = {}
    states.update(_insert_new(session, project_id, scan_id, fresh))
    states.update(_update_seen(session, scan_id, seen, known))
    seen_prints = {f.fingerprint for f in findings}
    gone = [
        finding_id
        for fingerprint, (finding_id, state) in known.items()
        if fingerprint not in seen_prints and state != State.FIXED.value and fingerprint in visible
    ]
    if gone:
        session.execute(
            update(schema.Finding), [{"id": i, "state": State.FIXED.value} for i in gone]
        )
        states.update(dict.fromkeys(gone, State.FIXED.value))
    fixed = set(gone)
    _record(session, scan_id, states, sighted=[i for i in states if i not in fixed])
    return states


def _insert_new(
    session: Session, project_id: int, scan_id: int, findings: list[Finding]
) -> dict[int, str]:
    if not findings:
        return {}
    rows = [
        {
            "project_id": project_id,
            "fingerprint": f.fingerprint,
            "rule": f.rule.id,
            "severity": f.effective_severity.value,
            "state": State.NEW.value,
            "first_seen_scan_id": scan_id,
            "last_seen_scan_id": scan_id,
            "data": stored.compact(f),
            "side": joined.side(f),
        }
        for f in findings
    ]
    ids = bulk.insert_many(session, schema.Finding, rows, returning="id")
    return dict.fromkeys(ids, State.NEW.value)


def _update_seen(
    session: Session, scan_id: int, findings: list[Finding], known: dict[str, tuple[int, str]]
) -> dict[int, str]:
    if not findings:
        return {}
    rows = []
    for f in findings:
        finding_id, state = known[f.fingerprint]
        rows.append(
            {
                "id": finding_id,
                "state": (State.REOPENED if state == State.FIXED.value else State.OPEN).value,
                "severity": f.effective_severity.value,
                "last_seen_scan_id": scan_id,
                "data": stored.compact(f),
            }
        )
    session.execute(update(schema.Finding), rows)
    return {row["id"]: row["state"] for row in rows}


def _record(session: Session, scan_id: int, states: dict[int, str], sighted: list[int]) -> None:
    """Sightings for what the scan saw, transitions for every state but ``open``."""
    if sighted:
        rows = [{"scan_id": scan_id, "finding_id": i} for i in sighted]
        bulk.insert_many(session, schema.Sighting, rows)
    changes = [
        {"finding_id": i, "scan_id": scan_id, "state": state}
        for i, state in states.items()
        if state != State.OPEN.value
    ]
    if changes:
        bulk.insert_many(session, schema.Transition, changes)
