"""The boto3 model: DynamoDB handle provenance - which values are tables, clients, batch
writers, conditions - and the sink events their methods make.

A handle is recognised by how it was made (``boto3.resource('dynamodb').Table(...)``), never by
a variable's name: refs travel with values through assignments, attributes, returns and imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from dynaguard.static.flow.accesses import TABLE_ARG, stored
from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.events import SPREAD_ARG, Event, Op, Recognised
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.store import spell
from dynaguard.static.flow.values import EMPTY, Step, Value, any_field, join_all, ref
from dynaguard.static.models import expressions
from dynaguard.static.models.authz import Check, Guard, add_guard, subjects_of
from dynaguard.static.models.sessions import caller_item
from dynaguard.static.source import ir

RESOURCE = "ddb:resource"
TABLE = "ddb:table"
CLIENT = "ddb:client"
BATCH = "ddb:batch"
SESSION = "ddb:session"
SERIALIZER = "ddb:serializer"
CONDITION = "ddb:condition"
META = "ddb:meta"
TABLE_ID = "ddb:table:"
OTHER_SERVICE = "ddb:other-service"
USER_POOL = "ddb:cognito-idp"
"""A Cognito user pool client: its sign-up calls refuse a user name already taken."""
_SIGN_UPS = frozenset({"admin_create_user", "sign_up"})
"""A boto3 client or resource of another AWS service (Lambda, S3, SQS...)."""
"""Ref prefix of a Table handle's identity: its name, or ``@path:line`` where it was made."""

_FACTORIES = {"ext:boto3.resource": RESOURCE, "ext:boto3.client": CLIENT}
_SESSIONS = {"ext:boto3.Session", "ext:boto3.session.Session"}
_CONDITIONS = {"ext:boto3.dynamodb.conditions.Key", "ext:boto3.dynamodb.conditions.Attr"}
_SERIALIZERS = {"ext:boto3.dynamodb.types.TypeSerializer"}
FACTORIES = frozenset({*_FACTORIES, *_SESSIONS, *_CONDITIONS, *_SERIALIZERS})
"""boto3 names whose calls make handles (checked before building a call's site)."""
_HANDLES = frozenset({RESOURCE, TABLE, CLIENT, BATCH, SESSION, SERIALIZER, CONDITION})


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
_READS = frozenset({"get_item", "query", "scan", "batch_get_item", "transact_get_items"})
"""Calls whose result is stored data (labelled by the read site, ``accesses.stored``)."""
_RETURNING = frozenset({"put_item", "update_item", "delete_item"})
"""Writes whose ``ReturnValues`` (other than ``NONE``) return the item's attributes."""

OPERATIONS = frozenset(
    {*_ITEM_OPS, *_CLIENT_ONLY, *_READS, "Table", "batch_writer", "batch_write_item",
     "transact_write_items", "batch_execute_statement", "execute_transaction"}
)  # fmt: skip
"""Every handle method that makes an event: a body naming none may still reach a handle through a
global or a call (``relevance.py``)."""


AMBIGUOUS = frozenset({"query", "Table"})
"""Operation names other libraries use everywhere (SQLAlchemy's ``session.query`` and ``Table``):
they alone do not make a function relevant. A DynamoDB ``query`` names its key condition, and a
``Table`` is made from a resource, a global or a parameter, which relevance follows anyway."""


def _returns_items(name: str, kwargs: dict[str, Value]) -> bool:
    if name in _READS:
        return True
    wanted = kwargs.get("ReturnValues")
    return name in _RETURNING and wanted is not None and wanted.text != "NONE"


_TRANSACT = {"Put": Op.PUT, "Update": Op.UPDATE, "Delete": Op.READ, "ConditionCheck": Op.READ}


def _service(args: Sequence[Value], kwargs: dict[str, Value]) -> str | None:
    return (kwargs.get("service_name") or (args[0] if args else EMPTY)).text


