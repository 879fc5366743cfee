"""``dynaguard code PATH...``: parse -> settings -> analyse -> filter -> render -> exit."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dynaguard import __version__
from dynaguard.catalogue import select_rules
from dynaguard.cli.exits import ExitCode, die
from dynaguard.cli.files import emit, read_text
from dynaguard.cli.options import report_options
from dynaguard.cli.settings import CodeFlags, CodeSettings, resolve
from dynaguard.config import ConfigError, FailOn
from dynaguard.history.baseline import BaselineError, apply_baseline, dump_baseline, parse_baseline
from dynaguard.model import Finding, Persona, Report
from dynaguard.report import render
from dynaguard.static import analyse, with_declared

_PERSONAS = [p.value for p in Persona]


@click.command("code")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Only these rule ids or categories (DG101, DG1).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or categories.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    envvar="DYNAGUARD_JOBS",
    help="Analyse files in N processes.",
)
@click.option(
    "--persona",
    type=click.Choice(_PERSONAS),
    envvar="DYNAGUARD_PERSONA",
    help="regular (default), pedantic or auditor: how much low-confidence noise to see.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write every current finding's fingerprint to FILE.",
)
@report_options
def code_command(**options: object) -> None:
    """Find mass assignment and integrity failures in Flask + DynamoDB source code.

    \b
    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it;
    2 usage or config error; 3 the target could not be scanned.
    """
    flags = CodeFlags(**options)  # type: ignore[arg-type]
    _check_paths(flags.paths)
    try:
        settings = resolve(flags)
    except ConfigError as exc:
        die(str(exc), ExitCode.USAGE)
    report = _run(settings)
    emit(render(report, settings.output_format), settings.output)
    raise SystemExit(int(exit_code(report, settings.fail_on)))


def _check_paths(paths: tuple[Path, ...]) -> None:
    for path in paths:
        if not path.exists():
            die(f"{path}: no such file or directory", ExitCode.USAGE)
        if not readable(path):
            die(f"{path}: permission denied, cannot be scanned", ExitCode.TARGET)


def readable(path: Path) -> bool:
    """Whether the OS lets us read the file, or list and enter the directory."""
    if path.is_dir():
        return os.access(path, os.R_OK | os.X_OK)
    return os.access(path, os.R_OK)


def _run(settings: CodeSettings) -> Report:
    rules = select_rules(settings.select, settings.ignore)
    analysis = analyse(
        settings.paths,
        root=settings.root,
        rules=rules,
        exclude=settings.exclude,
        jobs=settings.jobs,
        models=with_declared(settings.models),
    )
    findings = tuple(f for f in analysis.findings if f.effective_persona <= settings.persona)
    findings, baselined = _baseline(findings, settings)
    return Report(
        findings=findings,
        warnings=analysis.warnings,
        tool_version=__version__,
        files_scanned=analysis.files_scanned,
        suppressed=analysis.suppressed,
        baselined=baselined,
        target=" ".join(str(path) for path in settings.paths),
        coverage=analysis.coverage,
    )


def _baseline(
    findings: tuple[Finding, ...], settings: CodeSettings
) -> tuple[tuple[Finding, ...], int]:
    if settings.write_baseline is not None:
        emit(dump_baseline(findings), settings.write_baseline)
        click.echo(
            f"dynaguard: wrote {len(findings)} fingerprints to {settings.write_baseline}", err=True
        )
        return (), len(findings)
    if settings.baseline is None:
        return findings, 0
    text = read_text(settings.baseline, "--baseline")
    try:
        known = parse_baseline(text, str(settings.baseline))
    except BaselineError as exc:
        die(str(exc), ExitCode.USAGE)
    kept, hidden = apply_baseline(findings, known)
    return tuple(kept), hidden


def exit_code(report: Report, fail_on: FailOn) -> ExitCode:
    """1 when any reported finding is at or above the threshold, else 0."""
    threshold = fail_on.threshold()
    if threshold is None:
        return ExitCode.OK
    failing = any(f.effective_severity >= threshold for f in report.findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK


__all__ = ["code_command", "exit_code"]
