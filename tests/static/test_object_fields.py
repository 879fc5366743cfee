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
    # ``entity.data`` is the body itself: iterating it gives the client's names (DG102).
    assert _rules(_CLASS.format(base_import="", base="", attribute="data")) == ["DG102"]


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


_RECORD = """
class Record:
    def __init__(self, record_id, data):
        self.record_id = record_id
        self.data = data
        self.item = {{}}

    def _build(self):
        self.item = {{"record_id": self.record_id, "title": self.data.get("title")}}

    def load(self, data):
        self.data = data

    def save(self):
        {save}

@app.post("/r/<rid>")
def create(rid):
    record = Record(rid, {{}})
    record.load(request.get_json())
    record.save()
    return {{}}
"""

RULES_101 = [get_rule("DG101")]


def _whole_item(save: str) -> list[str]:
    """The sources DG101 names (``request.get_json()``, ``route parameter <rid>``)."""
    source = PRELUDE + _RECORD.format(save=save)
    found = analyse_source(source, rules=RULES_101)
    return sorted(f.message.partition(" reaches ")[0] for f in found)


def test_a_method_that_builds_the_item_on_self_makes_it_field_by_field() -> None:
    # ``self._build()`` then ``put_item(Item=self.item)``: the item is the dict it built (server
    # names, client values), not any of the data the object holds.
    assert _whole_item("self._build()\n        table.put_item(Item=self.item)") == []


def test_data_a_method_stores_on_the_object_reaches_later_methods() -> None:
    # ``record.load(body)`` stores the body on the object: ``save`` writing ``self.data`` whole
    # writes the client's mapping.
    assert "request.get_json()" in _whole_item("table.put_item(Item=self.data)")
