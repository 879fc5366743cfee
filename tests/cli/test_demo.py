"""`dynaguard demo` end to end: both twins on the embedded DynamoDB, both engines, reports."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dynaguard.cli import main


def test_demo_proves_the_vulnerable_twin_and_clears_the_secure_one(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["demo", "--output-dir", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    vulnerable = json.loads((out / "vulnerable.json").read_text(encoding="utf-8"))
    secure = json.loads((out / "secure.json").read_text(encoding="utf-8"))
    assert secure["findings"] == []
    rules = {f["rule"] for f in vulnerable["findings"]}
    # Every category the twins seed, proven by the scanner or found in the code.
    assert {"DG101", "DG102", "DG103", "DG201", "DG202", "DG401", "DG701", "DG801"} <= rules
    joined = [f for f in vulnerable["findings"] if f["engine"] == "dynamic" and f["location"]]
    assert joined, "a static finding on a proven route becomes one confirmed finding"
    assert all(f["confidence"] == "confirmed" for f in joined)
    for kind in ("vulnerable", "secure"):
        for suffix in ("html", "sarif", "json"):
            assert (out / f"{kind}.{suffix}").stat().st_size > 0
    assert "grade A" in result.stdout
    assert f"wrote {out / 'vulnerable.html'}" in result.stdout
