"""Triage: a person marks a finding a false positive or an accepted risk.

A mark belongs to the tracked finding (its fingerprint), so it follows the finding to every later
scan. The latest mark that is neither revoked nor expired applies; an expired accepted risk
counts again on its date, with nothing to run. Every mark and revocation is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dynaguard.serve import audit
from dynaguard.serve.store import schema
from dynaguard.serve.store.schema import TriageKind


class TriageError(ValueError):
    """A mark that cannot be made; the message says why."""


def mark(
    session: Session,
    finding: schema.Finding,
    kind: TriageKind,
    reason: str,
    author: str,
    *,
    expires_at: dt.datetime | None = None,
) -> schema.TriageMark:
    reason = reason.strip()
    if not reason:
        raise TriageError("a reason is required")
    now = schema.utc_now()
    if expires_at is not None and expires_at <= now:
        raise TriageError("the expiry date must be in the future")
    row = schema.TriageMark(
        finding_id=finding.id,
        kind=kind.value,
        reason=reason[:5000],
        author=author,
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        author,
        "triage.mark",
        finding.project_id,
        finding=finding.fingerprint,
        kind=kind.value,
        reason=row.reason,
        expires_at=expires_at.isoformat() if expires_at else None,
    )
    return row


def revoke(session: Session, finding: schema.Finding, author: str) -> int:
    """Revoke every unrevoked mark of the finding (expired ones too); how many were revoked."""
    live = [row for row in history(session, finding.id) if row.revoked_at is None]
    now = schema.utc_now()
    for row in live:
        row.revoked_at = now
    if live:
        audit.record(
            session, author, "triage.revoke", finding.project_id, finding=finding.fingerprint
        )
    return len(live)


def active_marks(
    session: Session, finding_ids: Iterable[int], now: dt.datetime | None = None
) -> dict[int, schema.TriageMark]:
    """``{finding id: its applying mark}`` for the findings that have one."""
    ids = list(finding_ids)
    if not ids:
        return {}
    return _latest(session, schema.TriageMark.finding_id.in_(ids), now)


def project_marks(
    session: Session, project_id: int, now: dt.datetime | None = None
) -> dict[int, schema.TriageMark]:
    """Every applying mark of a project's findings."""
    of_project = select(schema.Finding.id).where(schema.Finding.project_id == project_id)
    return _latest(session, schema.TriageMark.finding_id.in_(of_project), now)


def _latest(
    session: Session, condition: object, now: dt.datetime | None
) -> dict[int, schema.TriageMark]:
    moment = now or schema.utc_now()
    rows = session.scalars(
        select(schema.TriageMark)
        .where(
            condition,  # type: ignore[arg-type]
            schema.TriageMark.revoked_at.is_(None),
            (schema.TriageMark.expires_at.is_(None)) | (schema.TriageMark.expires_at > moment),
        )
        .order_by(schema.TriageMark.id)
    )
    # Ordered by id: a later mark replaces an earlier one of the same finding.
    return {row.finding_id: row for row in rows}


def history(session: Session, finding_id: int) -> list[schema.TriageMark]:
    """Every mark ever made on the finding, oldest first (revoked and expired ones included)."""
    return list(
        session.scalars(
            select(schema.TriageMark)
            .where(schema.TriageMark.finding_id == finding_id)
            .order_by(schema.TriageMark.id)
        )
    )
