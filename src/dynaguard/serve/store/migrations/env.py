"""Alembic's entry: runs the migrations on the engine ``database.migrate`` hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from dynaguard.serve.store.schema import Base

engine = context.config.attributes["engine"]
assert isinstance(engine, Engine)
with engine.begin() as connection:
    # NOTE: render_as_batch lets ALTERs run on SQLite, which rebuilds a table to alter it.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
