"""Options every reporting command shares, declared once (``code`` and ``scan``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from dynaguard.config import FailOn
from dynaguard.report import OutputFormat

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = [f.value for f in OutputFormat]
FAIL_ON = [f.value for f in FailOn]

_SHARED = (
    click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        envvar="DYNAGUARD_FORMAT",
        help="Output format (default text).",
    ),
    click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write the report to FILE (whole or not at all) instead of stdout.",
    ),
    click.option(
        "--fail-on",
        type=click.Choice(FAIL_ON),
        envvar="DYNAGUARD_FAIL_ON",
        help="Exit 1 when a finding is at or above this severity (default high).",
    ),
    click.option(
        "--baseline",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Report only findings whose fingerprint is not in FILE.",
    ),
    click.option(
        "--config",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Config file (default: nearest dynaguard.toml or pyproject.toml).",
    ),
)


def report_options(command: F) -> F:
    """Add the shared output, threshold, baseline and config options to a command."""
    for option in reversed(_SHARED):
        command = option(command)
    return command
