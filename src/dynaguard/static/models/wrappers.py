"""A call of a declared DynamoDB wrapper, as the boto3 call it stands for.

``repo.save(order)`` declared as ``operation = "put"``, ``item = "order"``, ``table = "orders"``
makes the event ``table.put_item(Item=order)`` would make on the ``orders`` table, with the same
argument names, so every rule reads it as it reads boto3. Its ``api`` names both
(``OrderRepo.save -> Table.put_item``): the wrapper for the reader, the boto3 method last, which
is what the per-operation facts classify calls by (``facts/operations.py``).
"""

from __future__ import annotations

from dynaguard.static.flow.accesses import TABLE_ARG, stored
from dynaguard.static.flow.events import Event, Op, Recognised
from dynaguard.static.flow.frame import Args, Frame
from dynaguard.static.flow.values import EMPTY, Step, Value, with_field
from dynaguard.static.models.boto3 import TABLE_ID
from dynaguard.static.models.declarations import Operation, Param, Role, Wrapper, label

Parts = dict[Role, Value]

_READS = frozenset({Operation.GET, Operation.QUERY, Operation.SCAN})
_ITEM_CALLS: dict[Operation, tuple[Op, str]] = {
    Operation.PUT: (Op.PUT, "Table.put_item"),
    Operation.GET: (Op.READ, "Table.get_item"),
    Operation.UPDATE: (Op.UPDATE, "Table.update_item"),
    Operation.DELETE: (Op.READ, "Table.delete_item"),
    Operation.QUERY: (Op.READ, "Table.query"),
    Operation.SCAN: (Op.READ, "Table.scan"),
}
_ARGUMENTS: dict[Role, str] = {
    Role.ITEM: "Item",
    Role.KEY: "Key",
    Role.UPDATE: "UpdateExpression",
    Role.CONDITION: "ConditionExpression",
    Role.VALUES: "ExpressionAttributeValues",
}
"""The boto3 argument each part is (``_renamed`` has the exceptions per operation)."""


def call(frame: Frame, wrapper: Wrapper, args: Args, signature: tuple[str, ...] | None) -> Value:
    """Emit the events of one call of ``wrapper`` and give what the boto3 call would return.

    ``signature``: the wrapper's positional parameters as callers pass them, when the project
    defines it (a name then also finds a positional argument, and a position a keyword)."""
    parts = _parts(wrapper, args, signature)
    site, spelled = args.site, label(wrapper.name)
    table = _table(frame, wrapper, parts, site, spelled)
    for op, api, arguments in _requests(wrapper.operation, parts):
        arguments[TABLE_ARG] = table
        frame.emit(
            Event(op, f"{spelled} -> {api}", site, arguments, recognised=Recognised.DECLARED)
        )
    return stored(site, f"{spelled}(...)") if wrapper.operation in _READS else EMPTY


def argument(param: Param, args: Args, signature: tuple[str, ...] | None) -> Value | None:
    """The value a call passes for ``param``, if it passes one."""
    if isinstance(param, int):
        if param < len(args.positional):
            return args.positional[param]
        name = signature[param] if signature is not None and param < len(signature) else None
        return args.keywords.get(name) if name is not None else None
    if param in args.keywords:
        return args.keywords[param]
    if signature is not None and param in signature:
        index = signature.index(param)
        return args.positional[index] if index < len(args.positional) else None
    return None


def _parts(wrapper: Wrapper, args: Args, signature: tuple[str, ...] | None) -> Parts:
    parts: Parts = {role: Value(text=text) for role, text in wrapper.fixed.items()}
    for role, param in wrapper.params.items():
        found = argument(param, args, signature)
        if found is not None:
            parts[role] = found
    for role, entries in wrapper.fields.items():
        built = EMPTY
        for name, param in entries.items():
            # As a ``{'pk': v}`` literal evaluates: the entry is a field, its data contained.
            built = with_field(built, name, argument(param, args, signature) or EMPTY)
        parts[role] = built
    return parts


def _table(frame: Frame, wrapper: Wrapper, parts: Parts, site: Step, spelled: str) -> Value:
    """The table the call addresses (its ``@table``); a table chosen by a parameter is also a
    name choice, as ``resource.Table(name)`` is (DG702)."""
    given = parts.pop(Role.TABLE, None)
    if given is None:
        # One table per wrapper: its calls address the same items (read, then write back).
        return Value(text=f"@{wrapper.name}")
    if Role.TABLE not in wrapper.fixed:
        api = f"{spelled} -> resource.Table"
        event = Event(Op.NAME, api, site, {"TableName": given}, recognised=Recognised.DECLARED)
        frame.emit(event)
    # A boto3 Table handle passed as the table (``put(users, item)``) is the table it names.
    handles = sorted(r[len(TABLE_ID) :] for r in given.refs if r.startswith(TABLE_ID))
    return Value(text=given.text or (handles[0] if len(handles) == 1 else f"@{wrapper.name}"))


def _requests(operation: Operation, parts: Parts) -> list[tuple[Op, str, dict[str, Value]]]:
    """(op, boto3 api, arguments) of each request the operation makes."""
    if operation is Operation.BATCH_WRITE:
        item = {"Item": parts[Role.ITEM]} if Role.ITEM in parts else {}
        # As boto3's: the batch (what DG501 reads), and the put of its items (DG101, DG103).
        return [
            (Op.READ, "Table.batch_write_item", {}),
            (Op.PUT, "Table.batch_write_item[PutRequest]", item),
        ]
    if operation is Operation.TRANSACT_WRITE:
        return _transaction(parts)
    op, api = _ITEM_CALLS[operation]
    return [(op, api, _renamed(operation, parts))]


def _renamed(operation: Operation, parts: Parts) -> dict[str, Value]:
    out = {_ARGUMENTS[role]: value for role, value in parts.items()}
    if operation in (Operation.QUERY, Operation.SCAN):
        if "ConditionExpression" in out:
            out["FilterExpression"] = out.pop("ConditionExpression")
        if "Key" in out:
            out["KeyConditionExpression"] = out.pop("Key")
    if operation is Operation.UPDATE and "Item" in out:
        out["AttributeUpdates"] = out.pop("Item")  # the attributes it sets, by name
    return out


def _transaction(parts: Parts) -> list[tuple[Op, str, dict[str, Value]]]:
    """The parts of ``client.transact_write_items``: a Put of the item, an Update by the update
    expression, or else a Delete of the key."""
    api = "client.transact_write_items"
    found: list[tuple[Op, str, dict[str, Value]]] = []
    if Role.ITEM in parts:
        put: Parts = {r: v for r, v in parts.items() if r not in (Role.KEY, Role.UPDATE)}
        found.append((Op.PUT, f"{api}[Put]", _renamed(Operation.PUT, put)))
    if Role.UPDATE in parts:
        update: Parts = {r: v for r, v in parts.items() if r is not Role.ITEM}
        found.append((Op.UPDATE, f"{api}[Update]", _renamed(Operation.UPDATE, update)))
    if not found and Role.KEY in parts:
        found.append((Op.READ, f"{api}[Delete]", _renamed(Operation.DELETE, parts)))
    return found