def call_factory(func: str, call: Args) -> tuple[Value, list[Event]] | None:
    """A call of a boto3 name: ``boto3.resource('dynamodb')``, ``Key('pk')``, ``TypeSerializer()``."""
    args, kwargs = call.positional, call.keywords
    if func in _FACTORIES:
        service = _service(args, kwargs)
        if service == "dynamodb":
            return ref(_FACTORIES[func]), []
        if service == "cognito-idp":
            return ref(OTHER_SERVICE, USER_POOL), []
        # Another AWS service (``boto3.client('lambda')``): what it answers is its own data.
        return (ref(OTHER_SERVICE) if service else EMPTY), []
    if func in _SESSIONS:
        return ref(SESSION), []
    if func in _SERIALIZERS:
        return ref(SERIALIZER), []
    if func in _CONDITIONS:
        name = kwargs.get("name") or (args[0] if args else EMPTY)
        api = "conditions." + func.rsplit(".", 1)[1]
        path = {expressions.PATH + name.text} if name.text else set()
        return ref(CONDITION, *path), [Event(Op.NAME, api, call.site, {"AttributeName": name})]
    return None


def attribute(refs: frozenset[str], name: str) -> Value | None:
    """Attributes of handles: ``resource.meta``, ``meta.client``."""
    if name == "meta" and refs & {RESOURCE, TABLE}:
        return ref(META)
    if name == "client" and META in refs:
        return ref(CLIENT)
    return None


def method(refs: frozenset[str], name: str, call: Args) -> tuple[Value, list[Event]] | None:
    """A method of a DynamoDB handle: the value it returns and the sink events it makes."""
    args, kwargs, site = call.positional, _with_spread(call), call.site
    if SESSION in refs and name in {"resource", "client"}:
        return call_factory(f"ext:boto3.{name}", call)
    if RESOURCE in refs:
        if name == "Table":
            table_name = kwargs.get("name") or (args[0] if args else EMPTY)
            identity = table_name.text or f"@{site.path}:{site.line}"
            event = Event(Op.NAME, "resource.Table", site, {"TableName": table_name})
            return ref(TABLE, TABLE_ID + identity), [event]
        if name == "batch_write_item":
            return EMPTY, _batch_write("resource.batch_write_item", kwargs, site)
    if CONDITION in refs:
        # Key('pk').eq(x): values travel as parameters, never as text; the refs carry what the
        # condition tests (expressions.py), for the conditional-write rules.
        return _with_operands(_condition_method(refs, name), refs, args), []
    if SERIALIZER in refs and name == "serialize" and args:
        return Value(args[0].labels, frozenset(), {"M": args[0], "L": args[0]}), []
    if TABLE in refs:
        return _table_method(name, kwargs, site, refs)
    if BATCH in refs and name in {"put_item", "delete_item"}:
        args_of = {**kwargs, TABLE_ARG: _identity(refs)}
        return EMPTY, [Event(_ITEM_OPS[name], f"batch_writer.{name}", site, args_of)]
    if CLIENT in refs:
        result = stored(site, f"client.{name}(...)") if _returns_items(name, kwargs) else EMPTY
        return result, _client_method(name, kwargs, site)
    return None


def _condition_method(refs: frozenset[str], name: str) -> Value:
    """``Attr('a').exists()``, ``.eq(v)``...: a condition whose refs carry its expression text."""
    paths = [r[len(expressions.PATH) :] for r in refs if r.startswith(expressions.PATH)]
    if name == "size":
        return ref(CONDITION, *(f"{expressions.PATH}size({p})" for p in paths))
    texts = [expressions.method_text(p, name) for p in paths]
    return ref(CONDITION, *(expressions.COND + t for t in texts if t))


def _with_operands(condition: Value, refs: frozenset[str], operands: list[Value]) -> Value:
    """The compared values as a field under the attribute (``Key('owner').eq(x)``: ``owner: x``),
    so the key rules see who selects the partition. A field, not labels: a compared value is a
    placeholder, never expression text (DG701)."""
    paths = [r[len(expressions.PATH) :] for r in refs if r.startswith(expressions.PATH)]
    given = join_all(operands)
    if len(paths) > 1 or not given:
        return condition
    # An attribute named at run time (``Key(name).eq(value)`` over ``kwargs.items()``): the
    # value still selects items, under an attribute the rules do not know (``*``).
    return Value(None, condition.refs, {paths[0] if paths else "*": given})


