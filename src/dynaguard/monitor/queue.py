"""The Huey instance for a queue URL: ``sqlite:///file`` (the default, one machine) or
``redis://host:port/db`` (workers on several machines). The task code is the same for both."""

from __future__ import annotations

import os
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

ENV_URL = "DYNAGUARD_QUEUE_URL"
NAME = "dynaguard-monitor"


def default_url() -> str:
    """``sqlite:///`` + ``<user data dir>/dynaguard/monitor-queue.db`` (the folder is created)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("dynaguard", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'monitor-queue.db'}"


def resolve_url(given: str | None, configured: str = "") -> str:
    """The flag, else ``DYNAGUARD_QUEUE_URL``, else ``[monitor] queue``, else the SQLite file."""
    url = given or os.environ.get(ENV_URL) or configured or default_url()
    if not url.startswith(("sqlite:///", "redis://", "rediss://", "unix://")):
        raise ValueError(f"unsupported queue {url!r}: use sqlite:///FILE or redis://HOST:PORT/DB")
    return url


def open_queue(url: str) -> Huey:
    # NOTE: results are off: a run's outcome is recorded in the history database, where
    # ``status`` and the dashboard read it, and Huey's result store would only grow.
    if url.startswith("sqlite:///"):
        return SqliteHuey(NAME, filename=url.removeprefix("sqlite:///"), results=False)
    return RedisHuey(NAME, url=url, results=False)
