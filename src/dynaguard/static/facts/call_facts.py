"""What one DynamoDB call of an operation says: the item and key it addresses, its condition,
and what it writes (``operations.py`` orders the calls; this reads each one)."""

from __future__ import annotations

from dataclasses import dataclass

from dynaguard.static.facts.operations import CallKind, Context, DbCall
from dynaguard.static.flow.accesses import is_fresh, reads_of
from dynaguard.static.flow.values import EMPTY, REQUEST, STORED_BASE, Kind, Value, join_all
from dynaguard.static.models import expressions
from dynaguard.static.models.expressions import Condition

TYPED = frozenset({"S", "N", "B", "BOOL", "M", "L", "SS", "NS", "BS", "NULL"})


# NOTE: made by the tens of thousands per scan, so not ``frozen`` (a frozen __init__ pays an
# ``object.__setattr__`` per field, 4x slower); nothing assigns to one after it is made.
@dataclass(slots=True, unsafe_hash=True)
class Written:
    attribute: str
    value: Value
    atomic: bool
    """DynamoDB computes it from the stored value (``ADD``, ``SET n = n + :d``)."""


def typed(value: Value) -> Value:
    """A low-level client's ``{'S': v}`` as ``v``."""
    if value.fields and set(value.fields) <= TYPED:
        return join_all(list(value.fields.values()))
    return value


def item_of(call: DbCall) -> Value | None:
    """What a put writes whole (PynamoDB: the instance), or the instance an update or delete is on."""
    return call.event.args.get("Item") or call.event.args.get("@item")


def key_of(call: DbCall, context: Context) -> dict[str, Value] | None:
    """Key attribute -> value, when the call or the project's key schema tells."""
    given = call.event.args.get("Key")
    if given is not None and given.fields:
        return {name: typed(v) for name, v in given.fields.items()}
    item = item_of(call)
    if item is None:
        return None
    # ``Model(**body)``: a key attribute the code did not set is whatever the mapping held.
    whole = Value({k: t for k, t in item.labels.items() if k == (REQUEST, int(Kind.BODY))})
    names = context.key_names(call)
    if names is None or not (all(n in item.fields for n in names) or whole.labels):
        # No ``Key=`` names that fit this item: the key its table's queries compare, when the
        # item holds it and no server-made id that may be the sort key they leave out.
        names = context.queried_names(call)
        if names is None or not all(n in item.fields for n in names):
            return None
        if any(is_fresh(v) for n, v in item.fields.items() if n not in names):
            return None
    return {n: typed(item.fields[n]) if n in item.fields else whole for n in names}


def names_of(call: DbCall) -> dict[str, str]:
    return call.event.attribute_names


def condition_of(call: DbCall, context: Context) -> Condition:
    """The call's condition (NONE when it has none; OPAQUE when we cannot read it)."""
    if context.versioned(call) or call.event.args.get("Expected") is not None:
        return expressions.OPAQUE
    value = call.event.args.get("ConditionExpression") or call.event.args.get("condition")
    if value is None:
        return expressions.NONE
    texts = [value.text] if value.text else expressions.texts(value.refs)
    if len(texts) != 1:
        return expressions.OPAQUE  # built at run time, a PynamoDB comparison, alternatives
    return expressions.parse_condition(texts[0], names_of(call))


def written(call: DbCall) -> list[Written]:
    """The attributes a write sets, with their values."""
    if call.kind is CallKind.PUT:
        item = item_of(call) or EMPTY
        return [Written(n, typed(v), False) for n, v in item.fields.items()]
    if call.kind is not CallKind.UPDATE:
        return []
    out: list[Written] = []
    expression = (call.event.args.get("UpdateExpression") or EMPTY).text
    values = call.event.args.get("ExpressionAttributeValues") or EMPTY
    if expression:
        for assignment in expressions.parse_update(expression, names_of(call)):
            parts = [typed(values.fields.get(p, EMPTY)) for p in assignment.placeholders]
            out.append(Written(assignment.attribute, join_all(parts), assignment.atomic))
    for part in ("AttributeUpdates", "actions"):
        updates = call.event.args.get(part) or EMPTY
        for name, value in updates.fields.items():
            action = (value.fields.get("Action") or EMPTY).text
            inner = value.fields.get("Value", value)
            out.append(Written(name, typed(inner), action == "ADD"))
    return out


def write_reads(call: DbCall) -> set[int]:
    """Read sites whose data the write stores, other than by DynamoDB arithmetic."""
    found: set[int] = set()
    item = item_of(call)
    if call.kind is CallKind.PUT and item is not None:
        found |= {p for p, _ in item.labels if p <= STORED_BASE}
    for entry in written(call):
        if not entry.atomic:
            found |= reads_of(entry.value)
    return found
