"""Which values select the items of a DynamoDB access, and whether the identity scopes it.

A key is read in every form the analyser models: ``Key={...}`` (boto3 and PynamoDB ``get``),
``KeyConditionExpression`` as ``Key('a').eq(x)`` objects (the boto3 model's ``_with_operands``) or as text
with ``ExpressionAttributeValues``, and the owner attributes of a put's ``Item``.
"""

from __future__ import annotations

import re

from dynaguard.catalogue.dg103 import normalise
from dynaguard.static.flow.accesses import TABLE_ARG
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import EMPTY, REQUEST, Trace, Value, join_all
from dynaguard.static.models.expressions import parse_condition
from dynaguard.static.models.identity import mentions_identity

OWNER_NAMES = frozenset(
    normalise(n)
    for n in (
        "owner", "owner_id", "user", "user_id", "username", "user_name", "uid", "account_id",
        "tenant_id", "customer_id", "member_id", "author_id", "created_by", "email", "user_email",
        "owner_email", "owner_username", "sub",
    )
)  # fmt: skip
"""Attributes that name whose an item is (the project's own identity attributes are added)."""
_PLACEHOLDER = re.compile(r":[A-Za-z0-9_]+")
_FILTERS = ("ConditionExpression", "FilterExpression", "KeyConditionExpression", "condition")


def table_of(event: Event) -> str | None:
    value = event.args.get(TABLE_ARG)
    return value.text if value is not None else None


def table_label(event: Event) -> str:
    """The table as a reader says it: ``the users table``, ``model Credential``."""
    name = table_of(event)
    if not name or name.startswith("@"):
        return "a table"
    if name.startswith("model:"):
        return f"model {name.rpartition(':')[2].rpartition('.')[2]}"
    if name.startswith("$"):
        return f"the table named by {name}"  # an environment variable (models/stdlib.py)
    return f"the {name} table"


def is_write(event: Event) -> bool:
    """Puts, updates and deletes (a delete is a READ event for the mass-assignment rules)."""
    return event.op in (Op.PUT, Op.UPDATE) or event.api.endswith(("delete_item", ".delete"))


def is_query(event: Event) -> bool:
    return event.api.endswith(".query") or event.args.get("KeyConditionExpression") is not None


def is_scan(event: Event) -> bool:
    return event.api.endswith(".scan")


def key_fields(event: Event) -> dict[str, Value]:
    """Attribute -> the value that selects it (``*`` when the attribute name is unknown)."""
    key = event.args.get("Key")
    if key is not None:
        if key.fields:
            return dict(key.fields)
        return {"*": key} if key.labels else {}
    condition = event.args.get("KeyConditionExpression")
    if condition is None:
        return {}
    out = {**condition.fields, **_compared(event, condition)}
    if not out and condition.labels:
        out["*"] = condition
    return out


def filter_fields(event: Event) -> dict[str, Value]:
    """Attribute -> the value a scan's or query's filter compares it with: ``FilterExpression``
    as ``Attr('a').eq(x)`` or as text with placeholders, and the legacy ``ScanFilter`` /
    ``QueryFilter`` (``{'a': {'AttributeValueList': [...], ...}}``)."""
    out: dict[str, Value] = {}
    for legacy in ("ScanFilter", "QueryFilter"):
        conditions = event.args.get(legacy)
        if conditions is not None:
            out |= {n: v.fields.get("AttributeValueList", v) for n, v in conditions.fields.items()}
    condition = event.args.get("FilterExpression")
    if condition is None:
        return out
    return {**out, **condition.fields, **_compared(event, condition)}


def _compared(event: Event, condition: Value) -> dict[str, Value]:
    """Attribute -> the placeholder values an expression text compares it with."""
    out: dict[str, Value] = {}
    if not condition.text:
        return out
    names = event.attribute_names
    values = event.args.get("ExpressionAttributeValues") or EMPTY
    for disjunct in parse_condition(condition.text, names).disjuncts:
        for test in disjunct:
            found = [values.fields[p] for p in test.placeholders if p in values.fields]
            if found:
                out[test.attribute] = join_all(found)
    return out


def item_fields(event: Event) -> dict[str, Value]:
    """The attributes a put writes (empty for any other access)."""
    item = event.args.get("Item") if event.op is Op.PUT else None
    return dict(item.fields) if item is not None else {}


def identity_scoped(event: Event) -> bool:
    """The identity is part of the key, or of a condition or filter the access applies."""
    if any(mentions_identity(v) for v in key_fields(event).values()):
        return True
    values = event.args.get("ExpressionAttributeValues") or EMPTY
    for name in _FILTERS:
        condition = event.args.get(name)
        if condition is None:
            continue
        if mentions_identity(condition):
            return True
        if condition.text is None and mentions_identity(values):
            return True  # an expression built at run time: its values are all we can read
        for placeholder in _PLACEHOLDER.findall(condition.text or ""):
            if mentions_identity(values.fields.get(placeholder)):
                return True
    return False


def request_trace(value: Value) -> Trace | None:
    """The flow of request data in the value (or one of its fields), if any."""
    for (param, _), trace in value.labels.items():
        if param == REQUEST:
            return trace
    for field in value.fields.values():
        found = request_trace(field)
        if found is not None:
            return found
    return None


def request_sources(value: Value) -> set[tuple[str, int, int, str]]:
    """Where the request data in the value starts (first flow steps), fields included."""
    out = {
        (t[0].path, t[0].line, t[0].col, t[0].note)
        for (param, _), t in value.labels.items()
        if param == REQUEST and t
    }
    for field in value.fields.values():
        out |= request_sources(field)
    return out


def owner_like(name: str, project_owners: frozenset[str]) -> bool:
    return normalise(name) in OWNER_NAMES or normalise(name) in project_owners
