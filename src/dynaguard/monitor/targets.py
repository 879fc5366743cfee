"""Targets added through the ``dynaguard serve`` API (``monitor_targets`` in the history),
read beside those of ``dynaguard.toml``. They are read again whenever they are needed (each
minute by the ``due.api-targets`` task, at each run), so one added or removed on the server
takes effect without restarting the monitor. A name in ``dynaguard.toml`` wins."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from dynaguard.config import ConfigError
from dynaguard.monitor.history import History
from dynaguard.monitor.settings import MonitorSettings, Target, parse_api_target
from dynaguard.serve.store.schema import MonitorTarget

log = logging.getLogger(__name__)


def api_targets(session: Session, settings: MonitorSettings) -> list[Target]:
    """The API's targets whose names ``dynaguard.toml`` does not use, by name."""
    named = {t.name for t in settings.targets}
    found = []
    for row in session.scalars(select(MonitorTarget).order_by(MonitorTarget.name)):
        if row.name in named:
            continue
        target = _parse(row, settings)
        if target is not None:
            found.append(target)
    return found


def find(history: History, settings: MonitorSettings, name: str) -> Target | None:
    """The target of that name, from ``dynaguard.toml`` or else the API; None when neither."""
    try:
        return settings.target(name)
    except KeyError:
        pass
    with history.transaction() as session:
        row = session.get(MonitorTarget, name)
        return _parse(row, settings) if row is not None else None


def _parse(row: MonitorTarget, settings: MonitorSettings) -> Target | None:
    try:
        return parse_api_target(row.definition, settings)
    except ConfigError as exc:
        # The server checked it when it was added; a newer monitor may be stricter.
        log.warning("monitor target %r from the API is skipped: %s", row.name, exc)
        return None