def combine_conditions(parts: list[Value]) -> frozenset[str] | None:
    """The refs of ``a & b``, ``a | b`` or ``~a`` when the parts are condition objects.

    A part we cannot read (a PynamoDB comparison is no object here) makes the whole condition
    opaque: a CONDITION ref with no text, which the rules take as guarding.
    """
    if not any(CONDITION in p.refs for p in parts):
        return None
    texts = [expressions.texts(p.refs) for p in parts]
    if any(len(t) != 1 for t in texts):
        return frozenset({CONDITION})
    return frozenset({CONDITION, expressions.COND + expressions.combine([t[0] for t in texts])})


def _with_spread(call: Args) -> dict[str, Value]:
    """The keyword arguments, and a ``**mapping`` that is still a parameter of the function
    being summarised (its fields are the caller's: they are spread in at each call site)."""
    pending = [v for v in call.spread if any(param >= 0 for param, _ in v.labels)]
    if not pending:
        return call.keywords
    return {**call.keywords, SPREAD_ARG: join_all(pending)}


def _identity(refs: frozenset[str]) -> Value:
    """The table a handle addresses, as the ``@table`` pseudo-argument of its events."""
    names = sorted(r[len(TABLE_ID) :] for r in refs if r.startswith(TABLE_ID))
    return Value(text=names[0]) if len(names) == 1 else EMPTY


def _table_method(
    name: str, kwargs: dict[str, Value], site: Step, refs: frozenset[str]
) -> tuple[Value, list[Event]] | None:
    if name == "batch_writer":
        return ref(BATCH, *(r for r in refs if r.startswith(TABLE_ID))), []
    if name in _ITEM_OPS:
        result = stored(site, f"Table.{name}(...)") if _returns_items(name, kwargs) else EMPTY
        args = {**kwargs, TABLE_ARG: _identity(refs)}
        return result, [Event(_ITEM_OPS[name], f"Table.{name}", site, args)]
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


def named_by_call(value: Value, texts: list[str]) -> Value:
    """A table handle a project factory makes from its argument (``table('users')``, where the
    factory computes the physical name) is named after the call's one string literal."""
    made = [r for r in value.refs if r.startswith(TABLE_ID + "@")]
    if not made or len(texts) != 1:
        return value
    refs = (value.refs - set(made)) | {TABLE_ID + texts[0]}
    return Value(value.labels, refs, value.fields, value.text)


