"""The command line: the only layer that reads config, touches files and sets exit codes."""

from __future__ import annotations

import click

from dynaguard import __version__
from dynaguard.cli.code import code_command
from dynaguard.cli.demo import demo_command
from dynaguard.cli.rules import rules_command
from dynaguard.cli.scan import scan_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dynaguard")
def main() -> None:
    """dynaguard: find and fix integrity failures and mass assignment in Flask + DynamoDB APIs."""


main.add_command(code_command)
main.add_command(rules_command)
main.add_command(scan_command)
main.add_command(demo_command)

__all__ = ["main"]
