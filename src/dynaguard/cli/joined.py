"""``dynaguard scan --source PATH``: join the proofs of a scan with the code that explains them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from dynaguard.cli.settings import scan_root
from dynaguard.model import Report
from dynaguard.report.correlate import correlate
from dynaguard.report.grade import grade
from dynaguard.static import analyse, implemented_rules, with_declared
from dynaguard.static.models.declarations import Declarations


def join_source(
    report: Report, paths: Sequence[Path], models: Declarations | None = None
) -> Report:
    """A static finding and a proof of the same rule on the same route become one confirmed
    finding; code-only findings stay potential, proofs without code stay as they are. ``models``:
    what the project's configuration declares about its own code."""
    declared = with_declared(models if models is not None else Declarations())
    analysis = analyse(paths, root=scan_root(paths), rules=implemented_rules(), models=declared)
    findings = correlate(analysis.findings, report.findings)
    extra = dict(report.extra)
    if extra.get("grade", "n/a") != "n/a":
        graded = grade(findings)
        extra["score"], extra["grade"] = str(graded.score), graded.letter
    return replace(
        report,
        findings=findings,
        warnings=(*report.warnings, *analysis.warnings),
        files_scanned=analysis.files_scanned,
        suppressed=analysis.suppressed,
        extra=extra,
    )
