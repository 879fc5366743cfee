"""What a write stores, attribute by attribute (DG301), in every spelling the events have.

``Item={'a': v}``, a typed ``{'a': {'N': v}}``, a PynamoDB ``Model(a=v).save()``,
``UpdateExpression='SET a = :v'`` / ``'ADD a :d'`` with ``ExpressionAttributeValues``,
``AttributeUpdates={'a': {'Value': v}}`` and PynamoDB ``Model.a.set(v)`` actions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dynaguard.static.flow.accesses import TABLE_ARG
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import EMPTY, REQUEST, Kind, Value
from dynaguard.static.models.expressions import parse_update
from dynaguard.static.source import ir

if TYPE_CHECKING:
    from dynaguard.static.flow.analyzer import Analyzer

_TYPED = frozenset({"S", "N", "B", "BOOL", "SS", "NS", "L", "M"})
_PYNAMO_TYPES = {
    "NumberAttribute": "number",
    "BooleanAttribute": "boolean",
    "UTCDateTimeAttribute": "date-time",
    "TTLAttribute": "date-time",
    "NumberSetAttribute": "number",
}


# NOTE: made by the tens of thousands per scan, so not ``frozen`` (a frozen __init__ pays an
# ``object.__setattr__`` per field, 4x slower); nothing assigns to one after it is made.
@dataclass(slots=True, unsafe_hash=True)
class Written:
    attribute: str
    value: Value
    delta: bool = False
    """``ADD a :d`` / ``SET a = a + :d``: the client chooses a change of the stored amount."""


def attributes(event: Event) -> Iterator[Written]:
    """The attributes an event writes and their values (``*`` when the name is not constant)."""
    if event.op is Op.PUT:
        yield from _fields(event.args.get("Item") or EMPTY)
    elif event.op is Op.UPDATE:
        yield from _update_expression(event)
        for update in (event.args.get("AttributeUpdates") or EMPTY).fields.items():
            yield Written(update[0], update[1].fields.get("Value", update[1]))
        yield from _fields(event.args.get("actions") or EMPTY)


def _fields(item: Value) -> Iterator[Written]:
    for name in sorted(item.fields):
        yield Written(name, _untyped(item.fields[name]))


def _untyped(value: Value) -> Value:
    """``{'N': v}`` (the low-level client's typed value) -> ``v``."""
    typed = [f for n, f in value.fields.items() if n in _TYPED]
    if typed and (REQUEST, int(Kind.VALUE)) not in value.labels:
        return typed[0]
    return value


def _update_expression(event: Event) -> Iterator[Written]:
    text = (event.args.get("UpdateExpression") or EMPTY).text
    values = event.args.get("ExpressionAttributeValues") or EMPTY
    if not text:
        for value in values.fields.values():
            yield Written("*", _untyped(value))  # an expression built at run time
        return
    for assignment in parse_update(text, event.attribute_names):
        for placeholder in assignment.placeholders:
            found = values.fields.get(placeholder)
            if found is not None:
                yield Written(assignment.attribute, _untyped(found), assignment.arithmetic)


def pynamo_kinds(analyzer: Analyzer, event: Event) -> dict[str, str]:
    """Attribute name -> ``number``/``boolean``/``date-time`` for a PynamoDB model's write."""
    out: dict[str, str] = {}
    table = (event.args.get(TABLE_ARG) or EMPTY).text or ""
    if table.startswith("model:"):
        for facts in analyzer.mro(table.removeprefix("model:")):
            module_name, _, qualname = facts.cls_id.partition(":")
            module = analyzer.project.modules.get(module_name)
            body = _class_body(module.body, qualname) if module else None
            for name, kind in _typed_attributes(analyzer, module_name, body or ()):
                out.setdefault(name, kind)
    return out


def _typed_attributes(
    analyzer: Analyzer, module: str, body: tuple[ir.Stmt, ...]
) -> Iterator[tuple[str, str]]:
    for stmt in body:
        if not (isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call)):
            continue
        target, func = stmt.targets[0], stmt.value.func
        name = func.id if isinstance(func, ir.Name) else getattr(func, "attr", "")
        if not isinstance(target, ir.Name) or name not in _PYNAMO_TYPES:
            continue
        root = func
        while isinstance(root, ir.Attr):
            root = root.obj
        refs = analyzer.global_value(module, root.id).refs if isinstance(root, ir.Name) else ()
        if any(r.startswith("ext:pynamodb") for r in refs):  # by provenance, not by name alone
            yield target.id, _PYNAMO_TYPES[name]


def _class_body(body: tuple[ir.Stmt, ...], qualname: str) -> tuple[ir.Stmt, ...] | None:
    for stmt in body:
        if isinstance(stmt, ir.ClassStmt):
            if stmt.class_id == qualname:
                return stmt.body
            found = _class_body(stmt.body, qualname)
            if found is not None:
                return found
    return None
