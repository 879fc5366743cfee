"""``dynaguard scan URL``: parse -> settings -> scan -> render -> exit.

Progress goes to stderr (a bar on a terminal, plain lines otherwise), the report to stdout or
``--output``. Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 bad
spec, config or flags; 3 the target could not be scanned; 4 interrupted by SIGINT or SIGTERM
(cleanup ran, the report was written).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from dynaguard.cli.code import exit_code
from dynaguard.cli.exits import ExitCode, die
from dynaguard.cli.files import emit, read_text
from dynaguard.cli.hub import apply_triage, hub_options, take, upload_report
from dynaguard.cli.interrupts import handled
from dynaguard.cli.joined import derived_options, join_source, source_analysis
from dynaguard.cli.options import FORMATS, report_options
from dynaguard.config import ConfigError, FailOn, find_config, load_config
from dynaguard.dynamic import (
    PROBES,
    ScanConfigError,
    ScanOptions,
    ScanResult,
    SpecError,
    TargetUnreachable,
    build_options,
    events,
    parse_identity_flag,
    parse_scan_table,
    scan,
    to_report,
)
from dynaguard.dynamic.interrupt import Interrupt
from dynaguard.dynamic.writers import PlainWriter, ProgressWriter, coverage_table
from dynaguard.history.baseline import BaselineError, apply_baseline, parse_baseline
from dynaguard.model import Report
from dynaguard.report import OutputFormat, render
from dynaguard.report.grade import grade
from dynaguard.static import Analysis
from dynaguard.static.models.declarations import Declarations

_PROGRESS = ["auto", "bar", "plain", "none"]


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """One ``dynaguard scan`` run, validated: what the engine needs and what the CLI does after."""

    options: ScanOptions
    output_format: OutputFormat
    output: Path | None
    fail_on: FailOn
    baseline: Path | None
    progress: str
    models: Declarations = field(default_factory=Declarations)
    """What the source tree's configuration declares about its own code (``--source``)."""


@click.command("scan")
@click.argument("url")
@click.option(
    "--spec",
    help="OpenAPI 3 / Swagger 2 file or URL, JSON or YAML (default: derived from --source when "
    "given, else URL/openapi.json, /swagger.json, /openapi.yaml, /swagger.yaml).",
)
@click.option(
    "--identity",
    "identity_flags",
    multiple=True,
    metavar="NAME:ROLE:HEADER=VALUE",
    help="Act as this identity (repeatable); VALUE may use ${ENV}. ROLE is user or admin.",
)
@click.option(
    "--active/--read-only",
    default=None,
    help="Send writes (POST/PUT/PATCH/DELETE) to prove write weaknesses. Default: read-only.",
)
@click.option(
    "--rate", type=click.FloatRange(min=0), help="At most N requests per second (0: no limit)."
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    help="Requests in flight and probes run in parallel (default 4).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=300),
    help="Seconds a request may take in all, its whole response included (default 10).",
)
@click.option(
    "--max-time",
    type=click.FloatRange(min=0.1),
    help="Seconds for the whole scan (default 600); then it stops probing and reports.",
)
@click.option(
    "--race-requests",
    type=click.IntRange(2, 200),
    help="Concurrent requests of the lost-update probe (default 20).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="[METHOD ]PATH_GLOB",
    help="Never call matching operations, e.g. 'DELETE /users/*'.",
)
@click.option(
    "--probe",
    "probes",
    multiple=True,
    metavar="NAME",
    help="Run only these probes (repeatable): race, bola-read, mass-assignment... (docs/scan.md).",
)
@click.option(
    "--select", multiple=True, help="Report only these rule ids or categories (DG201, DG2)."
)
@click.option("--ignore", multiple=True, help="Never report these rule ids or categories.")
@click.option(
    "--progress",
    type=click.Choice(_PROGRESS),
    default="auto",
    help="Progress on stderr: a bar on a terminal, plain lines otherwise.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="Also analyse this source tree and join each proof with the code that explains it; "
    "with no --spec, scan the routes the code serves (the spec is derived from it).",
)
@report_options
@hub_options
def scan_command(**flags: Any) -> None:
    """Prove BOLA, BFLA, mass assignment, lost updates and validation gaps against a running API.

    Only URL's origin is ever contacted. Read-only unless --active; an active scan tags what it
    creates with a unique marker and deletes it afterwards where the API allows.

    Ctrl-C or SIGTERM stops probing, cleans up and writes the report; a second one stops the
    cleanup (the report lists what is left).

    \b
    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it;
    2 bad spec, config or flags; 3 the target could not be scanned;
    4 interrupted (the report covers what ran and lists what is left).
    """
    hub = take(flags)
    try:
        settings = resolve(flags)
        settings, analysis = _from_code(settings, flags["sources"])
    except (ConfigError, ScanConfigError) as exc:
        die(str(exc), ExitCode.USAGE)
    console = Console(stderr=True)
    interrupt = Interrupt()
    with handled(interrupt):
        result = _run(settings, _listener(settings.progress, console), interrupt)
        report = build_report(result)
        if flags["sources"]:
            report = join_source(report, flags["sources"], settings.models, analysis)
        report = _baseline(report, settings.baseline)
        gated = apply_triage(report, hub)
        emit(render(gated, settings.output_format), settings.output)
    if settings.progress != "none":
        _show_coverage(result, console, settings.progress)
    if result.interrupted:
        raise SystemExit(int(ExitCode.INTERRUPTED))
    upload_report(report, hub)
    raise SystemExit(int(exit_code(gated, settings.fail_on)))


