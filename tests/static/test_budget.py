"""Hostile shapes the analysis must bound: a function past its statement budget is given up
with a warning (the rest of the scan goes on), and values grown by joins down a call chain are
widened before each call site walks them."""

from __future__ import annotations

import random

import pytest

from dynaguard.static.flow import accesses, interp
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import Step, Value
from tests.static.conftest import Project

_TWO_ROUTES = """
from flask import Flask, request
import boto3

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("t")

@app.post("/long")
def long_one():
    body = request.get_json()
{padding}
    table.put_item(Item=body)
    return {{}}

@app.post("/short")
def short_one():
    table.put_item(Item=request.get_json())
    return {{}}
"""


def test_a_function_past_its_budget_is_given_up_and_the_rest_is_analysed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(interp, "MAX_STATEMENTS", 40)
    padding = "\n".join(f"    n{i} = {i}" for i in range(60))
    analysis = project({"app.py": _TWO_ROUTES.format(padding=padding)})
    whole = [f.location.function for f in analysis.findings if f.rule.id == "DG101" and f.location]
    assert whole == ["short_one"]
    messages = [w.message for w in analysis.warnings]
    assert messages == [
        "long_one ran past its analysis budget (40 statements run): findings in it may be missing"
    ]


def test_within_the_budget_nothing_is_given_up(project: Project) -> None:
    padding = "\n".join(f"    n{i} = {i}" for i in range(60))
    analysis = project({"app.py": _TWO_ROUTES.format(padding=padding)})
    whole = [f.location.function for f in analysis.findings if f.rule.id == "DG101" and f.location]
    assert sorted(whole) == ["long_one", "short_one"]
    assert analysis.warnings == ()


def _random_calls(size: int, seed: int) -> str:
    """``size`` functions that each wrap their argument in a dict and pass it to three others
    at random: joins of ever wider nested values, the shape that once never finished."""
    rng = random.Random(seed)
    lines = [
        "from flask import Flask, request",
        "import boto3",
        "app = Flask(__name__)",
        "t = boto3.resource('dynamodb').Table('t')",
    ]
    for i in range(size):
        lines += [f"def f{i}(a, b):", f"    x = {{'k{i}': a, 'n': b}}"]
        lines += [f"    x = f{c}(x, a) or x" for c in rng.sample(range(size), 3)]
        lines += ["    t.put_item(Item=x)"] if i % 10 == 0 else []
        lines += ["    return x"]
    lines += ["@app.post('/x')", "def h():", "    return f0(request.get_json(), request.args)"]
    return "\n".join(lines) + "\n"


def test_a_random_call_graph_of_wide_values_finishes(project: Project) -> None:
    # Before the widening at each call site this took minutes for 60 functions (hours for 400).
    analysis = project({"app.py": _random_calls(60, seed=1)})
    assert {f.rule.id for f in analysis.findings} >= {"DG203", "DG501"}


def test_a_call_reached_by_a_million_paths_is_kept_once_past_the_cap(project: Project) -> None:
    # Each helper calls the next twice: 2**20 paths reach the put. Each was an access of its
    # own in every caller's summary (a million in the handler's) before the cap.
    helpers = "def f20(d):\n    table.put_item(Item=d)\n"
    helpers += "".join(f"def f{i}(d):\n    f{i + 1}(d)\n    f{i + 1}(d)\n" for i in range(20))
    route = "@app.post('/x')\ndef h():\n    f0(request.get_json())\n    return {}\n"
    analysis = project({"app.py": _TWO_ROUTES.format(padding="") + helpers + route})
    assert "DG101" in {f.rule.id for f in analysis.findings if f.location.function == "f20"}  # type: ignore[union-attr]


def test_past_the_cap_an_access_joins_the_one_of_its_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accesses, "MAX_APART", 2)
    site = Step("a.py", 9, 4, "f", "table.put_item(...)", "call")
    entries: accesses.Entries = {}
    for line in (1, 2, 3, 4):
        via = (Step("a.py", line, 0, "g", "f()", "call"),)
        event = Event(Op.PUT, "Table.put_item", site, {"Item": Value(fields={f"k{line}": Value()})})
        accesses.add(entries, accesses.Access(event, via))
    kept = list(entries.values())
    assert len(kept) == 3  # two apart, then one for every other path to the call
    joined = kept[2]
    assert isinstance(joined, accesses.Access) and joined.via[0].line == 3
    assert set(joined.event.args["Item"].fields) == {"k3", "k4"}
