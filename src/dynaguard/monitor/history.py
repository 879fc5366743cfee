"""Where the monitor keeps what it did: the ``dynaguard serve`` history database.

One engine per process, made on first use: Huey's process workers are forked from the
consumer, and a SQLAlchemy engine's connections must not cross a fork.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dynaguard.serve import projects
from dynaguard.serve.ingest import ingest
from dynaguard.serve.store import database, schema

ACTOR = "monitor"


class History:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: tuple[int, Engine] | None = None

    def engine(self) -> Engine:
        if self._engine is None or self._engine[0] != os.getpid():
            self._engine = (os.getpid(), database.connect(self.url))
        return self._engine[1]

    def prepare(self) -> None:
        """A SQLite history is brought up to date here (one user's file, as ``serve`` does);
        a shared PostgreSQL one only by ``dynaguard serve --migrate``."""
        engine = self.engine()
        if database.is_sqlite(engine):
            database.migrate(engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with database.sessions(self.engine())() as session, database.transaction(session):
            yield session


def store(session: Session, project_name: str, report: str, run: str) -> tuple[int, bool]:
    """Ingest the run's report into its project (made on first use): (scan id, created)."""
    project = projects.find(session, project_name) or projects.create(session, project_name, ACTOR)
    done = ingest(session, project, report, label=f"monitor:{run}")
    return done.scan_id, done.created


def project_of(session: Session, scan_id: int) -> str:
    scan = session.get(schema.Scan, scan_id)
    project = session.get(schema.Project, scan.project_id) if scan else None
    return project.name if project else ""
