"""`dynaguard code` on the twins: every `# expect:` mark of a statically implemented rule is
found in the vulnerable twin, nothing else is, and the secure twin is clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dynaguard.static import analyse, implemented_rules

SRC = Path(__file__).resolve().parents[2] / "src"
DEMO = SRC / "dynaguard" / "demo"
MARK = re.compile(r"#\s*expect:\s*((?:DG\d{3}\s*,?\s*)+)")


def _marks(directory: Path, rule_ids: set[str]) -> set[tuple[str, int, str]]:
    marks = set()
    for path in sorted(directory.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found = MARK.search(line)
            if not found:
                continue
            for rule_id in re.findall(r"DG\d{3}", found.group(1)):
                if rule_id in rule_ids:
                    marks.add((path.relative_to(SRC).as_posix(), number, rule_id))
    return marks


@pytest.fixture(scope="module")
def findings() -> set[tuple[str, int, str]]:
    # Scanning from src/ lets `dynaguard.demo.db` resolve like it does for a user's package.
    analysis = analyse([DEMO], root=SRC, rules=implemented_rules())
    return {(f.location.path, f.location.line, f.rule.id) for f in analysis.findings if f.location}


def test_vulnerable_twin_findings_are_exactly_its_marks(
    findings: set[tuple[str, int, str]],
) -> None:
    rule_ids = {rule.id for rule in implemented_rules()}
    vulnerable = {f for f in findings if "/secure/" not in f[0]}
    expected = _marks(DEMO, rule_ids)
    assert not expected - vulnerable, f"marks not found: {sorted(expected - vulnerable)}"
    assert not vulnerable - expected, f"unmarked findings: {sorted(vulnerable - expected)}"


def test_secure_twin_is_clean(findings: set[tuple[str, int, str]]) -> None:
    assert sorted(f for f in findings if "/demo/secure/" in f[0]) == []
