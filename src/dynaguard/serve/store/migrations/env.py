"""Alembic's entry: runs the migrations on the engine ``database.migrate`` hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine

from dynaguard.serve.store.schema import Base

engine = context.config.attributes["engine"]
assert isinstance(engine, Engine)


def _run(connection: Connection) -> None:
    # NOTE: render_as_batch lets ALTERs run on SQLite, which rebuilds a table to alter it.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


with engine.connect() as connection:
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        # NOTE: rebuilding a table that other tables' rows reference fails with foreign keys
        # on (https://www.sqlite.org/lang_altertable.html#otheralter): off for the migration,
        # outside any transaction (SQLite ignores the pragma inside one), checked before commit.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # ends SQLAlchemy's autobegun transaction (no BEGIN was sent)
    try:
        with connection.begin():
            _run(connection)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
