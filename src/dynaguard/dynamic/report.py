"""A :class:`ScanResult` as the shared :class:`~dynaguard.model.Report` the formatters render."""

from __future__ import annotations

from dynaguard import __version__
from dynaguard.dynamic.coverage import summary
from dynaguard.dynamic.result import ScanResult
from dynaguard.model import Report


def to_report(result: ScanResult) -> Report:
    """Findings and warnings as they are (one ``not cleaned up: ...`` warning per leftover); scan
    facts in ``extra``: whether probing was interrupted, whether cleanup ran to its end, what it
    put back, which operations the source code described (the CLI adds the score and grade with
    the shared formula, dynaguard.report.grade)."""
    extra = {
        "engine": "dynamic",
        "mode": "active" if result.active else "read-only",
        "spec": result.spec_source,
        "requests": str(result.requests),
        "seconds": f"{result.seconds:.1f}",
        "coverage": summary(result.coverage),
        "identities": ", ".join(
            f"{s.name} ({'ok' if s.ok else 'failed'})" for s in result.identities
        )
        or "none",
        "not_cleaned_up": str(len(result.not_cleaned)),
        "interrupted": result.interrupted or "no",
        "cleanup": result.cleanup_stopped or "complete",
        "restored": "; ".join(result.restored) or "nothing",
        "cut_short": result.cut_short or "no",
    }
    if result.from_code:
        count = f"{len(result.from_code)} of {len(result.coverage)}"
        extra["operations_from_code"] = f"{count}: " + "; ".join(result.from_code)
    return Report(
        findings=result.findings,
        warnings=result.warnings,
        tool_version=__version__,
        target=result.target,
        extra=extra,
    )
