"""The vulnerable twin's ``expect`` marks: the ground truth a static analysis is compared with."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import dynaguard.demo

DEMO = Path(dynaguard.demo.__file__).parent
DOCS = Path(__file__).parents[2] / "docs" / "twins.md"
MARK = re.compile(r"#\s*expect:\s*(DG\d{3}(?:\s*,\s*DG\d{3})*)\s*$")

DEMONSTRATED = {
    "DG101", "DG102", "DG103", "DG201", "DG202", "DG203", "DG301", "DG302", "DG401",
    "DG402", "DG403", "DG404", "DG501", "DG502", "DG601", "DG602", "DG701", "DG801",
}  # fmt: skip


def marks(package: str) -> dict[tuple[str, int], set[str]]:
    """(file, line) -> rule ids, from comments that follow code on the same line."""
    found: dict[tuple[str, int], set[str]] = {}
    for path in sorted((DEMO / package).glob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and "expect" in token.string:
                match = MARK.search(token.string)
                assert match, f"{path.name}:{token.start[0]}: malformed mark {token.string!r}"
                line = token.start[0]
                assert lines[line - 1][: token.start[1]].strip(), (
                    f"{path.name}:{line}: mark on a line without code"
                )
                found[(path.name, line)] = {rule.strip() for rule in match.group(1).split(",")}
    return found


def test_vulnerable_marks_cover_every_demonstrated_rule() -> None:
    rules = set().union(*marks("vulnerable").values())
    assert rules == DEMONSTRATED


def test_secure_twin_has_no_marks() -> None:
    assert marks("secure") == {}


def test_every_demonstrated_rule_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert {rule for rule in DEMONSTRATED if rule not in text} == set()
