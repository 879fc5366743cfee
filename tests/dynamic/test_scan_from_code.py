"""Scan from code (issue 17): a twin scanned with only the spec its code implies keeps the
findings of the scan with its published spec, except the gaps explained here, and adds no false
one; the secure twin stays clean. bench/scan_from_code.py prints the figures for every twin."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest
from click.testing import CliRunner

from dynaguard.cli import main
from dynaguard.cli.joined import derived_options, source_analysis
from dynaguard.demo import TwinKind, create_app, serve, source_paths
from dynaguard.dynamic import ScanOptions, ScanResult, scan, to_report
from dynaguard.lab import Lab
from tests.dynamic.test_twins import IDENTITIES

_PREFIXES = count()
CODE_GAPS = {
    # The published spec's bounds are what the invalid values break: a pattern for the handle,
    # a minimum for the amount. The code states neither (no comparison, no schema), and a bound
    # the code does not state would be a guess about intent.
    ("DG301", "POST /handles"),
    ("DG301", "POST /users/{username}/transfers"),
}
"""Findings of the spec scan the code scan does not give, each explained."""
CODE_EXTRA: set[tuple[str, str]] = set()
"""Findings the code scan gives that the spec scan does not: none (each would have to be true)."""
TIMING = {"DG401"}


def _scan(lab: Lab, kind: TwinKind, derive: Callable[[ScanOptions], ScanOptions]) -> ScanResult:
    prefix = f"c{next(_PREFIXES)}_{kind}_"
    app = create_app(kind, dynamodb=lab.resource(), client=lab.client(), table_prefix=prefix)  # type: ignore[arg-type]
    with serve(app) as running:
        return scan(derive(ScanOptions(target=running.url, identities=IDENTITIES, active=True)))


def _from_code(kind: TwinKind) -> Callable[[ScanOptions], ScanOptions]:
    paths = source_paths(kind)
    analysis = source_analysis(paths, surface=True)
    return lambda options: derived_options(options, analysis, paths)


def _pairs(result: ScanResult) -> set[tuple[str, str]]:
    return {
        (f.rule.id, f"{f.endpoint.method} {f.endpoint.path}")
        for f in result.findings
        if f.endpoint and f.rule.id not in TIMING
    }


@pytest.fixture(scope="module")
def code_lab() -> Iterator[Lab]:
    with Lab(embedded=True) as lab:
        yield lab


def test_vulnerable_twin_from_code_keeps_the_spec_findings(code_lab: Lab) -> None:
    with_spec = _scan(code_lab, "vulnerable", lambda options: options)
    from_code = _scan(code_lab, "vulnerable", _from_code("vulnerable"))
    spec_pairs, code_pairs = _pairs(with_spec), _pairs(from_code)
    assert spec_pairs - code_pairs == CODE_GAPS
    assert code_pairs - spec_pairs == CODE_EXTRA
    assert len(spec_pairs & code_pairs) >= 0.9 * len(spec_pairs)
    # The report says where the operations came from, handler by handler.
    extra = to_report(from_code).extra
    assert extra["spec"].startswith("derived from the code in ")
    assert "POST /users/{username}/transfers (" in extra["operations_from_code"]
    assert "vulnerable/transfers.py:" in extra["operations_from_code"]
    assert "operations_from_code" not in to_report(with_spec).extra
    # PATCH /users/{username} stores whatever names its body has: its proofs stand on the fields
    # the owner's profile shows (dynamic/free_form.py).
    patch = "PATCH /users/{username}"
    assert {("DG102", patch), ("DG201", patch), ("DG301", patch), ("DG403", patch)} <= code_pairs


def test_secure_twin_from_code_has_no_findings(code_lab: Lab) -> None:
    result = _scan(code_lab, "secure", _from_code("secure"))
    assert result.findings == (), [f"{f.rule.id} {f.message}" for f in result.findings]
    assert len(result.from_code) == len(result.coverage) > 10


def test_source_without_routes_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "lib.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    # Nothing listens on port 9: the error comes before any request.
    result = CliRunner().invoke(main, ["scan", "http://127.0.0.1:9", "--source", str(tmp_path)])
    assert result.exit_code == 2
    assert "no route found in the code to derive a spec from; pass --spec" in result.output
