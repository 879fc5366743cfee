"""The monitor's records in the history database: runs, their leases, dead letters and the
alert ledger. Every change is one conditional statement, so workers on several machines that
share the database never both claim a run or both send an alert.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from dynaguard.model import Severity
from dynaguard.serve import stored
from dynaguard.serve.store import schema
from dynaguard.serve.store.schema import MonitorAlert, MonitorRun, RunState, State, utc_now

QUEUED, RUNNING, DONE, DEAD = (state.value for state in RunState)


def run_id(target: str, due: dt.datetime, suffix: str = "") -> str:
    """One id per target and due minute: a second scheduler on the same queue makes no new run
    (``suffix`` tells apart runs asked for by hand)."""
    return f"{target}@{due.replace(second=0, microsecond=0).isoformat()}{suffix}"


def add_run(session: Session, run: str, target: str, due: dt.datetime) -> bool:
    """Record a queued run; False when it exists already (then it must not be enqueued again)."""
    row = {"id": run, "target": target, "state": QUEUED, "due_at": due, "attempts": 0}
    row |= {"worker": "", "new_findings": 0, "error": ""}
    try:
        with session.begin_nested():
            session.execute(insert(MonitorRun), [row])
    except IntegrityError:
        return False
    return True


def claim(session: Session, run: str, target: str, worker: str, lease: float) -> bool:
    """Take the run if it is queued or its last holder's lease ran out (a worker that died), and
    no other run of its target holds a live lease: the lease is the per-target lock, and unlike
    a Huey lock it ends by itself when its holder is killed."""
    now = utc_now()
    other = aliased(MonitorRun)
    busy = (
        select(other.id)
        .where(
            other.target == target,
            other.id != run,
            other.state == RUNNING,
            other.lease_until >= now,
        )
        .exists()
    )
    claimable = and_(
        or_(
            MonitorRun.state == QUEUED,
            and_(MonitorRun.state == RUNNING, MonitorRun.lease_until < now),
        ),
        ~busy,
    )
    values = {
        "state": RUNNING,
        "worker": worker[:200],
        "started_at": now,
        "lease_until": now + dt.timedelta(seconds=lease),
        "attempts": MonitorRun.attempts + 1,
    }
    result = session.execute(
        update(MonitorRun).where(MonitorRun.id == run, claimable).values(**values)
    )
    return bool(getattr(result, "rowcount", 0))


def unclaim(session: Session, run: str) -> None:
    """Give back a run claimed a moment ago that may not start yet (its host's budget is
    spent): queued again, the attempt not counted, its target free for other runs."""
    values = {"state": QUEUED, "lease_until": None, "attempts": MonitorRun.attempts - 1}
    session.execute(
        update(MonitorRun).where(MonitorRun.id == run, MonitorRun.state == RUNNING).values(**values)
    )


def new_findings(session: Session, scan_id: int, threshold: Severity) -> list[dict[str, Any]]:
    """The findings this scan made new or reopened, at or above ``threshold``: what to announce."""
    rows = session.execute(
        select(schema.Finding.severity, schema.Finding.data)
        .join(schema.Transition, schema.Transition.finding_id == schema.Finding.id)
        .where(
            schema.Transition.scan_id == scan_id,
            schema.Transition.state.in_((State.NEW.value, State.REOPENED.value)),
        )
        .order_by(schema.Finding.id)
    )
    return [stored.full(row.data) for row in rows if Severity(row.severity) >= threshold]


def finish(session: Session, run: str, scan_id: int, findings: list[dict[str, Any]]) -> None:
    """The run is done, with its scan and the alerts it owes (one row per new finding)."""
    if findings:
        rows = [
            {
                "run_id": run,
                "fingerprint": f["fingerprint"],
                "severity": f["severity"],
                "data": f,
                "claim": "",
            }
            for f in findings
        ]
        session.execute(insert(MonitorAlert), rows)
    values = {"state": DONE, "finished_at": utc_now(), "scan_id": scan_id, "error": ""}
    session.execute(
        update(MonitorRun)
        .where(MonitorRun.id == run)
        .values(**values, new_findings=len(findings), lease_until=None)
    )


def bury(session: Session, run: str, error: str) -> None:
    """A dead letter: the run failed on every attempt; ``status`` and the dashboard show it."""
    values = {"state": DEAD, "finished_at": utc_now(), "error": error[:2000], "lease_until": None}
    session.execute(update(MonitorRun).where(MonitorRun.id == run).values(**values))


def release(session: Session, run: str, error: str) -> None:
    """An attempt failed and will be retried: queued again, its error kept."""
    values = {"state": QUEUED, "error": error[:2000], "lease_until": None}
    session.execute(update(MonitorRun).where(MonitorRun.id == run).values(**values))


def stranded(session: Session) -> list[tuple[str, str]]:
    """(run, target) of runs whose holder's lease ran out: their worker died or hung."""
    now = utc_now()
    rows = session.execute(
        select(MonitorRun.id, MonitorRun.target).where(
            MonitorRun.state == RUNNING, MonitorRun.lease_until < now
        )
    )
    return [(row.id, row.target) for row in rows]


def unsent(session: Session) -> list[str]:
    """Runs with alerts nobody sent nor holds (their sender died before or while sending)."""
    now = utc_now()
    rows = session.execute(
        select(MonitorAlert.run_id)
        .where(
            MonitorAlert.sent_at.is_(None),
            or_(MonitorAlert.claimed_until.is_(None), MonitorAlert.claimed_until < now),
        )
        .distinct()
    )
    return [row.run_id for row in rows]


@dataclass(frozen=True, slots=True)
class Claimed:
    claim: str
    findings: list[dict[str, Any]]


def claim_alerts(session: Session, run: str, hold: float) -> Claimed:
    """Hold the run's unsent, unheld alerts for ``hold`` seconds; the findings to send."""
    now = utc_now()
    token = secrets.token_hex(16)
    session.execute(
        update(MonitorAlert)
        .where(
            MonitorAlert.run_id == run,
            MonitorAlert.sent_at.is_(None),
            or_(MonitorAlert.claimed_until.is_(None), MonitorAlert.claimed_until < now),
        )
        .values(claim=token, claimed_until=now + dt.timedelta(seconds=hold))
    )
    rows = session.scalars(
        select(MonitorAlert.data)
        .where(MonitorAlert.run_id == run, MonitorAlert.claim == token)
        .order_by(MonitorAlert.fingerprint)
    )
    return Claimed(token, list(rows))


def mark_sent(session: Session, run: str, token: str) -> None:
    session.execute(
        update(MonitorAlert)
        .where(MonitorAlert.run_id == run, MonitorAlert.claim == token)
        .values(sent_at=utc_now())
    )


def drop_claim(session: Session, run: str, token: str) -> None:
    """Let a retry (or the recovery task) take the alerts again at once."""
    session.execute(
        update(MonitorAlert)
        .where(MonitorAlert.run_id == run, MonitorAlert.claim == token)
        .values(claimed_until=None)
    )