def _from_code(
    settings: ScanSettings, sources: Sequence[Path]
) -> tuple[ScanSettings, Analysis | None]:
    """With ``--source`` and no spec (flag or config), the spec is the one the code implies;
    the source's analysis is then made first, and joined with the proofs after."""
    if not sources or settings.options.spec is not None:
        return settings, None
    analysis = source_analysis(sources, settings.models, surface=True)
    options = derived_options(settings.options, analysis, sources)
    return replace(settings, options=options), analysis


def _run(settings: ScanSettings, listener: events.Listener, interrupt: Interrupt) -> ScanResult:
    try:
        return scan(settings.options, listener, interrupt=interrupt)
    except (SpecError, ScanConfigError) as exc:
        die(str(exc), ExitCode.USAGE)
    except TargetUnreachable as exc:
        die(f"{exc}; nothing was scanned", ExitCode.TARGET)
    finally:
        close = getattr(listener, "close", None)
        if close is not None:
            close()


def resolve(flags: dict[str, Any]) -> ScanSettings:
    """Flags over the ``[scan]`` table over defaults. Raises ConfigError or ScanConfigError."""
    source = flags["config"] or find_config(Path.cwd())
    raw = load_config(source).raw.get("scan", {})
    origin = str(source) if source else "defaults"
    if not isinstance(raw, dict):
        raise ScanConfigError(f"{origin}: [scan] must be a table")
    table = parse_scan_table(raw, origin)
    _known_probes(table.probes, f"{origin}: key 'scan.probes'")
    overrides = _overrides(flags, table.spec, source)
    _known_probes(overrides.get("probes", ()), "command line: option --probe")
    options = build_options(table, flags["url"], origin, overrides)
    fmt = flags["output_format"] or table.format or "text"
    if fmt not in FORMATS:
        raise ScanConfigError(
            f"{origin}: key 'scan.format': {fmt!r} is not one of {', '.join(FORMATS)}"
        )
    return ScanSettings(
        options=options,
        output_format=OutputFormat(fmt),
        output=flags["output"],
        fail_on=FailOn(flags["fail_on"] or table.fail_on),
        baseline=flags["baseline"],
        progress=flags["progress"],
        models=_source_models(flags),
    )


def _known_probes(names: tuple[str, ...], where: str) -> None:
    # Checked here, not with the table's types: the probe registry imports the settings.
    unknown = ", ".join(repr(name) for name in names if name not in PROBES)
    if unknown:
        known = ", ".join(PROBES.keys())
        raise ScanConfigError(f"{where}: unknown probe {unknown}; known: {known}")


def _source_models(flags: dict[str, Any]) -> Declarations:
    """The ``[tool.dynaguard.models]`` of the tree given with ``--source`` (validated before any
    request is sent): the static side of the join reads the code as ``dynaguard code`` would."""
    sources: Sequence[Path] = flags["sources"] or ()
    if not sources:
        return Declarations()
    return load_config(flags["config"] or find_config(sources[0])).models.declarations()


def _overrides(
    flags: dict[str, Any], configured_spec: str | None, source: Path | None
) -> dict[str, Any]:
    given = {
        "spec": flags["spec"] or _relative(configured_spec, source),
        "active": flags["active"],
        "rate": flags["rate"],
        "concurrency": flags["concurrency"],
        "timeout": flags["timeout"],
        "max-time": flags["max_time"],
        "race-requests": flags["race_requests"],
        "probes": _split(flags["probes"]) or None,
        "exclude": tuple(flags["exclude"]) or None,
        "select": _split(flags["select"]) or None,
        "ignore": _split(flags["ignore"]) or None,
    }
    overrides = {k: v for k, v in given.items() if v is not None}
    overrides["identity-flags"] = tuple(parse_identity_flag(f) for f in flags["identity_flags"])
    return overrides


def _relative(spec: str | None, source: Path | None) -> str | None:
    """A spec path in a config file is relative to that file."""
    if (
        spec is None
        or source is None
        or spec.startswith(("http://", "https://"))
        or Path(spec).is_absolute()
    ):
        return spec
    return str(source.parent / spec)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def build_report(result: ScanResult) -> Report:
    """The scan as a report, with its score and grade (the shared formula of report/grade.py)."""
    report = to_report(result)
    tested = any(row.status == "tested" for row in result.coverage)
    graded = grade(report.findings)
    extra = {
        **report.extra,
        "score": str(graded.score) if tested else "n/a (no operation could be tested)",
        "grade": graded.letter if tested else "n/a",
    }
    return replace(report, extra=extra)


def _baseline(report: Report, baseline: Path | None) -> Report:
    if baseline is None:
        return report
    try:
        known = parse_baseline(read_text(baseline, "--baseline"), str(baseline))
    except BaselineError as exc:
        die(str(exc), ExitCode.USAGE)
    kept, hidden = apply_baseline(report.findings, known)
    return replace(report, findings=tuple(kept), baselined=hidden)


def _listener(progress: str, console: Console) -> events.Listener:
    if progress == "none":
        return events.ignore
    if progress == "bar" or (progress == "auto" and console.is_terminal):
        return ProgressWriter(console)
    return PlainWriter(sys.stderr)


def _show_coverage(result: ScanResult, console: Console, progress: str) -> None:
    if progress == "bar" or (progress == "auto" and console.is_terminal):
        console.print(coverage_table(result.coverage, console))
    else:
        click.echo(coverage_table(result.coverage, None), err=True)


__all__ = ["ScanSettings", "build_report", "resolve", "scan_command"]
