"""Shortcuts taken while lowering must give what the full search gives.

``unknown_lines`` lets the lowering skip the search of a class body for ``extra = "allow"`` /
``unknown = INCLUDE`` when the class's lines cannot spell those names; these cases are where a
shortcut could be fooled (line ends, spellings that are not plain ASCII).
"""

from __future__ import annotations

import pytest

from dynaguard.static.source import ir
from dynaguard.static.source.parse import load_source

KEEPS = "class Open(Base):\n    x = 1\n\n    class Config:\n        extra = 'allow'\n"
KEYWORD = "class Open(Base, extra='allow'):\n    x = 1\n"
CLOSED = "class Closed(Base):\n    x = {'a': 1}\n\n    def m(self):\n        extra = 'allow'\n"


def _keeps(source: str) -> dict[str, bool]:
    module = load_source(source, "m.py")
    assert isinstance(module, ir.Module)
    return {name: info.keeps_unknown for name, info in module.classes.items()}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (KEEPS, {"Open": True, "Open.Config": True}),
        (KEYWORD, {"Open": True}),
        (CLOSED, {"Closed": False}),
        # Another class names the word, this one does not: only the class's own lines count.
        (CLOSED + "\n" + KEEPS, {"Closed": False, "Open": True, "Open.Config": True}),
        (KEEPS + "\n" + CLOSED, {"Closed": False, "Open": True, "Open.Config": True}),
        ("class Plain:\n    y = 2\n" + KEEPS, {"Plain": False, "Open": True, "Open.Config": True}),
        # Windows line ends, and lone carriage returns (a line end for Python, not for "\n").
        (KEEPS.replace("\n", "\r\n"), {"Open": True, "Open.Config": True}),
        (
            "x = 1\r" + CLOSED.replace("\n", "\r") + KEEPS.replace("\n", "\r"),
            {"Closed": False, "Open": True, "Open.Config": True},
        ),
        # An identifier spelt with full-width letters is the same name once normalised (NFKC).
        (KEEPS.replace("extra", "\uff45xtra"), {"Open": True, "Open.Config": True}),
        # A form feed is not a line end for Python: line numbers must not shift.
        (
            "x = 1\x0c\n" + CLOSED + "\x0c\n" + KEEPS,
            {"Closed": False, "Open": True, "Open.Config": True},
        ),
    ],
)
def test_a_class_keeps_unknown_fields_as_its_body_says(
    source: str, expected: dict[str, bool]
) -> None:
    assert _keeps(source) == expected
