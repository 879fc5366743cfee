"""What the dashboard shows of ``dynaguard monitor``: each target's latest run and the dead
letters (runs that failed on every attempt), read from the rows the monitor writes in this
database. The monitor's own ``status`` shows the same from the command line."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from dynaguard.serve.store import schema
from dynaguard.serve.store.schema import MonitorRun, RunState

DEAD_SHOWN = 200
"""Dead letters listed, newest first."""


@dataclass(frozen=True, slots=True)
class RunView:
    run: MonitorRun
    project: str
    """The history project its report went to ("" when none was stored)."""


@dataclass(frozen=True, slots=True)
class Overview:
    latest: list[RunView]
    """Each target's latest run, by target name."""
    dead: list[RunView]
    dead_total: int


def overview(session: Session) -> Overview:
    due = (
        select(MonitorRun.target, func.max(MonitorRun.due_at).label("due"))
        .group_by(MonitorRun.target)
        .subquery()
    )
    latest = session.scalars(
        select(MonitorRun)
        .join(due, and_(MonitorRun.target == due.c.target, MonitorRun.due_at == due.c.due))
        .order_by(MonitorRun.target, MonitorRun.id.desc())
    ).all()
    per_target: dict[str, MonitorRun] = {}
    for run in latest:
        per_target.setdefault(run.target, run)  # a manual run in the same minute: the last id
    dead_only = MonitorRun.state == RunState.DEAD.value
    dead = session.scalars(
        select(MonitorRun)
        .where(dead_only)
        .order_by(MonitorRun.finished_at.desc(), MonitorRun.id)
        .limit(DEAD_SHOWN)
    ).all()
    total = session.scalar(select(func.count()).select_from(MonitorRun).where(dead_only)) or 0
    names = _projects(session, [r.scan_id for r in per_target.values() if r.scan_id])
    return Overview(
        [RunView(r, names.get(r.scan_id or 0, "")) for r in per_target.values()],
        [RunView(r, "") for r in dead],
        total,
    )


def _projects(session: Session, scan_ids: list[int]) -> dict[int, str]:
    if not scan_ids:
        return {}
    rows = session.execute(
        select(schema.Scan.id, schema.Project.name)
        .join(schema.Project, schema.Project.id == schema.Scan.project_id)
        .where(schema.Scan.id.in_(scan_ids))
    )
    return {row.id: row.name for row in rows}
