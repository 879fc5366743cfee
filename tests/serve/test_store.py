"""Storage on SQLite and PostgreSQL: migrations from an empty database, the schema they make
equals the models, and the database choices."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from dynaguard.serve.store import database, schema

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
