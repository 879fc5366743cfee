"""Tuple positions (flow/values.py ``TupleValue``): unpacking a tuple binds each target to its
own element, through names, returns, branches and ``.items()``/``.values()``; a container of
tuples, or a reordered tuple, is still any of its elements."""

from __future__ import annotations

import pytest

from dynaguard.catalogue import get_rule
from dynaguard.static import analyse_source
from dynaguard.static.flow.instantiate import instantiate
from dynaguard.static.flow.values import (
    EMPTY,
    REQUEST,
    Kind,
    Step,
    TupleValue,
    Value,
    join,
    param_value,
    positions,
    source,
    tuple_of,
    whole,
    with_step,
)
from tests.static.conftest import PRELUDE

RULES = [get_rule("DG701"), get_rule("DG702")]
VIEW = """
PAIR = ("#n", request.args["q"])


def pair(v):
    return "#n", v


@app.post("/p")
def handler():
    body = request.get_json()
{body}
    table.update_item(
        Key={{"pk": "x"}},
        UpdateExpression="SET " + name + " = :v",
        ExpressionAttributeNames={{name: "a"}},
        ExpressionAttributeValues={{":v": val}},
    )
    return ""
"""
BOTH = {"DG701", "DG702"}
STEP = Step("app.py", 9, 4, "f", "pair")


def _rules(body: str) -> set[str]:
    source_text = PRELUDE + VIEW.format(body=body)
    return {f.rule.id for f in analyse_source(source_text, rules=RULES)}


@pytest.mark.parametrize(
    "body",
    [
        "    t = ('#n', body['x'])\n    name, val = t",
        "    name, val = pair(body['x'])",
        "    name, val = PAIR",
        "    t = ('#n', body['x']) if body else ('#m', body['y'])\n    name, val = t",
        "    t = (('#n', body['x']), 'c')\n    (name, val), other = t",
        "    name, val = list(('#n', body['x']))",
        "    m = {'a': ('#n', body['x'])}\n    for k, (name, val) in m.items():\n        pass",
        "    m = {'a': ('#n', body['x'])}\n    for name, val in m.values():\n        pass",
        "    m = {'a': ('#n', body['x'])}\n"
        "    for i, (k, (name, val)) in enumerate(m.items()):\n        pass",
    ],
)
def test_a_constant_position_is_no_request_data(body: str) -> None:
    assert _rules(body) == set()


@pytest.mark.parametrize(
    "body",
    [
        "    t = (body['x'], '#n')\n    name, val = t",  # the request value is the name
        "    val, name = pair(body['x'])",
        "    t = ('#n', body['x']) if body else (body['y'],)\n    name, val = t",  # other sizes
        "    ps = [('#n', 'v'), (body['x'], 'w')]\n    name, val = ps",  # a list of pairs
        "    ps = []\n    ps.append(('#n', body['x']))\n    ps.append((body['y'], 'z'))\n"
        "    name, val = ps",
        "    ps = [('#n', body['x']) for _ in range(2)]\n    name, val = ps",
        "    t = ('#n', body['x'])\n    name, val = reversed(t)",
        "    t = ('#n', body['x'])\n    name, val = t[::-1]",
        "    name, val = (*body['x'], '#n')",
        # the mapping is request data itself: any entry may be the client's
        "    m = dict(body)\n    m['a'] = ('#n', body['x'])\n"
        "    for k, (name, val) in m.items():\n        pass",
        "    m = {'a': ('#n', body['x']), 'b': (body['y'], ':v')}\n"
        "    for name, val in m.values():\n        pass",
        "    for name, val in (('#n', 'v'), (body['x'], 'w')):\n        pass",  # element by element
    ],
)
def test_request_data_anywhere_it_may_be_is_still_found(body: str) -> None:
    assert _rules(body) == BOTH


def _client(name: str) -> Value:
    return source(Kind.VALUE, Step("app.py", 1, 0, "f", name))


def test_a_tuple_is_the_join_of_its_elements_with_their_positions() -> None:
    client = _client("x")
    pair = tuple_of([Value(text="#n"), client])
    assert set(pair.labels) == {(REQUEST, Kind.VALUE)}
    found = positions(pair, 2)
    assert found is not None
    assert found[0].text == "#n" and not found[0].labels
    assert found[1] is client
    assert positions(pair, 3) is None
    assert positions(client, 1) is None


def test_a_tuple_of_constants_alone_keeps_no_positions() -> None:
    # ``join`` passes over an empty value: a list of such tuples must not look like one of them.
    constants = tuple_of([Value(text="#n"), Value(text=":v")])
    assert type(constants) is Value
    assert positions(constants, 2) is None


def test_alternatives_of_one_size_join_position_by_position() -> None:
    x, y = _client("x"), _client("y")
    joined = join(tuple_of([Value(text="#a"), x]), tuple_of([Value(text="#a"), y]))
    found = positions(joined, 2)
    assert found is not None
    assert found[0].text == "#a" and not found[0].labels
    assert found[1].labels == join(x, y).labels
    other_size = join(tuple_of([Value(text="#a"), x]), tuple_of([y]))
    assert positions(other_size, 2) is None and positions(other_size, 1) is None
    # nothing known on the other side (``None``, an untainted call): the positions stay
    assert positions(join(tuple_of([Value(text="#a"), x]), EMPTY), 2) is not None
    assert positions(join(EMPTY, tuple_of([Value(text="#a"), x])), 2) is not None
    assert positions(join(tuple_of([Value(text="#a"), x]), y), 2) is None


def test_naming_a_tuple_steps_each_position_and_whole_drops_them() -> None:
    pair = tuple_of([Value(text="#n"), _client("x")])
    stepped = with_step(pair, STEP)
    found = positions(stepped, 2)
    assert found is not None
    assert found[1].labels[(REQUEST, Kind.VALUE)][-1] is STEP
    plain = whole(stepped)
    assert type(plain) is Value and plain.labels == stepped.labels
    assert positions(plain, 2) is None


def test_a_returned_tuple_keeps_its_positions_at_each_call() -> None:
    returned = tuple_of([Value(text="#n"), param_value(0, STEP)])
    seen = instantiate(returned, [_client("arg")])
    assert isinstance(seen, TupleValue)
    found = positions(seen, 2)
    assert found is not None
    assert found[0].text == "#n" and not found[0].labels
    assert set(found[1].labels) == {(REQUEST, Kind.VALUE)}
