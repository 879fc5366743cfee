"""Storage on SQLite and PostgreSQL: migrations from an empty database, the schema they make
equals the models, and the database choices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, insert, inspect, select, text
from sqlalchemy.orm import Session

from dynaguard.serve import stored
from dynaguard.serve.store import database, schema
from tests.serve.reports import dynamic, static

TABLES = {t.name for t in schema.Base.metadata.sorted_tables}


def test_migrations_build_the_models_schema_from_empty(empty_database: Engine) -> None:
    assert database.current_revision(empty_database) is None
    database.migrate(empty_database)
    assert database.current_revision(empty_database) == database.head_revision(empty_database)
    assert set(inspect(empty_database).get_table_names()) >= TABLES
    with empty_database.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), schema.Base.metadata)
    assert differences == []


def test_every_migration_goes_down_and_up_again(empty_database: Engine) -> None:
    database.migrate(empty_database)
    database.downgrade(empty_database, "base")
    assert not TABLES & set(inspect(empty_database).get_table_names())
    database.migrate(empty_database)
    assert set(inspect(empty_database).get_table_names()) >= TABLES


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    before = database.current_revision(engine)
    database.migrate(engine)
    assert database.current_revision(engine) == before


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = database.connect(f"sqlite:///{tmp_path / 'h.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_url_from_flag_then_environment_then_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv(database.ENV_URL, raising=False)
    assert database.resolve_url(None) == f"sqlite:///{tmp_path / 'dynaguard' / 'history.db'}"
    monkeypatch.setenv(database.ENV_URL, "postgresql://u:p@db.internal/dg")
    assert database.resolve_url(None) == "postgresql+psycopg://u:p@db.internal/dg"
    assert database.resolve_url("sqlite:///x.db") == "sqlite:///x.db"


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        database.resolve_url("mysql://u@h/db")


def test_upgrading_from_0002_keeps_the_data_and_classifies_it(empty_database: Engine) -> None:
    """Revision 0003: scans get their scope (old ones fixed everything: both), stored proofs
    with no code location are on the dynamic side, and the existing user stays an admin."""
    database.migrate_to(empty_database, "0002")
    meta = MetaData()
    meta.reflect(empty_database)
    projects, scans, findings, users = (
        meta.tables[n] for n in ("projects", "scans", "findings", "users")
    )
    now = dt.datetime(2026, 1, 1)
    proof = stored.compact(dynamic("DG202", "GET", "/notes/{id}"))
    code = stored.compact(static("DG101", "app.py", "create", "put_item(Item=body)"))
    with empty_database.begin() as connection:
        connection.execute(insert(projects), [{"id": 1, "name": "shop", "created_at": now}])
        scan = {"project_id": 1, "digest": "d", "created_at": now, "target": "", "tool_version": ""}
        scan |= {"label": "", "score": 90, "grade": "A", "total": 2, "counts": {}}
        connection.execute(insert(scans), [{"id": 1, **scan}])
        row = {"project_id": 1, "severity": "high", "state": "new"}
        row |= {"first_seen_scan_id": 1, "last_seen_scan_id": 1}
        connection.execute(
            insert(findings),
            [
                {**row, "id": 1, "fingerprint": "p", "rule": "DG202", "data": proof},
                {**row, "id": 2, "fingerprint": "c", "rule": "DG101", "data": code},
            ],
        )
        connection.execute(
            insert(users), [{"username": "admin", "password_hash": "x", "created_at": now}]
        )
    database.migrate(empty_database)
    with Session(empty_database) as session:
        sides = dict(session.execute(select(schema.Finding.fingerprint, schema.Finding.side)).all())
        assert sides == {"p": "dynamic", "c": "static"}
        assert session.scalars(select(schema.Scan.scope)).all() == ["both"]
        user = session.scalars(select(schema.User)).one()
        assert (user.username, user.admin, user.disabled_at) == ("admin", True, None)
    database.downgrade(empty_database, "0002")
    assert "side" not in {c["name"] for c in inspect(empty_database).get_columns("findings")}
