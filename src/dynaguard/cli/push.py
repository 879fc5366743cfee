"""``dynaguard push REPORT --server URL --project NAME``: upload a report file to dynaguard serve."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dynaguard.cli.exits import ExitCode, die
from dynaguard.cli.files import read_text
from dynaguard.cli.hub import TOKEN_ENV, HubError, upload


@click.command("push")
@click.argument("report", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--server", required=True, metavar="URL", envvar="DYNAGUARD_SERVER")
@click.option("--project", required=True, metavar="NAME", envvar="DYNAGUARD_PROJECT")
@click.option("--label", default="", metavar="TEXT", help="Name of this run (a commit, a CI run).")
def push_command(report: Path, server: str, project: str, label: str) -> None:
    """Upload a JSON or SARIF report written by dynaguard; the token is read from DYNAGUARD_TOKEN.

    \b
    Exit codes: 0 stored (or stored before); 2 usage error; 3 the server refused or was not
    reached (the message says why).
    """
    token = os.environ.get(TOKEN_ENV)
    if not token:
        die(f"the project's upload token must be in {TOKEN_ENV}", ExitCode.USAGE)
    text = read_text(report, "REPORT")
    try:
        click.echo(f"dynaguard: {upload(server, project, token, text, label)}", err=True)
    except HubError as exc:
        die(str(exc), ExitCode.TARGET)
