"""Per-rule fixtures: small Flask projects whose lines carry ``# expect:`` / ``# ok:`` marks.

``tests/fixtures/static/<RULE>/`` is analysed as one project (so imports between its modules
resolve); the findings of every rule must be exactly the ``expect`` marks of the directory.
"""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "static"
_MARK = re.compile(r"#\s*(expect|ok):\s*([A-Z0-9, ]+)")

Mark = tuple[str, int, str]
"""(path relative to the rule directory, line, rule id)."""


def rule_dirs() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def marks(rule_dir: str, kind: str) -> set[Mark]:
    """Every ``kind`` mark (``expect`` or ``ok``) in the directory's Python files."""
    root = FIXTURES / rule_dir
    found: set[Mark] = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _MARK.finditer(line):
                if match.group(1) == kind:
                    found |= {
                        (rel, number, r.strip()) for r in match.group(2).split(",") if r.strip()
                    }
    return found


def fixture_cases(rule_id: str) -> tuple[int, int]:
    """(true cases, false cases) marked for ``rule_id`` in its fixture directory."""
    if not (FIXTURES / rule_id).is_dir():
        return 0, 0
    expected = {m for m in marks(rule_id, "expect") if m[2] == rule_id}
    negatives = {m for m in marks(rule_id, "ok") if m[2] == rule_id}
    return len(expected), len(negatives)
