"""Listeners that show a scan's progress on stderr: a rich progress bar on a terminal, plain
lines in CI. They consume :mod:`dynaguard.dynamic.events`; the engine never prints."""

from __future__ import annotations

import threading
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from dynaguard.dynamic import events as ev
from dynaguard.dynamic.coverage import CoverageRow, table


def _finding_line(event: ev.FindingFound) -> str:
    finding = event.finding
    where = f"{finding.endpoint.method} {finding.endpoint.path}" if finding.endpoint else ""
    return f"found {finding.rule.id} {finding.rule.title}: {where}"


def _line(event: ev.Event) -> str | None:
    """The plain-text line of an event, or None for events shown only as progress."""
    match event:
        case ev.ScanStarted():
            mode = "active" if event.active else "read-only"
            return f"scanning {event.target} ({mode}): {event.operations} operations from {event.spec_source}"
        case ev.IdentityChecked():
            return f"identity {event.name}: {'ok' if event.ok else 'DOES NOT AUTHENTICATE'} ({event.detail})"
        case ev.ProbeSkipped():
            return f"skipped probe {event.probe}: {event.reason}"
        case ev.FindingFound():
            return _finding_line(event)
        case ev.ScanInterrupted():
            return (
                f"interrupted ({event.why}): probing stopped; cleaning up "
                "(interrupt again to abort the cleanup)"
            )
        case ev.CleanupFinished():
            left = f", {len(event.left)} left behind" if event.left else ""
            stopped = f" ({event.stopped})" if event.stopped else ""
            return f"cleanup: {event.deleted} undone{left}{stopped}"
        case ev.ScanFinished():
            return (
                f"done: {event.findings} findings, {event.requests} requests, {event.seconds:.1f}s"
            )
    return None


class PlainWriter:
    """One line per event; task lines carry ``[done/total]`` so CI logs show progress."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._total = 0
        self._done = 0

    def __call__(self, event: ev.Event) -> None:
        with self._lock:
            if isinstance(event, ev.PlanReady):
                self._total = event.tasks
            if isinstance(event, ev.TaskFinished):
                self._done += 1
                line: str | None = (
                    f"[{self._done}/{self._total}] {event.probe} {event.endpoint.method} "
                    f"{event.endpoint.path}: {event.outcome}"
                )
            else:
                line = _line(event)
            if line is not None:
                print(line, file=self._stream, flush=True)

    def close(self) -> None:
        """Nothing to release."""


class ProgressWriter:
    """A rich progress bar with event lines printed above it."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("[bold]probing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[requests]} requests"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._lock = threading.Lock()

    def __call__(self, event: ev.Event) -> None:
        with self._lock:
            if isinstance(event, ev.PlanReady):
                self._progress.start()
                self._task = self._progress.add_task("probing", total=event.tasks, requests=0)
            elif isinstance(event, ev.TaskFinished) and self._task is not None:
                self._progress.update(self._task, advance=1, requests=event.requests)
            elif (line := _line(event)) is not None:
                style = "bold red" if isinstance(event, ev.FindingFound) else ""
                self._progress.console.print(Text(line, style=style))
            if isinstance(event, ev.ScanFinished):
                self._progress.stop()

    def close(self) -> None:
        self._progress.stop()


def coverage_table(rows: tuple[CoverageRow, ...], console: Console | None) -> str | Table:
    """The coverage table: a rich Table for a terminal, plain text otherwise."""
    if console is None:
        return table(rows)
    grid = Table(title="coverage", show_lines=False)
    grid.add_column("operation", no_wrap=True)  # a path cut in the middle is no use
    grid.add_column("status", no_wrap=True)
    grid.add_column("detail")
    colours = {"tested": "green", "skipped": "yellow", "blocked": "red"}
    for row in rows:
        grid.add_row(
            Text(f"{row.endpoint.method} {row.endpoint.path}"),
            Text(row.status, style=colours[row.status]),
            Text(row.detail),
        )
    return grid
