"""Writes into parts of a container (flow/store.py): a client value added inside an attribute
does not make the whole item, or its attribute names, the client's."""

from __future__ import annotations

from dynaguard.catalogue import get_rule
from dynaguard.static import analyse_source
from tests.static.conftest import PRELUDE

RULES = [get_rule("DG101"), get_rule("DG702")]
VIEW = """
@app.post('/pools/<position>/<champion>')
def add(position, champion):
    profile = table.get_item(Key={{'name': 'me'}})['Item']
    {change}
    table.put_item(Item=profile)
    return ''
"""


def _rules(change: str) -> set[str]:
    return {f.rule.id for f in analyse_source(PRELUDE + VIEW.format(change=change), rules=RULES)}


def test_an_entry_added_inside_an_attribute_is_not_the_whole_item_or_a_name() -> None:
    assert _rules("profile['pool'][position] = champion") == set()
    assert _rules("profile['pool'].append(champion)") == set()
    assert _rules("profile['pool'][position].add(champion)") == set()


def test_the_item_itself_keyed_or_extended_by_the_client_still_is() -> None:
    assert _rules("profile[position] = champion") == {"DG702"}
    assert _rules("profile = [champion]\n    profile.append(request.get_json())") == {"DG101"}
