"""Hostile nesting: values stay bounded, the analysis ends quickly, and findings survive."""

from __future__ import annotations

from dynaguard.catalogue import get_rule
from dynaguard.static import analyse_source
from dynaguard.static.flow.values import MAX_DEPTH, REQUEST, Kind, Step, Value, bounded
from tests.static.conftest import PRELUDE

_RULES = [get_rule("DG101"), get_rule("DG301")]


def _client(note: str) -> Value:
    return Value({(REQUEST, int(Kind.VALUE)): (Step("a.py", 1, 0, "f", note, "body"),)})


def test_a_value_nested_past_the_limit_keeps_its_labels_and_drops_its_structure() -> None:
    inner = Value(fields={"q": _client("body['q']")})
    value = inner
    for _ in range(MAX_DEPTH + 3):
        value = Value(fields={"x": value, "y": value})
    kept = bounded(value)
    assert kept.fields == {}
    assert any(param == REQUEST for param, _ in kept.labels)  # the client's data is still in it
    shallow = Value(fields={"x": inner})
    assert bounded(shallow) is shallow  # ordinary values are left alone


def test_a_handler_that_nests_its_body_in_a_loop_is_analysed_quickly() -> None:
    nesting = "\n".join(['        d = {"x": d, "y": d}'] * 16)
    body = (
        "\n@app.post('/a')\ndef a():\n    d = request.get_json()\n    for _ in range(10):\n"
        f"{nesting}\n    table.put_item(Item={{'id': 'a', 'd': d}})\n    return {{}}\n"
    )
    found = analyse_source(PRELUDE + body, rules=_RULES)
    # Still request data in the item (its raw strings are pedantic).
    assert [(f.rule.id, f.effective_persona.value) for f in found] == [("DG301", "pedantic")]


def test_a_chain_of_helpers_that_double_their_argument_is_analysed_quickly() -> None:
    helpers = ['def f0(d):\n    return {"x": d, "y": d}\n']
    helpers += [f"def f{i}(d):\n    return f{i - 1}(f{i - 1}(d))\n" for i in range(1, 19)]
    body = (
        "\n"
        + "\n".join(helpers)
        + (
            "\n@app.post('/a')\ndef a():\n"
            "    table.put_item(Item={'id': request.json['id'], 'v': f18(request.json)})\n"
        )
    )
    # Unbounded, each call doubled the value's depth (2**18 levels: minutes and gigabytes);
    # bounded, the handler is analysed as any other.
    found = analyse_source(PRELUDE + body)
    assert {"DG203", "DG302", "DG402"} <= {f.rule.id for f in found}
