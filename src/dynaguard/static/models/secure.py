"""The ``dynaguard.secure`` model, recognised by import provenance (``ext:dynaguard.secure...``).

``current_identity()`` is the identity, and ``OwnedTable`` keys every item by it. Its writes are the safe forms of DG401-DG404 (each carries its condition), but still writes: two of them
outside ``transact_write`` are two writes for one operation (DG501), and swallowing the
``Conflict`` one raises is DG502's. Each call is recorded as the access it makes, with the
condition the library adds; it is not emitted as a sink event, so the other rules do not see it.
"""

from __future__ import annotations

from types import MappingProxyType

from dynaguard.static.flow import accesses
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.frame import ANY_PACKAGE, Args, Frame, Model, Source
from dynaguard.static.flow.values import EMPTY, IDENTITY, Kind, Value
from dynaguard.static.models.boto3 import TABLE_ID
from dynaguard.static.models.identity import source

OWNED = "secure:owned"
"""A ``dynaguard.secure.OwnedTable``: every key it builds starts with the identity."""
_OWNED_CLASSES = frozenset(
    {"ext:dynaguard.secure.OwnedTable", "ext:dynaguard.secure.owned.OwnedTable"}
)
_IDENTITY = {
    "ext:dynaguard.secure.current_identity": Source(IDENTITY, Kind.VALUE, "identity"),
    "ext:dynaguard.secure.identity.current_identity": Source(IDENTITY, Kind.VALUE, "identity"),
}

_MODULES = ("ext:dynaguard.secure.", "ext:dynaguard.secure.writes.")
_TRANSACTIONS = ("ext:dynaguard.secure.", "ext:dynaguard.secure.transactions.")
_STREAMS = ("ext:dynaguard.secure.", "ext:dynaguard.secure.streams.")
_EXISTS = "attribute_exists(@key)"
_WRITES: dict[str, tuple[Op, str]] = {
    "create_if_absent": (Op.PUT, "attribute_not_exists(@key)"),
    "update_if_exists": (Op.UPDATE, _EXISTS),
    "versioned_update": (Op.UPDATE, f"{_EXISTS} AND version = :expected"),
    "increment": (Op.UPDATE, _EXISTS),
    "delete_if_exists": (Op.READ, _EXISTS),
}
_OWNED: dict[str, tuple[Op, str]] = {
    "create": (Op.PUT, "attribute_not_exists(@key)"),
    "update": (Op.UPDATE, _EXISTS),
    "increment": (Op.UPDATE, _EXISTS),
    "delete": (Op.READ, _EXISTS),
}
_API = {"create": "create_if_absent", "update": "update_if_exists", "delete": "delete_if_exists"}


def call(frame: Frame, name: str, args: Args) -> None:
    """Record ``create_if_absent(table, ...)``, ``transact_write(client, ...)`` and friends."""
    prefix, _, function = name.rpartition(".")
    prefix += "."
    if function in _WRITES and prefix in _MODULES:
        op, condition = _WRITES[function]
        table = _table(args.first("table"))
        _record(frame, op, f"secure.{function}", args, condition=condition, table=table)
    elif (function == "transact_write" and prefix in _TRANSACTIONS) or (
        function == "write_once" and prefix in _STREAMS
    ):
        _record(frame, Op.UPDATE, "secure.transact_write", args, condition="", table=EMPTY)


def owned_call(frame: Frame, receiver: Value, name: str, args: Args) -> None:
    """``OwnedTable(...).create/update/increment/delete``: the same conditional writes."""
    if name not in _OWNED:
        return
    op, condition = _OWNED[name]
    table = _table(receiver.fields.get("@table") or EMPTY)
    _record(frame, op, f"secure.{_API.get(name, name)}", args, condition=condition, table=table)


def _table(handle: Value) -> Value:
    names = sorted(r[len(TABLE_ID) :] for r in handle.refs if r.startswith(TABLE_ID))
    return Value(text=names[0]) if len(names) == 1 else EMPTY


def _record(frame: Frame, op: Op, api: str, args: Args, *, condition: str, table: Value) -> None:
    values = {accesses.TABLE_ARG: table}
    if condition:
        values["ConditionExpression"] = Value(text=condition)
    accesses.record(frame.accesses, Event(op, api, args.site, values))


def _owned_table(args: Args) -> Value:
    table = args.first("table")
    fields = {
        "@owner": args.keywords.get("owner_attribute", EMPTY),
        "@sort": args.keywords.get("sort_attribute", EMPTY),
        "@table": Value(None, table.refs, dict(table.fields), table.text),
    }
    return Value(None, frozenset({OWNED}), fields)


def owned_method(frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
    """``OwnedTable.key(sort)``: the owner part is the identity, the sort part the argument."""
    if OWNED not in receiver.refs:
        return None
    if name != "key":
        return EMPTY  # reads and writes through OwnedTable are keyed by the identity
    site = args.site
    owner = (receiver.fields.get("@owner") or EMPTY).text or "owner"
    sort_name = (receiver.fields.get("@sort") or EMPTY).text
    fields = {owner: source(frame, site.line, site.col, "OwnedTable.key()")}
    if sort_name:
        fields[sort_name] = args.first("sort")
    labels = {k: t for f in fields.values() for k, t in f.labels.items()}
    return Value(labels, frozenset(), fields)


class Secure(Model):
    name = "dynaguard.secure"
    # NOTE: asked about every external call, not listed by package: ``dynaguard`` must stay
    # resolvable to project modules when dynaguard's own code is scanned.
    packages = frozenset({ANY_PACKAGE})
    ref_kinds = frozenset({"secure"})
    sources = MappingProxyType(_IDENTITY)

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if not name.startswith("ext:dynaguard.secure"):
            return None
        declared = super().call(frame, name, args)
        if declared is not None:
            return declared
        if name in _OWNED_CLASSES:
            return _owned_table(args)
        call(frame, name, args)  # records the conditional write; the value is as usual
        return None

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        if OWNED not in receiver.refs:
            return None
        owned_call(frame, receiver, name, args)
        return owned_method(frame, receiver, name, args)


MODEL = Secure()
