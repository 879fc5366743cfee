"""Triage on SQLite and PostgreSQL: marks follow the finding, expire on their date, are revoked,
and every one is in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dynaguard.serve import ingest, projects, triage
from dynaguard.serve.store import database, schema
from dynaguard.serve.store.schema import TriageKind
from tests.serve.reports import as_json, static

A = static("DG101", "app/users.py", "create_user", "table.put_item(Item=body)")


def _project_with_a_finding(session: Session) -> schema.Finding:
    project = projects.create(session, "shop", "test")
    ingest.ingest(session, project, as_json(A))
    return session.scalars(select(schema.Finding)).one()


def test_a_mark_applies_until_it_expires(engine: Engine) -> None:
    with database.sessions(engine).begin() as session:
        finding = _project_with_a_finding(session)
        expiry = schema.utc_now() + dt.timedelta(days=30)
        triage.mark(
            session,
            finding,
            TriageKind.ACCEPTED_RISK,
            "until the rewrite",
            "ana",
            expires_at=expiry,
        )
    with Session(engine) as session:
        now = schema.utc_now()
        assert set(triage.project_marks(session, finding.project_id, now)) == {finding.id}
        later = expiry + dt.timedelta(seconds=1)
        assert triage.project_marks(session, finding.project_id, later) == {}
        assert triage.active_marks(session, [finding.id], later) == {}


def test_the_latest_mark_applies_and_revoking_ends_it(engine: Engine) -> None:
    with database.sessions(engine).begin() as session:
        finding = _project_with_a_finding(session)
        triage.mark(session, finding, TriageKind.ACCEPTED_RISK, "for now", "ana")
        triage.mark(session, finding, TriageKind.FALSE_POSITIVE, "validated upstream", "bo")
        applying = triage.active_marks(session, [finding.id])[finding.id]
        assert (applying.kind, applying.author) == ("false_positive", "bo")
        assert triage.revoke(session, finding, "ana") == 2
        assert triage.active_marks(session, [finding.id]) == {}
        assert len(triage.history(session, finding.id)) == 2


def test_every_mark_and_revocation_is_audited(engine: Engine) -> None:
    with database.sessions(engine).begin() as session:
        finding = _project_with_a_finding(session)
        triage.mark(session, finding, TriageKind.FALSE_POSITIVE, "no", "ana")
        triage.revoke(session, finding, "bo")
    with Session(engine) as session:
        entries = session.scalars(select(schema.AuditEntry).order_by(schema.AuditEntry.id)).all()
    assert [(e.actor, e.action) for e in entries] == [
        ("test", "project.create"),
        ("ana", "triage.mark"),
        ("bo", "triage.revoke"),
    ]
    assert entries[1].detail["finding"] == A.fingerprint


@pytest.mark.parametrize(
    ("reason", "expires", "message"),
    [("  ", None, "a reason is required"), ("ok", dt.datetime(2000, 1, 1), "in the future")],
)
def test_marks_need_a_reason_and_a_future_expiry(
    engine: Engine, reason: str, expires: dt.datetime | None, message: str
) -> None:
    with database.sessions(engine).begin() as session:
        finding = _project_with_a_finding(session)
        with pytest.raises(triage.TriageError, match=message):
            triage.mark(
                session, finding, TriageKind.ACCEPTED_RISK, reason, "ana", expires_at=expires
            )
