"""What the pages and the API read: projects with their latest scan, scans, findings, a
finding's life. Each is a few indexed queries, whatever the number of scans stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from dynaguard.serve import joined, triage
from dynaguard.serve.store import schema

PAGE_SIZE = 200
"""Findings per page of the findings list."""
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    project: schema.Project
    latest: schema.Scan | None
    scans: int
    open_findings: int


@dataclass(frozen=True, slots=True)
class Row:
    """A tracked finding with the triage mark that applies to it now, if any."""

    finding: schema.Finding
    mark: schema.TriageMark | None
    data: dict[str, Any]
    """What is shown: the JSON report's finding object, joined with ``proof`` if any."""
    proof: schema.Finding | None = None
    """The dynamic finding joined with this static one (uploaded in another report)."""


@dataclass(frozen=True, slots=True)
class Life:
    """Everything that happened to a finding."""

    finding: schema.Finding
    first_seen: schema.Scan
    last_seen: schema.Scan
    sightings: int
    transitions: list[tuple[schema.Scan, str]]
    marks: list[schema.TriageMark]
    mark: schema.TriageMark | None
    data: dict[str, Any]
    """As ``Row.data``."""
    partner: schema.Finding | None
    """The other half of a joined pair: a static finding's proof, or a proof's static finding."""
    partner_transitions: list[tuple[schema.Scan, str]]


def project_summaries(session: Session) -> list[ProjectSummary]:
    projects = session.scalars(select(schema.Project).order_by(schema.Project.name)).all()
    latest_ids = _pairs(
        session.execute(
            select(schema.Scan.project_id, func.max(schema.Scan.id)).group_by(
                schema.Scan.project_id
            )
        )
    )
    scan_counts = _pairs(
        session.execute(
            select(schema.Scan.project_id, func.count()).group_by(schema.Scan.project_id)
        )
    )
    open_counts = _pairs(
        session.execute(
            select(schema.Finding.project_id, func.count())
            .where(schema.Finding.state != schema.State.FIXED.value, _shown())
            .group_by(schema.Finding.project_id)
        )
    )
    return [
        ProjectSummary(
            p,
            session.get(schema.Scan, latest_ids[p.id]) if p.id in latest_ids else None,
            scan_counts.get(p.id, 0),
            open_counts.get(p.id, 0),
        )
        for p in projects
    ]


def _pairs(rows: Iterable[Any]) -> dict[int, int]:
    """``{key: value}`` of two-column rows."""
    return {key: value for key, value in rows}


def scans(session: Session, project_id: int, limit: int = 500) -> list[schema.Scan]:
    """The project's scans, oldest first (the latest ``limit``)."""
    newest = session.scalars(
        select(schema.Scan)
        .where(schema.Scan.project_id == project_id)
        .order_by(schema.Scan.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(newest))


def findings(
    session: Session, project_id: int, states: tuple[str, ...] = (), page: int = 1
) -> tuple[list[Row], int]:
    """A page of the project's findings (most severe first) and how many match in all."""
    condition = [schema.Finding.project_id == project_id, _shown()]
    if states:
        condition.append(schema.Finding.state.in_(states))
    total = session.scalar(select(func.count()).select_from(schema.Finding).where(*condition))
    rows = session.scalars(
        select(schema.Finding)
        .where(*condition)
        .order_by(_rank(), schema.Finding.rule, schema.Finding.id)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    proofs = joined.proofs_of(session, [r.id for r in rows])
    ids = [r.id for r in rows] + [p.id for p in proofs.values()]
    marks = triage.active_marks(session, ids)
    return _rows(rows, proofs, marks), total or 0


def _shown() -> ColumnElement[bool]:
    """A proof joined with a static finding is shown as part of it, never on its own."""
    return schema.Finding.joined_to_id.is_(None)


def _rows(
    findings: Iterable[schema.Finding],
    proofs: dict[int, schema.Finding],
    marks: dict[int, schema.TriageMark],
) -> list[Row]:
    rows = []
    for finding in findings:
        proof = proofs.get(finding.id)
        mark = marks.get(finding.id) or (marks.get(proof.id) if proof else None)
        rows.append(Row(finding, mark, joined.shown(finding, proof), proof))
    return rows


def _rank() -> ColumnElement[int]:
    """Most severe first (severities are stored as their names)."""
    return case(
        {name: rank for rank, name in enumerate(SEVERITY_ORDER)},
        value=schema.Finding.severity,
        else_=len(SEVERITY_ORDER),
    )


def open_findings(session: Session, project_id: int) -> list[Row]:
    """Every finding not fixed, with its mark (for exports and the CLI's gate)."""
    rows = session.scalars(
        select(schema.Finding)
        .where(
            schema.Finding.project_id == project_id,
            schema.Finding.state != schema.State.FIXED.value,
            _shown(),
        )
        .order_by(_rank(), schema.Finding.rule, schema.Finding.id)
    ).all()
    marks = triage.project_marks(session, project_id)
    return _rows(rows, joined.proofs_of(session, [r.id for r in rows]), marks)


def life(session: Session, finding: schema.Finding) -> Life:
    proof = joined.proofs_of(session, [finding.id]).get(finding.id)
    partner = proof or (
        session.get(schema.Finding, finding.joined_to_id) if finding.joined_to_id else None
    )
    sightings = session.scalar(
        select(func.count())
        .select_from(schema.Sighting)
        .where(schema.Sighting.finding_id == finding.id)
    )
    first = session.get(schema.Scan, finding.first_seen_scan_id)
    last = session.get(schema.Scan, finding.last_seen_scan_id)
    assert first is not None and last is not None
    marks = triage.history(session, finding.id)
    ids = [finding.id] + ([partner.id] if partner else [])
    applying = triage.active_marks(session, ids)
    mark = applying.get(finding.id) or (applying.get(partner.id) if partner else None)
    return Life(
        finding,
        first,
        last,
        sightings or 0,
        _transitions(session, finding.id),
        marks,
        mark,
        joined.shown(finding, proof),
        partner,
        _transitions(session, partner.id) if partner else [],
    )


def _transitions(session: Session, finding_id: int) -> list[tuple[schema.Scan, str]]:
    rows = session.execute(
        select(schema.Scan, schema.Transition.state)
        .join(schema.Transition, schema.Transition.scan_id == schema.Scan.id)
        .where(schema.Transition.finding_id == finding_id)
        .order_by(schema.Transition.id)
    ).all()
    return [(scan, state) for scan, state in rows]