class Boto3(Model):
    name = "boto3"
    packages = frozenset({"boto3", "botocore"})
    ref_kinds = frozenset({"ddb"})
    aliases = MappingProxyType({"ext:boto3.session.Session": "ext:boto3.Session"})
    # A Streams batch (``Records``) makes a function relevant too: its consumer writes back. On a
    # 237k-line Flask corpus with no DynamoDB, ``query`` alone made 1,200 functions relevant.
    relevant_names = (OPERATIONS - AMBIGUOUS) | {
        "Records",
        "KeyConditionExpression",
        "KeyConditions",
    }

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name not in FACTORIES:
            return None
        return _emitted(frame, call_factory(name, args))

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        if OTHER_SERVICE in receiver.refs and not is_handle(receiver.refs):
            if USER_POOL in receiver.refs and name in _SIGN_UPS:
                # Cognito refuses an existing Username (UsernameExistsException) before the
                # code goes on: the name is this request's own from here.
                taken = subjects_of([args.keywords.get("Username") or EMPTY])
                add_guard(frame, Guard(Check.CLAIM, args.site, taken))
            # ``lambda_client.invoke(...)``: another service's answer, not the client's
            return Value()
        if not is_handle(receiver.refs):
            return None
        return _emitted(frame, method(receiver.refs, name, args))

    def attribute(self, frame: Frame, obj: Value, name: str, line: int, col: int) -> Value | None:
        return attribute(obj.refs, name)

    def combine(self, parts: list[Value]) -> frozenset[str] | None:
        return combine_conditions(parts)

    def shaped(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name not in _SHAPES:
            return None  # most unexplained calls: nothing DynamoDB-shaped about the name
        return _emitted(frame, shaped(frame, name, args))

    def returned(self, value: Value, args: Args) -> Value:
        if not any(r.startswith(TABLE_ID) for r in value.refs):  # table("users")
            return value
        texts = [a.text for a in (*args.positional, *args.keywords.values()) if a.text]
        return named_by_call(value, texts)


_SHAPES: dict[str, tuple[frozenset[str], ...]] = {
    "put_item": (frozenset({"Item"}),),
    "update_item": (frozenset({"Key"}), frozenset({"UpdateExpression", "AttributeUpdates"})),
    "get_item": (frozenset({"Key"}),),
    "delete_item": (frozenset({"Key"}),),
    "query": (frozenset({"KeyConditionExpression", "KeyConditions"}),),
    "scan": (frozenset({"FilterExpression", "ScanFilter", "TableName", "IndexName"}),),
    "transact_write_items": (frozenset({"TransactItems"}),),
    "transact_get_items": (frozenset({"TransactItems"}),),
    "batch_write_item": (frozenset({"RequestItems"}),),
    "batch_get_item": (frozenset({"RequestItems"}),),
    "execute_statement": (frozenset({"Statement"}),),
    "batch_execute_statement": (frozenset({"Statements"}),),
    "execute_transaction": (frozenset({"TransactStatements"}),),
}
"""DynamoDB calls recognisable by their keyword arguments alone: each set must meet one name."""
UNMISTAKABLE = frozenset(
    {"put_item", "get_item", "update_item", "delete_item", "transact_write_items",
     "batch_write_item", "execute_statement", "batch_get_item", "transact_get_items"}
)  # fmt: skip
"""Method names nothing but DynamoDB uses: a call of one that is not recognised is a blind spot."""
_CLIENT_ONLY_SHAPES = frozenset(
    {"transact_write_items", "transact_get_items", "execute_statement",
     "batch_execute_statement", "execute_transaction", "batch_get_item"}
)  # fmt: skip


def shaped(frame: Frame, name: str, args: Args) -> tuple[Value, list[Event]] | None:
    """A DynamoDB call by its shape alone (DESIGN.md: "known first, then shape")."""
    needs = _SHAPES.get(name)
    kwargs = args.keywords
    if needs is None or not all(kwargs.keys() & need for need in needs):
        if name in UNMISTAKABLE:
            unrecognised(frame).add((args.site.path, args.site.line, args.site.col))
        return None
    site = args.site
    if "TableName" in kwargs or name in _CLIENT_ONLY_SHAPES:
        result = stored(site, f"client.{name}(...)") if _returns_items(name, kwargs) else EMPTY
        events = _client_method(name, kwargs, site)
    elif name == "batch_write_item":
        result, events = EMPTY, _batch_write("resource.batch_write_item", kwargs, site)
    else:
        identity = _spelled_table(frame, args)
        found = _table_method(name, kwargs, site, frozenset({TABLE_ID + identity}))
        if found is None:
            return None
        result, events = found
    return result, [Event(e.op, e.api, e.site, e.args, e.caught, Recognised.SHAPE) for e in events]


def unrecognised(frame: Frame) -> set[tuple[str, int, int]]:
    """Calls named like DynamoDB operations that nothing recognised (coverage: blind spots)."""
    return unrecognised_calls(frame.analyzer)


def unrecognised_calls(analyzer: Analyzer) -> set[tuple[str, int, int]]:
    """(path, line, col) of every such call of the run."""
    return analyzer.memo("boto3.unrecognised", set)


def _spelled_table(frame: Frame, args: Args) -> str:
    """A table identity for a handle we cannot follow: where the receiver is spelt, so that
    ``self.table.get_item`` and ``self.table.put_item`` in one module address one table."""
    func = args.call.func
    spelled = spell(func.obj) if isinstance(func, ir.Attr) else "?"
    return f"@{frame.module.path}:{spelled}"


def _emitted(frame: Frame, made: tuple[Value, list[Event]] | None) -> Value | None:
    if made is None:
        return None
    value, events = made
    for event in events:
        frame.emit(event)
        if event.op is Op.PUT:
            _claim_created(frame, event)
        value = caller_item(frame, event, value)
    return value


def _claim_created(frame: Frame, event: Event) -> None:
    """A put that only creates (``attribute_not_exists(PK)``) claims its key for this request:
    DynamoDB refused it if the item existed, so what the code writes next under that same
    value is inside the space it just created (a sign-up's first items)."""
    condition = event.args.get("ConditionExpression")
    item = event.args.get("Item")
    if condition is None or not condition.text or item is None:
        return
    created = expressions.created(condition.text, event.attribute_names)
    values = [item.fields[a] for a in sorted(created) if a in item.fields]
    if values:
        add_guard(frame, Guard(Check.CLAIM, event.site, subjects_of(values)))


MODEL = Boto3()
