"""``dynaguard pre-commit FILES...``: the ``dynaguard`` hook of ``.pre-commit-hooks.yaml``.

pre-commit passes the staged Python files; a flow from a request in one module to a write in
another is only seen by analysing the whole project, so the project (``--project``, the
repository root pre-commit runs in) is analysed and only the findings in the staged files are
reported (``dynaguard code PROJECT --only FILE...``). The analysis cache makes the commits after
the first one fast: only a changed project is analysed again.
"""

from __future__ import annotations

from pathlib import Path

import click

from dynaguard.ci.github import invoke


@click.command("pre-commit", context_settings={"ignore_unknown_options": False})
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--project", default=".", show_default=True, help="What to analyse as a whole.")
@click.option("--fail-on", help="As for dynaguard code (default: the config's, else high).")
@click.option("--config", help="As for dynaguard code.")
@click.option("--new-since", metavar="REF", help="As for dynaguard code.")
def precommit_command(
    files: tuple[Path, ...],
    project: str,
    fail_on: str | None,
    config: str | None,
    new_since: str | None,
) -> None:
    """Analyse the whole project; report (and fail on) findings in FILES only."""
    if not files and new_since is None:
        raise SystemExit(0)  # nothing staged that this hook looks at
    args = ["code"]
    args += ["--fail-on", fail_on] if fail_on else []
    args += ["--config", config] if config else []
    args += ["--new-since", new_since] if new_since else []
    for file in files:
        args += ["--only", str(file)]
    raise SystemExit(invoke([*args, "--", project]))
