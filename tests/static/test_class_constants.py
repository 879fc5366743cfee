"""What an object's attribute holds: its constructor's data, unless the attribute is a constant
of a plain project class; and a list filled by position unpacks element by element."""

from __future__ import annotations

from dynaguard.catalogue import get_rule
from dynaguard.static import analyse_source
from tests.static.conftest import PRELUDE

RULES = [get_rule("DG701"), get_rule("DG102")]

_CLASS = """
{base_import}
class Entity({base}):
    editable = ("title", "note")

    def __init__(self, data):
        self.data = data

@app.post("/e/<eid>")
def change(eid):
    entity = Entity(request.get_json())
    names = [n for n in entity.{attribute}]
    table.update_item(Key={{"id": eid}}, UpdateExpression="SET " + ", ".join(names),
                      ConditionExpression="attribute_exists(id)")
    return {{}}
"""


def _rules(source: str) -> list[str]:
    return [f.rule.id for f in analyse_source(PRELUDE + source, rules=RULES)]


def test_a_plain_class_constant_holds_none_of_the_constructor_data() -> None:
    assert _rules(_CLASS.format(base_import="", base="", attribute="editable")) == []


def test_an_attribute_the_constructor_sets_holds_its_data() -> None:
    assert _rules(_CLASS.format(base_import="", base="", attribute="data")) == ["DG701"]


def test_a_class_with_a_library_base_keeps_its_declarations_open() -> None:
    # A form or schema class fills its class-level declarations from the data it is given.
    library = {"base_import": "from somelib import Form", "base": "Form", "attribute": "editable"}
    assert _rules(_CLASS.format(**library)) == ["DG701"]


_POSITIONS = """
def build(body, allowed):
    out = [None, None]
    out[0] = "SET " + ", ".join(n + " = :" + n for n in allowed)
    out[1] = {{":" + n: body.get(n) for n in allowed}}
    return out

@app.post("/e/<eid>")
def change(eid):
    expression, values = build(request.get_json(), {allowed})
    table.update_item(Key={{"id": eid}}, UpdateExpression=expression,
                      ExpressionAttributeValues=values, ConditionExpression="attribute_exists(id)")
    return {{}}
"""


def test_a_list_filled_by_position_unpacks_element_by_element() -> None:
    assert _rules(_POSITIONS.format(allowed='("a", "b")')) == []
    # Near miss: names the client chose reach the expression (DG102's, not a formatted value).
    assert _rules(_POSITIONS.format(allowed="request.get_json()")) == ["DG102"]
