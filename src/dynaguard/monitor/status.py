"""What ``dynaguard monitor status`` shows: collected from the history, rendered as text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dynaguard.monitor import record
from dynaguard.monitor.settings import Target
from dynaguard.serve.store.schema import MonitorRun, utc_now


@dataclass(frozen=True, slots=True)
class TargetStatus:
    name: str
    schedule: str
    last_run: str
    last_result: str
    next_run: str


@dataclass(frozen=True, slots=True)
class Status:
    targets: list[TargetStatus]
    pending: int
    scheduled: int
    dead: list[tuple[str, str]]
    """(run, error) of dead-letter runs."""


def collect(session: Session, targets: Sequence[Target], pending: int, scheduled: int) -> Status:
    now = utc_now()
    shown = []
    for target in targets:
        last = session.scalars(
            select(MonitorRun)
            .where(MonitorRun.target == target.name)
            .order_by(MonitorRun.due_at.desc(), MonitorRun.id.desc())
        ).first()
        shown.append(
            TargetStatus(
                name=target.name,
                schedule=target.schedule.describe(),
                last_run=last.due_at.isoformat() if last else "-",
                last_result=_result(last) if last else "never run",
                next_run=target.schedule.next_after(now).isoformat(),
            )
        )
    dead = session.execute(
        select(MonitorRun.id, MonitorRun.error).where(MonitorRun.state == record.DEAD)
    )
    return Status(shown, pending, scheduled, [(row.id, row.error) for row in dead])


def _result(run: MonitorRun) -> str:
    if run.state == record.DONE:
        return f"done, {run.new_findings} new finding(s)"
    if run.state == record.DEAD:
        return f"dead after {run.attempts} attempt(s): {run.error}"
    return f"{run.state} (attempt {run.attempts})"


def render(status: Status) -> str:
    lines = [f"queue: {status.pending} pending, {status.scheduled} scheduled for later"]
    for t in status.targets:
        lines.append(
            f"{t.name}  [{t.schedule}]  last: {t.last_run} {t.last_result}  next: {t.next_run}"
        )
    lines.append(f"dead letters: {len(status.dead)}")
    lines.extend(f"  {run}: {error}" for run, error in status.dead)
    return "\n".join(lines) + "\n"
