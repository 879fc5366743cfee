"""``dynaguard github-action``: what the composite action (``action.yml``) runs.

Reads the workflow's inputs from ``INPUT_*`` variables and the event from ``GITHUB_EVENT_PATH``;
runs ``dynaguard code`` once (SARIF, compared with the pull request's base unless ``new-since``
says otherwise) and, when asked, ``dynaguard scan``; writes the job summary, annotations for new
findings and the step's outputs. The exit code is the gate's (0, 1), or 2/3 as ``dynaguard
code`` gives them; with ``--defer-exit`` it is written to the ``exit-code`` output instead, so
that the SARIF upload runs before the action fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from dynaguard.ci import annotate
from dynaguard.cli.exits import ExitCode
from dynaguard.cli.gitref import GitRefError, fetch_missing, toplevel
from dynaguard.report import github_summary as summary


@dataclass(frozen=True, slots=True)
class Inputs:
    """The action's inputs (empty strings when not given, as GitHub passes them)."""

    path: str = "."
    fail_on: str = "high"
    new_since: str = ""
    config: str = ""
    format: str = "text"
    scan_url: str = ""
    scan_spec: str = ""
    output_dir: str = "dynaguard-results"


def base_ref(inputs: Inputs, event: dict[str, Any]) -> str | None:
    """What to compare with: the input, else the pull request's base commit, else nothing (a
    push to a branch is gated on every finding)."""
    if inputs.new_since:
        return inputs.new_since
    base = (event.get("pull_request") or {}).get("base") or {}
    sha = base.get("sha")
    return sha if isinstance(sha, str) and sha else None


def head_commit(event: dict[str, Any], environ: dict[str, str]) -> str:
    """The commit the findings' lines belong to: a pull request's head, not its merge commit."""
    head = (event.get("pull_request") or {}).get("head") or {}
    sha = head.get("sha")
    return sha if isinstance(sha, str) and sha else environ.get("GITHUB_SHA", "")


def code_args(inputs: Inputs, ref: str | None, sarif: Path) -> list[str]:
    """The ``dynaguard code`` command line of the gate."""
    args = ["code", "--format", "sarif", "-o", str(sarif), "--fail-on", inputs.fail_on]
    args += ["--new-since", ref] if ref else []
    args += ["--config", inputs.config] if inputs.config else []
    return [*args, "--", *shlex.split(inputs.path)]


def scan_args(inputs: Inputs, sarif: Path) -> list[str]:
    """The ``dynaguard scan`` command line, when the workflow started its API."""
    args = ["scan", "--format", "sarif", "-o", str(sarif), "--fail-on", inputs.fail_on]
    args += ["--spec", inputs.scan_spec] if inputs.scan_spec else []
    args += ["--config", inputs.config] if inputs.config else []
    return [*args, "--", inputs.scan_url]


def gate_code(statuses: Sequence[int]) -> int:
    """A usage or target error wins over findings, findings over a pass."""
    for code in (ExitCode.USAGE, ExitCode.TARGET, ExitCode.FINDINGS):
        if code in statuses:
            return int(code)
    return max(statuses, default=0)


def invoke(args: list[str]) -> int:
    """Run a dynaguard command in this process (the analysis cache is shared with later runs)."""
    from dynaguard.cli import main

    try:
        main.main(args, prog_name="dynaguard", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.USAGE)
    return 0


def _env_inputs(environ: dict[str, str]) -> Inputs:
    """``INPUT_FAIL-ON`` style names would not survive every shell, so action.yml passes each
    input as ``INPUT_FAIL_ON`` and so on; an input left empty keeps its default."""
    given: dict[str, str] = {}
    for name in Inputs.__dataclass_fields__:
        value = environ.get(f"INPUT_{name.upper()}", "").strip()
        if value:
            given[name] = value
    return Inputs(**given)


def _read_event(environ: dict[str, str]) -> dict[str, Any]:
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        click.echo(f"dynaguard: warning: cannot read the event {path}: {exc}", err=True)
        return {}
    return event if isinstance(event, dict) else {}


def _append(environ: dict[str, str], variable: str, text: str) -> None:
    target = environ.get(variable)
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)


def _report(sarif: Path, title: str, links: summary.Links, status: int, env: dict[str, str]) -> int:
    """Summary and annotations for one SARIF file; returns how many new findings it has."""
    try:
        log = json.loads(sarif.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0  # the command failed before writing it and said why
    failed = status == ExitCode.FINDINGS
    _append(env, "GITHUB_STEP_SUMMARY", summary.summary(log, links, title=title, failed=failed))
    level = "error" if failed else "warning"
    for result in summary.gated(log):
        found = annotate.location(result)
        if found is not None:
            rule = result["ruleId"]
            click.echo(annotate.annotation(level, *found, rule, result["message"]["text"]))
    return len(summary.gated(log))


def _prepare_ref(ref: str | None, inputs: Inputs) -> None:
    """Fetch the base commit into a shallow checkout (actions/checkout fetches one commit)."""
    if ref is None:
        return
    first = shlex.split(inputs.path)[:1] or ["."]
    # If it fails, dynaguard code says what is wrong, in its own words.
    with contextlib.suppress(GitRefError):
        fetch_missing(toplevel(Path(first[0])), ref)


@click.command("github-action")
@click.option("--defer-exit", is_flag=True, help="Exit 0; put the gate's code in exit-code.")
def github_command(defer_exit: bool) -> None:
    """Run the gate as the dynaguard GitHub Action does (inputs from INPUT_* variables)."""
    env = dict(os.environ)
    inputs = _env_inputs(env)
    event = _read_event(env)
    ref = base_ref(inputs, event)
    _prepare_ref(ref, inputs)
    out = Path(inputs.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    server, repository = env.get("GITHUB_SERVER_URL", ""), env.get("GITHUB_REPOSITORY", "")
    links = summary.Links(server, repository, head_commit(event, env))
    code_sarif = out / "code.sarif"
    statuses = [invoke(code_args(inputs, ref, code_sarif))]
    new = _report(code_sarif, "dynaguard code", links, statuses[0], env)
    outputs = {"sarif-file": str(code_sarif) if code_sarif.exists() else ""}
    if inputs.scan_url:
        scan_sarif = out / "scan.sarif"
        statuses.append(invoke(scan_args(inputs, scan_sarif)))
        new += _report(scan_sarif, "dynaguard scan", links, statuses[-1], env)
        outputs["scan-sarif-file"] = str(scan_sarif) if scan_sarif.exists() else ""
    if inputs.format != "sarif" and statuses[0] not in (ExitCode.USAGE, ExitCode.TARGET):
        # Read back from the analysis cache: printing the log costs no second analysis.
        invoke([a if a != "sarif" else inputs.format for a in code_args(inputs, ref, Path("-"))])
    status = gate_code(statuses)
    outputs |= {"new-findings": str(new), "exit-code": str(status)}
    _append(env, "GITHUB_OUTPUT", "".join(f"{k}={v}\n" for k, v in outputs.items()))
    raise SystemExit(0 if defer_exit else status)


if __name__ == "__main__":
    github_command()
