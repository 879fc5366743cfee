"""Inline suppressions: ``# dynaguard: ignore[DG101]`` on a finding's line or the line above.

NOTE: like bandit's ``# nosec B201``, a suppression always names the rule; a bare
``# dynaguard: ignore`` suppresses nothing and is reported so the user can name it.
"""

from __future__ import annotations

import io
import re
import tokenize

_MARK = re.compile(r"#\s*dynaguard:\s*ignore\b(?:\[([^\]]*)\])?", re.IGNORECASE)


def scan_comments(source: str) -> tuple[dict[int, frozenset[str]], tuple[int, ...]]:
    """(line -> named rule ids, lines with a bare ignore), read from real comments only."""
    if "dynaguard" not in source:
        return {}, ()
    named: dict[int, frozenset[str]] = {}
    bare: list[int] = []
    for line, text in _comments(source):
        for match in _MARK.finditer(text):
            ids = frozenset(
                p.strip().upper() for p in (match.group(1) or "").split(",") if p.strip()
            )
            if ids:
                named[line] = named.get(line, frozenset()) | ids
            else:
                bare.append(line)
    return named, tuple(bare)


def _comments(source: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out.append((tok.start[0], tok.string))
    except (tokenize.TokenError, SyntaxError):
        pass  # the file parsed, so this is only an unterminated tail; keep what we have
    return out


def is_suppressed(suppressions: dict[int, frozenset[str]], line: int, rule_id: str) -> bool:
    return suppressed_at(suppressions, line, rule_id) is not None


def suppressed_at(suppressions: dict[int, frozenset[str]], line: int, rule_id: str) -> int | None:
    """The line of the comment that suppresses ``rule_id`` on ``line`` (it or the one above)."""
    return next((n for n in (line, line - 1) if rule_id in suppressions.get(n, frozenset())), None)
