"""One run of one target: the same engines as ``dynaguard scan`` and ``dynaguard code``, the
report as the JSON contract (what the history ingests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dynaguard.cli.code import run_analysis
from dynaguard.cli.scan import build_report
from dynaguard.cli.settings import CodeFlags, resolve
from dynaguard.dynamic import build_options, events, parse_scan_table, scan
from dynaguard.model import Report
from dynaguard.monitor.settings import Target
from dynaguard.report import OutputFormat, render


def run(target: Target, source: Path) -> str:
    """The target's report as JSON; raises what the engines raise when it cannot be scanned."""
    report = _api(target, source) if target.url else _code(target, source)
    return render(report, OutputFormat.JSON)


def _api(target: Target, source: Path) -> Report:
    origin = f"{source}: target {target.name!r}"
    table = parse_scan_table(target.options, origin)
    overrides: dict[str, Any] = {"max-time": min(table.max_time, target.timeout * 0.5)}
    if table.spec and not table.spec.startswith(("http://", "https://")):
        # A spec path in a config file is relative to that file, as for ``dynaguard scan``.
        overrides["spec"] = str(source.parent / table.spec)
    options = build_options(table, target.url, origin, overrides)
    return build_report(scan(options, events.ignore))


def _code(target: Target, source: Path) -> Report:
    keys = target.options
    flags = CodeFlags(
        paths=(Path(target.path),),
        config=source,
        no_cache=True,
        select=tuple(keys.get("select", ())),
        ignore=tuple(keys.get("ignore", ())),
        exclude=tuple(keys.get("exclude", ())),
        persona=keys.get("persona"),
    )
    return run_analysis(resolve(flags))
