"""No input crashes the analyser: real fixture sources, mutated at random."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynaguard.static import analyse_source
from tests.static.fixtures import FIXTURES

SOURCES = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.py"))]
TOKENS = ["(", ")", "[", "]", "{", "}", ":", ",", "**", "*", "lambda", "yield", "await", "async",
          "def f(", "class C:", "for x in", "if", "else:", "with", "try:", "except:", "return",
          "request.json", "table.put_item(Item=", "setattr(", "'", '"', "\\", "\t", "match x:",
          "case _:", "global", "del", "@app.route('/x')", "import", "from . import", "0x", "\U0001d518"]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SOURCES)).splitlines()
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "token", "indent"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "token":
            col = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:col] + draw(st.sampled_from(TOKENS)) + lines[i][col:]
        else:
            lines[i] = "    " + lines[i]
    text = "\n".join(lines)
    return text[: draw(st.integers(0, len(text)))] if draw(st.booleans()) else text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_sources_never_crash(source: str) -> None:
    analyse_source(source)


def test_pathological_inputs() -> None:
    for source in (
        "",
        "\x00",
        "(" * 500,
        "x = " + " + ".join(["a"] * 5000),
        "def f():\n" + "    if x:\n" * 90 + "        pass\n",
    ):
        analyse_source(source)
