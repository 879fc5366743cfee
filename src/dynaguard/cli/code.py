"""``dynaguard code PATH...``: parse -> settings -> analyse -> filter -> render -> exit."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from dynaguard import __version__
from dynaguard.catalogue import select_rules
from dynaguard.cli import gate
from dynaguard.cli.cache import Cache, CacheUnavailable, entry_key, load, store
from dynaguard.cli.exits import ExitCode, die
from dynaguard.cli.files import emit, read_text
from dynaguard.cli.hub import apply_triage, hub_options, take, upload_report
from dynaguard.cli.openapi import openapi_text
from dynaguard.cli.options import report_options
from dynaguard.cli.settings import CodeFlags, CodeSettings, resolve
from dynaguard.config import ConfigError, FailOn
from dynaguard.history.baseline import BaselineError, dump_baseline, parse_baseline, split_baseline
from dynaguard.model import Finding, Persona, Report, Rule
from dynaguard.report import render
from dynaguard.static import Analysis, analyse, with_declared
from dynaguard.static.source import cdk, deployment
from dynaguard.static.source.discover import discover, printable

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
@click.option(
    "--no-cache",
    is_flag=True,
    help="Analyse even if an identical scan is cached, and cache nothing.",
)
@click.option(
    "--only",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Report only findings in FILE (repeatable); the whole of PATHS is still analysed.",
)
@click.option(
    "--new-since",
    metavar="REF",
    envvar="DYNAGUARD_NEW_SINCE",
    help="Report (and fail on) only findings not present at git ref REF.",
)
@click.option(
    "--emit-openapi",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write an OpenAPI 3 description of the routes the code serves to FILE "
    "(YAML when FILE ends in .yaml or .yml, else JSON).",
)
@report_options
@hub_options
def code_command(**options: object) -> None:
    """Find mass assignment and integrity failures in Flask + DynamoDB source code.

    \b
    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it;
    2 usage or config error; 3 the target could not be scanned.

    An unchanged project is not analysed again: finished analyses are cached in
    .dynaguard-cache/ beside the config file, or in the user cache directory
    (DYNAGUARD_CACHE_DIR overrides both; safe to delete at any time).
    """
    hub = take(options)
    flags = CodeFlags(**options)  # type: ignore[arg-type]
    flags = replace(flags, paths=_check_paths(flags.paths))
    try:
        settings = resolve(flags)
    except ConfigError as exc:
        die(str(exc), ExitCode.USAGE)
    report = run_analysis(settings, emit_openapi=flags.emit_openapi)
    gated = apply_triage(report, hub)
    emit(render(gated, settings.output_format), settings.output)
    upload_report(report, hub)
    raise SystemExit(int(exit_code(gated, settings.fail_on)))


def _check_paths(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """The paths to scan; a symbolic link loop is skipped with a warning (there is nothing
    behind it to scan), a path that does not exist is a usage error."""
    kept = []
    for path in paths:
        try:
            looped = path.is_symlink() and _loops(path)
            found = path.exists()
        except OSError as exc:  # a folder on its way we may not enter
            die(f"{path}: {exc.strerror or exc}, cannot be scanned", ExitCode.TARGET)
        if looped:
            click.echo(f"dynaguard: warning: {path}: a symbolic link loop, skipped", err=True)
            continue
        if not found:
            die(f"{path}: no such file or directory", ExitCode.USAGE)
        if not readable(path):
            die(f"{path}: permission denied, cannot be scanned", ExitCode.TARGET)
        kept.append(path)
    if paths and not kept:
        die("nothing left to scan: every path given is a symbolic link loop", ExitCode.USAGE)
    return tuple(kept)


def _loops(path: Path) -> bool:
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 says a loop this way
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def readable(path: Path) -> bool:
    """Whether the OS lets us read the file, or list and enter the directory."""
    if path.is_dir():
        return os.access(path, os.R_OK | os.X_OK)
    return os.access(path, os.R_OK)


def run_analysis(settings: CodeSettings, *, emit_openapi: Path | None = None) -> Report:
    """The report of one ``dynaguard code`` run (also what a monitor target runs); with
    ``emit_openapi``, the routes' OpenAPI description is written there first."""
    started = gate.utc_now()
    rules = select_rules(settings.select, settings.ignore)
    previous = gate.at_ref(settings, lambda at_ref: _analysis(at_ref, rules))
    analysis = _analysis(settings, rules, surface=emit_openapi is not None)
    if emit_openapi is not None:
        emit(openapi_text(analysis, settings.paths, emit_openapi), emit_openapi, "--emit-openapi")
    findings = gate.visible(analysis.findings, settings.persona, settings.only)
    findings, baselined = _baseline(findings, settings)
    suppressed = gate.visible(analysis.hidden, settings.persona, settings.only)
    gated = gate.against(findings, suppressed, baselined, previous)
    return Report(
        findings=gated.shown,
        warnings=analysis.warnings,
        tool_version=__version__,
        files_scanned=analysis.files_scanned,
        suppressed=analysis.suppressed,
        baselined=len(baselined),
        # Escaped as file paths are: a name that is not UTF-8 cannot be printed or encoded.
        target=" ".join(printable(str(path)) for path in settings.paths),
        coverage=analysis.coverage,
        hidden=gated.hidden,
        compared_with=gated.compared_with or _compared_with(settings),
        started_at=started,
        finished_at=gate.utc_now(),
    )


