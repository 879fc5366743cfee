"""``dynaguard.secure``'s writes, recognised by import provenance (``ext:dynaguard.secure...``).

They are the safe forms of DG401-DG404 (each carries its condition), but still writes: two of them
outside ``transact_write`` are two writes for one operation (DG501), and swallowing the
``Conflict`` one raises is DG502's. Each call is recorded as the access it makes, with the
condition the library adds; it is not emitted as a sink event, so the other rules do not see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dynaguard.static import accesses
from dynaguard.static.events import Event, Op
from dynaguard.static.handles import TABLE_ID
from dynaguard.static.values import EMPTY, Value

if TYPE_CHECKING:
    from dynaguard.static.calls import Args
    from dynaguard.static.frame import Frame

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
    accesses.record(frame, Event(op, api, args.site, values))
