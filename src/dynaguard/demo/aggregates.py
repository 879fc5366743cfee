"""What one stream record of the records table means for its owner's aggregates.

Both consumers read records the same way; they differ in how they apply the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

COUNT_DELTA = {"INSERT": 1, "REMOVE": -1}


class StreamHandler(Protocol):
    """A Lambda-style handler: ``handler(event, context)`` over ``event["Records"]``."""

    def __call__(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class RecordChange:
    """The change one stream record makes to its owner's aggregates."""

    owner: str
    """Whose aggregates change."""
    count: int
    """+1 for a new record, -1 for a deleted one, 0 for a modification."""
    balance: Decimal
    """New balance minus old balance."""


def record_change(record: Mapping[str, Any]) -> RecordChange:
    """Read a records-table stream record (NEW_AND_OLD_IMAGES). Raises KeyError if malformed."""
    images = record["dynamodb"]
    new, old = images.get("NewImage", {}), images.get("OldImage", {})
    owner = (new or old)["owner"]["S"]
    balance = _number(new, "balance") - _number(old, "balance")
    return RecordChange(str(owner), COUNT_DELTA.get(record["eventName"], 0), balance)


def _number(image: Mapping[str, Any], name: str) -> Decimal:
    value = image.get(name, {}).get("N")
    return Decimal(value) if value is not None else Decimal(0)
