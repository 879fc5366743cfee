"""Which database, how to connect, and bringing its schema up to date.

SQLite is the default (one file in the user data directory, WAL so the dashboard reads while an
upload writes); PostgreSQL is chosen by URL (``postgresql://`` is read as psycopg 3, the driver
installed with the ``serve`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

ENV_URL = "DYNAGUARD_DATABASE_URL"


def default_url() -> str:
    """``sqlite:///`` + ``<user data dir>/dynaguard/history.db`` (the folder is created)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("dynaguard", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'history.db'}"


def resolve_url(given: str | None) -> str:
    """The flag, else ``DYNAGUARD_DATABASE_URL``, else the default SQLite file."""
    url = given or os.environ.get(ENV_URL) or default_url()
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {parsed.drivername!r}: use sqlite or postgresql")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def connect(url: str) -> Engine:
    """An engine; SQLite connections get WAL, foreign keys and a busy timeout."""
    engine = create_engine(url, future=True)
    if is_sqlite(engine):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # NOTE: SQLite enforces foreign keys only when asked, per connection; WAL lets readers go
    # on during a write, and the timeout makes a second writer wait instead of failing.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("dynaguard.serve.store") / "migrations"))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (from nothing, or from any earlier one)."""
    migrate_to(engine, "head")


def migrate_to(engine: Engine, revision: str) -> None:
    """Upgrade to ``revision`` (tests start from an older schema holding data)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to ``revision`` (tests check each migration both ways)."""
    from alembic import command

    command.downgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit what was done inside, or roll all of it back on any exception (an HTTP abort
    included). Unlike ``session.begin()`` it joins a transaction a read already started."""
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()
