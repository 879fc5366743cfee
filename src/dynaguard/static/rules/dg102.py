"""DG102: attribute names from iterating a request mapping reach an update."""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg102 import RULE
from dynaguard.static.facts.flows import client, origin
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import Kind
from dynaguard.static.rules.base import Hit, check

UPDATE_PARTS = ("UpdateExpression", "ExpressionAttributeNames", "AttributeUpdates", "actions")


@check(RULE)
def client_chosen_names(event: Event) -> Iterator[Hit]:
    if event.op is Op.SETATTR:
        found = client(event.args.get("Name"), Kind.KEY)
        if found is not None:
            message = f"setattr() on a PynamoDB item with attribute names from {origin(found[1])}"
            yield Hit(RULE, event.site, message, found[1])
        return
    if event.op is not Op.UPDATE:
        return
    for part in UPDATE_PARTS:
        kinds = (Kind.KEY,) if part == "UpdateExpression" else (Kind.BODY, Kind.KEY)
        found = client(event.args.get(part), *kinds)
        if found is not None:
            message = f"attribute names from {origin(found[1])} reach {event.api}({part}=...)"
            yield Hit(RULE, event.site, message, found[1])
            return
