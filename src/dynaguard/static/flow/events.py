"""Sink events: a DynamoDB call (or PynamoDB write, or name choice) with the values it received.

Models (``models/``) turn API calls into events with normalised argument
names; rules (``rules/``) read only events, so a rule never knows how a call was spelled.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dynaguard.static.flow.values import Step, Value

SPREAD_ARG = "@spread"
"""A call's ``**mapping`` whose fields are not known yet (a helper's parameter,
``lambda x: table.get_item(**x)``): instantiating the summary at a call site spreads the
argument's fields into the event's arguments (``instantiate.instantiate_event``)."""


class Op(enum.Enum):
    PUT = "put"
    """A whole item is written: ``Item`` (PynamoDB ``save()``: the instance)."""
    UPDATE = "update"
    """Attributes of an item are updated: ``UpdateExpression``, ``AttributeUpdates``, ``actions``."""
    READ = "read"
    """Get, query, scan, delete, condition check."""
    PARTIQL = "partiql"
    """A PartiQL ``Statement``."""
    NAME = "name"
    """A table or attribute name is chosen: ``Table(TableName)``, ``Attr(AttributeName)``."""
    SETATTR = "setattr"
    """``setattr(model, Name, value)`` on a PynamoDB item."""
    RAISES = "raises"
    """Request data read or converted by an operation that raises on malformed input:
    ``body['x']`` (``Value`` the mapping, ``Key`` the name), ``int(x)``, ``Decimal(x)``."""

    @property
    def writes(self) -> bool:
        return self in (Op.PUT, Op.UPDATE, Op.SETATTR)


class Recognised(enum.Enum):
    """How the call was recognised as a DynamoDB access (``DESIGN.md``: known first, then shape)."""

    PROVENANCE = "provenance"
    """By how its handle was made (``boto3.resource('dynamodb').Table(...)``), or a library model."""
    SHAPE = "shape"
    """By its unmistakable API shape alone (``x.put_item(Item=...)`` on an unknown ``x``):
    findings on it have medium confidence at most."""
    DECLARED = "declared"
    """By a model the user declared in the configuration (``[tool.dynaguard.models]``)."""


# NOTE: not ``frozen``: events are made by the tens of thousands and a frozen dataclass pays an
# ``object.__setattr__`` per field; nothing assigns to one after it is made (``with_args`` copies),
# and its ``args`` dict already makes it unhashable.
@dataclass(slots=True)
class Event:
    op: Op
    api: str
    """How the call reads to a user, e.g. ``Table.put_item``."""
    site: Step
    """The call."""
    args: dict[str, Value]
    """Keyword arguments by their boto3 names (never mutated)."""
    caught: frozenset[str] = frozenset()
    """Exceptions an enclosing ``try`` handles at the call, here or in every caller that passed
    it request data (last dotted part of each type, ``*`` for a bare ``except:``)."""
    recognised: Recognised = Recognised.PROVENANCE

    def with_args(self, args: dict[str, Value], caught: frozenset[str] | None = None) -> Event:
        """The same call with other argument values (and handled exceptions)."""
        handled = self.caught if caught is None else caught
        return Event(self.op, self.api, self.site, args, handled, self.recognised)

    @property
    def attribute_names(self) -> dict[str, str]:
        """``ExpressionAttributeNames``: each ``#placeholder`` whose attribute name is known."""
        names = self.args.get("ExpressionAttributeNames")
        if names is None:
            return {}
        return {k: v.text for k, v in names.fields.items() if v.text is not None}

    @property
    def key(self) -> tuple[str, str, str, int, int, str]:
        # Raising reads are told apart by what they read too: ``a['x']['y']`` starts both
        # subscripts at one column.
        note = self.site.note if self.op is Op.RAISES else ""
        return (self.op.value, self.api, self.site.path, self.site.line, self.site.col, note)
