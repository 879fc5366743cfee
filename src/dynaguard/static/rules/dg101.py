"""DG101: a whole request mapping (or a client-supplied object) is written as an item."""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg101 import RULE
from dynaguard.model import Confidence
from dynaguard.static.facts.flows import client, origin
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import Kind
from dynaguard.static.rules.base import Hit, check


@check(RULE)
def whole_item(event: Event) -> Iterator[Hit]:
    if event.op is not Op.PUT:
        return
    # NOTE: a KEY or VALUE as the whole item is an element of the request (a list of objects
    # or a nested object): still client-shaped, so reported with medium confidence.
    found = client(event.args.get("Item"), Kind.BODY, Kind.KEY, Kind.VALUE)
    if found is None:
        return
    kind, trace = found
    confidence = None if kind is Kind.BODY else Confidence.MEDIUM
    message = f"{origin(trace)} reaches {event.api}(Item=...) as the whole item, with no allowlist"
    yield Hit(RULE, event.site, message, trace, confidence)
