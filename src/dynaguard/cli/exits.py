"""Exit codes (documented in the README and DESIGN.md) and the one way the CLI gives up."""

from __future__ import annotations

import enum
from typing import NoReturn

import click


class ExitCode(enum.IntEnum):
    """What a run's exit status means."""

    OK = 0
    """Nothing at or above ``--fail-on``."""
    FINDINGS = 1
    """Findings at or above ``--fail-on``."""
    USAGE = 2
    """Usage or configuration error."""
    TARGET = 3
    """The target could not be scanned."""
    INTERRUPTED = 4
    """``dynaguard scan`` stopped by SIGINT or SIGTERM: cleanup ran and the report was written,
    listing what is left behind."""


def die(message: str, code: ExitCode) -> NoReturn:
    """Print ``dynaguard: error: ...`` on stderr and exit; never a traceback for bad input."""
    click.echo(f"dynaguard: error: {message}", err=True)
    raise SystemExit(int(code))
