"""Bulk inserts (``store/bulk.py``): PostgreSQL's one-statement path stores exactly what
SQLAlchemy's own executemany stores on SQLite, awkward text included."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dynaguard.serve import ingest, projects, stored
from dynaguard.serve.store import bulk, database, schema
from tests.serve.reports import as_json, static

_AWKWARD = ['quote " and \\ backslash', "tab\tnew\nline", "naïve ✓ 𝄞", "{braces,}", "NULL", ""]


def test_awkward_findings_are_stored_and_read_back_as_sent(engine: Engine) -> None:
    findings = [
        static("DG101", f"app/{i}.py", f"handler_{i}", text or "empty")
        for i, text in enumerate(_AWKWARD * 3)
    ]
    with database.sessions(engine).begin() as session:
        project = projects.create(session, "awkward", "test")
        done = ingest.ingest(session, project, as_json(*findings), "first")
    assert done.scan_id > 0
    with Session(engine) as session:
        rows = session.execute(select(schema.Finding.fingerprint, schema.Finding.data)).all()
        sightings = session.scalars(select(schema.Sighting.finding_id)).all()
    assert {r.fingerprint: r.data for r in rows} == {
        f.fingerprint: stored.compact(f) for f in findings
    }
    assert len(sightings) == len(findings) == len(rows)


def test_returning_gives_one_id_per_row_and_nothing_for_no_rows(engine: Engine) -> None:
    with database.sessions(engine).begin() as session:
        project = projects.create(session, "ids", "test")
        rows = [{"name": f"p{i}", "created_at": schema.utc_now()} for i in range(5)]
        ids = bulk.insert_many(session, schema.Project, rows, returning="id")
        assert len(set(ids)) == 5 and project.id not in ids
        assert bulk.insert_many(session, schema.Project, [], returning="id") == []
