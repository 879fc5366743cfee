"""DG701: request data inside an expression or PartiQL statement's text."""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg701 import RULE
from dynaguard.static.facts.flows import client, origin
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import Kind
from dynaguard.static.rules.base import Hit, check

EXPRESSIONS = (
    "KeyConditionExpression",
    "FilterExpression",
    "ConditionExpression",
    "ProjectionExpression",
    "UpdateExpression",
    "Statement",
)
_TEXT = (Kind.VALUE, Kind.BODY, Kind.FIELDS, Kind.NAMED)


@check(RULE)
def expression_text(event: Event) -> Iterator[Hit]:
    if event.op is Op.NAME:
        return
    for part in EXPRESSIONS:
        # Names from iterating the request's keys into an update are DG102's finding.
        kinds = _TEXT if part == "UpdateExpression" else (*_TEXT, Kind.KEY)
        found = client(event.args.get(part), *kinds)
        if found is not None:
            message = f"{origin(found[1])} is formatted into {event.api}({part}=...); pass it as a value placeholder"
            yield Hit(RULE, event.site, message, found[1])