def _analysis(settings: CodeSettings, rules: Sequence[Rule], *, surface: bool = False) -> Analysis:
    """The cached analysis of these very files, or a new one (then cached). The routes of
    ``surface`` are never cached: asking for them always analyses."""
    cache = settings.cache
    key = None if cache is None else _cache_key(cache, settings, rules)
    if cache is not None and key is not None and not surface:
        found = load(cache, key)
        if found is not None:
            return found
    analysis = analyse(
        settings.paths,
        root=settings.root,
        rules=rules,
        exclude=settings.exclude,
        jobs=settings.jobs,
        models=with_declared(settings.models),
        surface=surface,
    )
    # Stored only if no file changed while it ran: the entry must match what its name says.
    if cache is not None and key is not None and _cache_key(cache, settings, rules) == key:
        problem = store(cache, key, analysis)
        if problem is not None:
            click.echo(f"dynaguard: warning: analysis not cached: {problem}", err=True)
    return analysis


def _cache_key(cache: Cache, settings: CodeSettings, rules: Sequence[Rule]) -> str | None:
    # The deployment descriptors and CDK app decide Lambda handlers' endpoints, authorizers and
    # validation: an edit of serverless.yml or of the CDK stack must be a miss too.
    files = [
        *discover(settings.paths, settings.root, settings.exclude),
        *deployment.discover(settings.paths, settings.root, settings.exclude),
        *cdk.discover(settings.paths, settings.root),
    ]
    try:
        return entry_key(cache, files, rules=[r.id for r in rules], models=repr(settings.models))
    except CacheUnavailable as exc:
        click.echo(f"dynaguard: warning: analysis cache unavailable: {exc}", err=True)
        return None


def _baseline(
    findings: tuple[Finding, ...], settings: CodeSettings
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(findings not in the baseline, those in it)."""
    if settings.write_baseline is not None:
        emit(dump_baseline(findings), settings.write_baseline)
        click.echo(
            f"dynaguard: wrote {len(findings)} fingerprints to {settings.write_baseline}", err=True
        )
        every = frozenset(f.fingerprint for f in findings)
        return (), split_baseline(findings, every, str(settings.write_baseline))[1]
    if settings.baseline is None:
        return findings, ()
    text = read_text(settings.baseline, "--baseline")
    try:
        known = parse_baseline(text, str(settings.baseline))
    except BaselineError as exc:
        die(str(exc), ExitCode.USAGE)
    return split_baseline(findings, known, str(settings.baseline))


def _compared_with(settings: CodeSettings) -> str:
    return "" if settings.baseline is None else f"baseline {settings.baseline}"


def exit_code(report: Report, fail_on: FailOn) -> ExitCode:
    """1 when any reported finding is at or above the threshold, else 0."""
    threshold = fail_on.threshold()
    if threshold is None:
        return ExitCode.OK
    failing = any(f.effective_severity >= threshold for f in report.findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK


__all__ = ["code_command", "exit_code", "run_analysis"]
