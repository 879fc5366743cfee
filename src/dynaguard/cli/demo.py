"""``dynaguard demo``: the whole product in one command, on the embedded DynamoDB."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import click

from dynaguard.catalogue import get_rule
from dynaguard.cli.demo_run import TwinRun, run_twin, running_twins, static_findings, tokens
from dynaguard.cli.exits import ExitCode, die
from dynaguard.cli.files import emit
from dynaguard.dynamic import ScanError
from dynaguard.lab import LabError
from dynaguard.model import Engine, Finding
from dynaguard.report import OutputFormat, render

_WRITTEN = ((OutputFormat.HTML, "html"), (OutputFormat.SARIF, "sarif"), (OutputFormat.JSON, "json"))


def _counts(findings: Sequence[Finding]) -> Counter[str]:
    return Counter(f.rule.id for f in findings)


def _confirmed(run: TwinRun) -> Counter[str]:
    return _counts([f for f in run.report.findings if f.engine is Engine.DYNAMIC])


def summary(runs: Sequence[TwinRun]) -> str:
    """Side by side, per rule: what each engine found in each twin (static / proven)."""
    by_kind = {run.kind: run for run in runs}
    vuln, safe = by_kind["vulnerable"], by_kind["secure"]
    rows = [(_counts(r.static), _confirmed(r)) for r in (vuln, safe)]
    rule_ids = sorted(set().union(*(set(a) | set(b) for a, b in rows)))
    width = max((len(get_rule(r).title) for r in rule_ids), default=5) + 2
    head = f"{'rule':<7}{'title':<{width}}{'vulnerable':>14}{'secure':>14}"
    lines = [head, f"{'':<{7 + width}}{'code/proven':>14}{'code/proven':>14}", "-" * len(head)]
    for rule_id in rule_ids:
        cells = [f"{code[rule_id]}/{proven[rule_id]}" for code, proven in rows]
        title = get_rule(rule_id).title
        lines.append(f"{rule_id:<7}{title:<{width}}{cells[0]:>14}{cells[1]:>14}")
    lines.append("-" * len(head))
    for run in (vuln, safe):
        extra = run.report.extra
        lines.append(
            f"{run.kind:<10} grade {extra['grade']} ({extra['score']}/100): "
            f"{len(run.report.findings)} findings, {len(run.static)} in code, "
            f"{len(run.dynamic)} proven by {extra['requests']} requests in {extra['scan_seconds']} s"
        )
    return "\n".join(lines)


def write_reports(runs: Sequence[TwinRun], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for run in runs:
        for fmt, suffix in _WRITTEN:
            path = directory / f"{run.kind}.{suffix}"
            emit(render(run.report, fmt), path)
            written.append(path)
    return written


def _progress(message: str) -> None:
    click.echo(f"dynaguard demo: {message}", err=True)


@click.command("demo")
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("dynaguard-report"),
    show_default=True,
    help="Where the HTML, SARIF and JSON reports are written.",
)
@click.option(
    "--keep-running", is_flag=True, help="Leave the twins up and print their URLs and tokens."
)
def demo_command(output_dir: Path, keep_running: bool) -> None:
    """Start the embedded DynamoDB and both twins on 127.0.0.1, run `dynaguard code` and an
    active `dynaguard scan` on each, and write the joined reports."""
    started = time.monotonic()
    try:
        with running_twins(_progress) as twins:
            static = static_findings()
            runs = [run_twin(twin, static[twin.kind], _progress) for twin in twins]
            click.echo(summary(runs))
            for path in write_reports(runs, output_dir):
                click.echo(f"wrote {path}")
            click.echo(f"demo finished in {time.monotonic() - started:.1f} s")
            if keep_running:
                _wait(twins[0].jwt_secret, [(t.kind, t.running.url) for t in twins])
    except (LabError, ScanError, OSError) as exc:
        die(f"the demo could not run: {exc}", ExitCode.TARGET)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


def _wait(secret: str, urls: Sequence[tuple[str, str]]) -> None:
    for kind, url in urls:
        click.echo(f"{kind} twin: {url}  (spec: {url}/openapi.json)")
    for name, token in tokens(secret).items():
        click.echo(f"  {name}: Authorization: Bearer {token}")
    click.echo("Ctrl-C stops everything.")
    while True:
        time.sleep(3600)
