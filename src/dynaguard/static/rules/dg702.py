"""DG702: a table, index or attribute name comes from the request."""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg702 import RULE
from dynaguard.static.facts.flows import ANY, client, origin
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import Kind, Trace, Value
from dynaguard.static.rules.base import Hit, check

_NAME = (Kind.VALUE, Kind.KEY)
_CHECKED: dict[str, tuple[Kind, ...]] = {
    "TableName": _NAME,
    "IndexName": _NAME,
    "AttributeName": _NAME,
    "AttributesToGet": _NAME,
    "Name": (Kind.VALUE,),
    "Key": (Kind.NAMED,),
    "Item": (Kind.NAMED,),
    "RequestItems": (Kind.NAMED, Kind.KEY),
    "AttributeUpdates": (Kind.NAMED,),
    "actions": (Kind.NAMED,),
}


@check(RULE)
def request_chosen_name(event: Event) -> Iterator[Hit]:
    for part, kinds in _CHECKED.items():
        found = client(event.args.get(part), *kinds)
        if found is not None:
            yield _hit(event, part, found[1])
    names = event.args.get("ExpressionAttributeNames")
    found = client(names, *_names_kinds(event, names))
    if found is not None:
        yield _hit(event, "ExpressionAttributeNames", found[1])


def _names_kinds(event: Event, names: Value | None) -> tuple[Kind, ...]:
    """In an update, names from iterating the request's keys are DG102's; the rest are ours."""
    if event.op is not Op.UPDATE:
        return ANY
    if client(names, Kind.BODY, Kind.KEY) is not None:
        return ()
    return (Kind.FIELDS, Kind.VALUE, Kind.NAMED)


def _hit(event: Event, part: str, trace: Trace) -> Hit:
    message = f"{origin(trace)} chooses the name in {event.api}({part}=...)"
    return Hit(RULE, event.site, message, trace)
