"""``dynaguard scan --source PATH``: join the proofs of a scan with the code that explains them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from dynaguard.cli.openapi import openapi_document
from dynaguard.cli.settings import scan_root
from dynaguard.dynamic.errors import ScanConfigError
from dynaguard.dynamic.settings import ScanOptions
from dynaguard.model import Report
from dynaguard.report.correlate import correlate
from dynaguard.report.grade import grade
from dynaguard.static import Analysis, analyse, implemented_rules, with_declared
from dynaguard.static.models.declarations import Declarations
from dynaguard.static.source.discover import printable


def source_analysis(
    paths: Sequence[Path], models: Declarations | None = None, *, surface: bool = False
) -> Analysis:
    """The analysis of the source tree a scan is joined with (``surface``: with its routes, to
    derive the spec from). ``models``: what the project's configuration declares about its code."""
    declared = with_declared(models if models is not None else Declarations())
    return analyse(
        paths, root=scan_root(paths), rules=implemented_rules(), models=declared, surface=surface
    )


def join_source(
    report: Report,
    paths: Sequence[Path],
    models: Declarations | None = None,
    analysis: Analysis | None = None,
) -> Report:
    """A static finding and a proof of the same rule on the same route become one confirmed
    finding; code-only findings stay potential, proofs without code stay as they are.
    ``analysis``: the source's, when already made (else it is made here)."""
    if analysis is None:
        analysis = source_analysis(paths, models)
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


def derived_options(options: ScanOptions, analysis: Analysis, paths: Sequence[Path]) -> ScanOptions:
    """The scan's options with the spec the code implies. Raises ScanConfigError when the code
    declares no route (nothing to scan then)."""
    where = " ".join(printable(str(p)) for p in paths)
    if not analysis.routes:
        raise ScanConfigError(
            f"--source {where}: no route found in the code to derive a spec from; "
            "pass --spec FILE|URL"
        )
    text = json.dumps(openapi_document(analysis, paths))
    return replace(options, derived_spec=text, derived_from=f"derived from the code in {where}")
