"""DynamoDB handle provenance (boto3): which values are tables, clients, batch writers...

A handle is recognised by how it was made (``boto3.resource('dynamodb').Table(...)``), never by
a variable's name: refs travel with values through assignments, attributes, returns and imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from dynaguard.static.events import Event, Op
from dynaguard.static.values import EMPTY, Step, Value, any_field, ref

RESOURCE = "ddb:resource"
TABLE = "ddb:table"
CLIENT = "ddb:client"
BATCH = "ddb:batch"
SESSION = "ddb:session"
SERIALIZER = "ddb:serializer"
CONDITION = "ddb:condition"
META = "ddb:meta"

_FACTORIES = {"ext:boto3.resource": RESOURCE, "ext:boto3.client": CLIENT}
_SESSIONS = {"ext:boto3.Session", "ext:boto3.session.Session"}
_CONDITIONS = {"ext:boto3.dynamodb.conditions.Key", "ext:boto3.dynamodb.conditions.Attr"}
_SERIALIZERS = {"ext:boto3.dynamodb.types.TypeSerializer"}
FACTORIES = frozenset({*_FACTORIES, *_SESSIONS, *_CONDITIONS, *_SERIALIZERS})
"""boto3 names whose calls make handles (checked before building a call's site)."""
_HANDLES = frozenset({RESOURCE, TABLE, CLIENT, BATCH, SESSION, SERIALIZER, CONDITION})


class CallArgs(Protocol):
    """The evaluated arguments of a call (``calls.Args``)."""

    positional: list[Value]
    keywords: dict[str, Value]

    @property
    def site(self) -> Step: ...


def is_handle(refs: frozenset[str]) -> bool:
    return not refs.isdisjoint(_HANDLES)


_ITEM_OPS = {
    "put_item": Op.PUT,
    "update_item": Op.UPDATE,
    "delete_item": Op.READ,
    "get_item": Op.READ,
    "query": Op.READ,
    "scan": Op.READ,
}
_CLIENT_ONLY = {"execute_statement": Op.PARTIQL}
_TRANSACT = {"Put": Op.PUT, "Update": Op.UPDATE, "Delete": Op.READ, "ConditionCheck": Op.READ}


def _is_dynamodb(args: Sequence[Value], kwargs: dict[str, Value]) -> bool:
    service = kwargs.get("service_name") or (args[0] if args else EMPTY)
    return service.text == "dynamodb"


def call_factory(func: str, call: CallArgs) -> tuple[Value, list[Event]] | None:
    args, kwargs = call.positional, call.keywords
    """A call of a boto3 name: ``boto3.resource('dynamodb')``, ``Key('pk')``, ``TypeSerializer()``."""
    if func in _FACTORIES:
        return (ref(_FACTORIES[func]) if _is_dynamodb(args, kwargs) else EMPTY), []
    if func in _SESSIONS:
        return ref(SESSION), []
    if func in _SERIALIZERS:
        return ref(SERIALIZER), []
    if func in _CONDITIONS:
        name = kwargs.get("name") or (args[0] if args else EMPTY)
        api = "conditions." + func.rsplit(".", 1)[1]
        return ref(CONDITION), [Event(Op.NAME, api, call.site, {"AttributeName": name})]
    return None


def attribute(refs: frozenset[str], name: str) -> Value | None:
    """Attributes of handles: ``resource.meta``, ``meta.client``."""
    if name == "meta" and refs & {RESOURCE, TABLE}:
        return ref(META)
    if name == "client" and META in refs:
        return ref(CLIENT)
    return None


def method(refs: frozenset[str], name: str, call: CallArgs) -> tuple[Value, list[Event]] | None:
    args, kwargs, site = call.positional, call.keywords, call.site
    """A method of a DynamoDB handle: the value it returns and the sink events it makes."""
    if SESSION in refs and name in {"resource", "client"}:
        return call_factory(f"ext:boto3.{name}", call)
    if RESOURCE in refs:
        if name == "Table":
            table_name = kwargs.get("name") or (args[0] if args else EMPTY)
            return ref(TABLE), [Event(Op.NAME, "resource.Table", site, {"TableName": table_name})]
        if name == "batch_write_item":
            return EMPTY, _batch_write("resource.batch_write_item", kwargs, site)
    if CONDITION in refs:
        return ref(CONDITION), []  # Key('pk').eq(x): values travel as parameters, never as text
    if SERIALIZER in refs and name == "serialize" and args:
        return Value(args[0].labels, frozenset(), {"M": args[0], "L": args[0]}), []
    if TABLE in refs:
        return _table_method(name, kwargs, site)
    if BATCH in refs and name in {"put_item", "delete_item"}:
        return EMPTY, [Event(_ITEM_OPS[name], f"batch_writer.{name}", site, dict(kwargs))]
    if CLIENT in refs:
        return EMPTY, _client_method(name, kwargs, site)
    return None


def _table_method(
    name: str, kwargs: dict[str, Value], site: Step
) -> tuple[Value, list[Event]] | None:
    if name == "batch_writer":
        return ref(BATCH), []
    if name in _ITEM_OPS:
        return EMPTY, [Event(_ITEM_OPS[name], f"Table.{name}", site, dict(kwargs))]
    return None


def _client_method(name: str, kwargs: dict[str, Value], site: Step) -> list[Event]:
    api = f"client.{name}"
    op = _ITEM_OPS.get(name) or _CLIENT_ONLY.get(name)
    if op is not None:
        return [Event(op, api, site, dict(kwargs))]
    if name == "batch_write_item":
        return _batch_write(api, kwargs, site)
    if name == "transact_write_items":
        items = kwargs.get("TransactItems", EMPTY)
        return [
            Event(op, f"{api}[{part}]", site, dict(items.fields[part].fields))
            for part, op in _TRANSACT.items()
            if part in items.fields
        ]
    if name in {"batch_execute_statement", "execute_transaction"}:
        statements = kwargs.get("Statements") or kwargs.get("TransactStatements") or EMPTY
        statement = statements.fields.get("Statement")
        return [Event(Op.PARTIQL, api, site, {"Statement": statement})] if statement else []
    if name in {"batch_get_item", "transact_get_items"}:
        return [Event(Op.READ, api, site, dict(kwargs))]
    return []


def _batch_write(api: str, kwargs: dict[str, Value], site: Step) -> list[Event]:
    request_items = kwargs.get("RequestItems", EMPTY)
    events = [Event(Op.READ, api, site, {"RequestItems": request_items})]
    requests = any_field(request_items)
    put = requests.fields.get("PutRequest")
    if put is not None and "Item" in put.fields:
        events.append(Event(Op.PUT, f"{api}[PutRequest]", site, {"Item": put.fields["Item"]}))
    return events
