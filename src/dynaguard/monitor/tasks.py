"""The Huey tasks of ``dynaguard monitor``, registered on a queue for one configuration.

- ``due.<target>``: a periodic task per target of ``dynaguard.toml`` (Huey's scheduler asks it
  once a minute whether it is due); it records the run and enqueues ``run``.
- ``due.api-targets``: every minute, the same for the targets added through the ``dynaguard
  serve`` API (read from the history each time, so they come and go without a restart).
- ``run``: claims the run (a lease that doubles as the per-target lock), passes the per-host
  rate limit, scans, stores the report in the history and records the alerts it owes, all in one
  transaction; a failure releases the run for Huey's retry, the last one makes a dead letter.
- ``alert``: claims the run's unsent alerts, posts them signed, marks them sent; retried by Huey
  with backoff.
- ``recover``: every minute, re-enqueues runs whose worker died (lease ran out) and alerts
  nobody sent. Huey pops a message before running it, so a worker killed mid-run loses it; the
  lease in the database is what lets another worker take the run again.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from typing import Any

from huey import Huey, crontab
from huey.api import Task, TaskWrapper
from huey.exceptions import RetryTask

from dynaguard.monitor import deliver, execute, limit, record, targets
from dynaguard.monitor.history import History, project_of, store
from dynaguard.monitor.settings import MonitorSettings, Target
from dynaguard.serve.store.schema import MonitorRun, utc_now

LEASE_GRACE = 5.0
"""Seconds a lease outlasts the target's timeout (Huey stops the task at the timeout; storing
the report is what is left)."""
BUSY_DELAY = 5
"""Seconds before a run whose target is being scanned by another run tries again."""


@dataclass(frozen=True, slots=True)
class Tasks:
    """The registered tasks: call one to enqueue it."""

    run: TaskWrapper
    alert: TaskWrapper
    recover: TaskWrapper


def install(huey: Huey, settings: MonitorSettings, history: History) -> Tasks:
    """Register every task of ``settings`` on ``huey`` (in the scheduler and in every worker)."""
    worker = f"{socket.gethostname()}:{os.getpid()}"

    def run_target(run: str, name: str, task: Task | None = None) -> None:
        target = targets.find(history, settings, name)
        if target is None:  # removed from the API since the run was queued
            with history.transaction() as session:
                record.bury(session, run, f"target {name!r} no longer exists")
            return
        if not _claim(history, run, target, worker):
            return
        _pass_rate_limit(huey, history, run, target, settings.host_rate)
        final = task is None or not task.retries
        try:
            report = execute.run(target, settings.source)
        except Exception as exc:
            with history.transaction() as session:
                (record.bury if final else record.release)(session, run, _describe(exc))
            raise
        with history.transaction() as session:
            scan_id, created = store(session, target.project, report, run)
            found = record.new_findings(session, scan_id, target.threshold) if created else []
            record.finish(session, run, scan_id, found)
        if found and settings.webhook is not None:
            alert_task(run)

    run_task = huey.task(
        retries=settings.retries, retry_delay=2, retry_backoff=2, context=True, name="run"
    )(run_target)

    def send_alerts(run: str) -> None:
        if settings.webhook is not None:
            _send(history, settings, run)

    retries = settings.webhook.retries if settings.webhook else 0
    alert_task = huey.task(retries=retries, retry_delay=1, retry_backoff=2, name="alert")(
        send_alerts
    )

    def recover() -> None:
        with history.transaction() as session:
            stranded, unsent = record.stranded(session), record.unsent(session)
        for run, name in stranded:
            target = targets.find(history, settings, name)
            if target is not None:
                _enqueue(run_task, run, target)
        for run in unsent:
            alert_task(run)

    def due_api_targets() -> None:
        now = utc_now()
        with history.transaction() as session:
            listed = targets.api_targets(session, settings)
        for target in listed:
            if target.schedule.due(now):
                enqueue_run(history, run_task, settings, target.name, now)

    recover_task = huey.periodic_task(crontab(), name="recover")(recover)
    huey.periodic_task(crontab(), name="due.api-targets")(due_api_targets)
    for target in settings.targets:
        _schedule(huey, history, target, run_task, settings)
    return Tasks(run_task, alert_task, recover_task)


def _schedule(
    huey: Huey, history: History, target: Target, run_task: TaskWrapper, settings: MonitorSettings
) -> None:
    def due() -> None:
        enqueue_run(history, run_task, settings, target.name, utc_now())

    def is_due(at: dt.datetime) -> bool:
        return target.schedule.due(at)

    huey.periodic_task(is_due, name=f"due.{target.name}")(due)


def enqueue_run(
    history: History,
    run_task: TaskWrapper,
    settings: MonitorSettings,
    name: str,
    due: dt.datetime,
    *,
    suffix: str = "",
) -> str:
    """Record the run due at ``due`` and enqueue it, unless another scheduler already did;
    KeyError when no target has that name."""
    target = targets.find(history, settings, name)
    if target is None:
        raise KeyError(name)
    run = record.run_id(name, due, suffix)
    with history.transaction() as session:
        added = record.add_run(session, run, name, due)
    if added:
        _enqueue(run_task, run, target)
    return run


def _enqueue(run_task: TaskWrapper, run: str, target: Target) -> None:
    # Huey stops the task at the target's timeout (SIGALRM in the worker process).
    run_task.schedule((run, target.name), delay=0, timeout=target.timeout)


def _pass_rate_limit(
    huey: Huey, history: History, run: str, target: Target, per_minute: int
) -> None:
    """Count a run that is about to scan (it holds its target) against its host's budget for
    this minute; over it, the run gives its target back and waits for the next minute, without
    spending an attempt. Runs that only wait (for a busy target, or a finished run's stray
    message) never reach this point, so they use none of the host's budget. Huey would retry
    after the task's ``retry_delay`` instead (2 s, and longer after failures), so every
    deferred run would come back every few seconds until then."""
    wait = limit.acquire(huey, target.host, per_minute)
    if wait is None:
        return
    with history.transaction() as session:
        record.unclaim(session, run)
    raise RetryTask(delay=wait)


def _claim(history: History, run: str, target: Target, worker: str) -> bool:
    """True: this worker holds the run. False: it is finished (done or dead). Busy target or a
    live holder: Huey tries again later (RetryTask does not count as a failed attempt)."""
    with history.transaction() as session:
        if record.claim(session, run, target.name, worker, target.timeout + LEASE_GRACE):
            return True
        state = session.get(MonitorRun, run)
    if state is None or state.state in (record.DONE, record.DEAD):
        return False
    raise RetryTask(delay=BUSY_DELAY)


def _send(history: History, settings: MonitorSettings, run: str) -> None:
    webhook = settings.webhook
    assert webhook is not None
    with history.transaction() as session:
        claimed = record.claim_alerts(session, run, hold=60)
        held = session.get(MonitorRun, run)
        project = project_of(session, held.scan_id) if held and held.scan_id else ""
    if not claimed.findings:
        return
    context: dict[str, Any] = {"project": project, "target": held.target if held else ""}
    try:
        deliver.post(webhook, settings.dashboard, run, claimed.findings, context)
    except deliver.DeliveryError:
        with history.transaction() as session:
            record.drop_claim(session, run, claimed.claim)
        raise
    with history.transaction() as session:
        record.mark_sent(session, run, claimed.claim)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
