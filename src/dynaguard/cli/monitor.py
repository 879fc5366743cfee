"""``dynaguard monitor``: run the scheduler and workers, start more workers, show status.

Exit codes: 0 ran (or stopped by SIGINT/SIGTERM); 2 bad config, flags or queue URL.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import click

from dynaguard.cli.exits import ExitCode, die
from dynaguard.config import ConfigError, find_config, load_config
from dynaguard.monitor import queue, status, targets, tasks
from dynaguard.monitor.history import History
from dynaguard.monitor.settings import MonitorSettings, parse_monitor
from dynaguard.serve.store import database
from dynaguard.serve.store.schema import utc_now

_config = click.option(
    "--config", type=click.Path(path_type=Path, dir_okay=False), help="dynaguard.toml to read."
)
_queue = click.option(
    "--queue", envvar=queue.ENV_URL, help="sqlite:///FILE (default) or redis://HOST:PORT/DB."
)
_database = click.option(
    "--database", envvar=database.ENV_URL, help="History database (as for dynaguard serve)."
)
_workers = click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Processes."
)


@click.group("monitor")
def monitor_group() -> None:
    """Rescan the [[monitor.targets]] of dynaguard.toml on their schedules (Huey queue)."""


@monitor_group.command("run")
@_config
@_queue
@_database
@_workers
def run_command(config: Path | None, queue: str | None, database: str | None, workers: int) -> None:
    """The scheduler and WORKERS worker processes on this machine."""
    _consume(config, queue, database, workers, periodic=True)


@monitor_group.command("worker")
@_config
@_queue
@_database
@_workers
def worker_command(
    config: Path | None, queue: str | None, database: str | None, workers: int
) -> None:
    """Workers only (no scheduler): more capacity for a shared redis:// queue."""
    _consume(config, queue, database, workers, periodic=False)


@monitor_group.command("trigger")
@_config
@_queue
@_database
@click.argument("target")
def trigger_command(
    config: Path | None, queue: str | None, database: str | None, target: str
) -> None:
    """Enqueue a run of TARGET now, outside its schedule; prints the run id."""
    settings, installed, history = _open(config, queue, database)
    suffix = f"#manual-{secrets.token_hex(4)}"
    try:
        run = tasks.enqueue_run(history, installed.run, settings, target, utc_now(), suffix=suffix)
    except KeyError:
        die(f"no target {target!r} in {settings.source} nor added on the server", ExitCode.USAGE)
    click.echo(run)


@monitor_group.command("recover")
@_config
@_queue
@_database
def recover_command(config: Path | None, queue: str | None, database: str | None) -> None:
    """Enqueue the recovery task now (the scheduler runs it every minute)."""
    _, installed, _ = _open(config, queue, database)
    installed.recover()


@monitor_group.command("status")
@_config
@_queue
@_database
def status_command(config: Path | None, queue: str | None, database: str | None) -> None:
    """Targets with their last and next run, queue depth and dead letters."""
    settings, installed, history = _open(config, queue, database)
    huey = installed.run.huey
    with history.transaction() as session:
        listed = [*settings.targets, *targets.api_targets(session, settings)]
        shown = status.collect(session, listed, huey.pending_count(), huey.scheduled_count())
    click.echo(status.render(shown), nl=False)


def _consume(
    config: Path | None, queue_url: str | None, db: str | None, workers: int, *, periodic: bool
) -> None:
    _, installed, _ = _open(config, queue_url, db)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # NOTE: process workers (forked from here) so a scan's CPU work and its SIGALRM timeout are
    # each worker's own; max_delay bounds how long an idle SQLite worker waits between looks.
    consumer = installed.run.huey.create_consumer(
        workers=workers, worker_type="process", periodic=periodic, max_delay=1.0
    )
    consumer.run()


def _open(
    config: Path | None, queue_url: str | None, db: str | None
) -> tuple[MonitorSettings, tasks.Tasks, History]:
    settings = _settings(config)
    try:
        huey = queue.open_queue(queue.resolve_url(queue_url, settings.queue))
        history = History(database.resolve_url(db or settings.database or None))
    except ValueError as exc:
        die(str(exc), ExitCode.USAGE)
    history.prepare()
    return settings, tasks.install(huey, settings, history), history


def _settings(config: Path | None) -> MonitorSettings:
    source = config or find_config(Path.cwd())
    if source is None:
        die("no dynaguard.toml with a [monitor] table found", ExitCode.USAGE)
    try:
        raw = load_config(source).raw
        return parse_monitor(raw.get("monitor"), source)
    except ConfigError as exc:
        die(str(exc), ExitCode.USAGE)


__all__ = ["monitor_group"]
