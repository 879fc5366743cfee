"""Fixtures of the server tests: the same storage tests run on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from dynaguard.serve.store import database
from tests.serve.postgres import binaries, running_postgres

_NUMBERS = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One PostgreSQL server for the whole session; the PostgreSQL half of the storage tests is
    skipped, saying why, when the binaries are not installed (the project does not install
    them: a machine without them still runs every test on SQLite)."""
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql-15")
    with running_postgres(bin_dir) as url:
        yield url


def _postgres_database(server_url: str) -> str:
    """A new empty database on the test server; its URL."""
    name = f"t{os.getpid()}_{next(_NUMBERS)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'history.db'}"
    else:
        url = _postgres_database(request.getfixturevalue("postgres_server"))
    engine = database.connect(url)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_database(postgres_server: str) -> Iterator[Engine]:
    """An engine on an empty PostgreSQL database (for what only PostgreSQL does)."""
    engine = database.connect(_postgres_database(postgres_server))
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_database: Engine) -> Engine:
    """An engine on a migrated database."""
    database.migrate(empty_database)
    return empty_database
