"""Reading and writing parts of containers and objects: ``x['k']``, ``x.k = v``, ``x.append(v)``."""

from __future__ import annotations

from dynaguard.static.flow.frame import Frame
from dynaguard.static.flow.values import (
    CONTAIN,
    ELEM,
    EMPTY,
    KEYED,
    STORED_BASE,
    Kind,
    Value,
    apply,
    join,
    join_all,
    unexplained,
    whole,
    with_field,
    with_step,
)
from dynaguard.static.source import ir

_CLIENT_KEYED = (Kind.BODY, -1, -1, -1, Kind.NAMED)  # entries whose key the client chose


def subscript(container: Value, key: Value) -> Value:
    """``container[key]``: the known field, plus anything a client-chosen key could hold."""
    if key.text is not None and key.text in container.fields:
        found = container.fields[key.text]
        if found.text is not None and not found.labels and all(p >= 0 for p, _ in container.labels):
            return found  # a constant the caller passed (or the code set) under that name
        return join(found, _client_keyed(container))
    if not container.labels:
        found = container.fields.get("*", EMPTY)
        if key.text is None:  # ``HANDLERS[kind](...)``: a dispatch table calls any of its entries
            return join(found, join_all([v for v in container.fields.values() if _callable(v)]))
        return found
    if key.text is not None and container.fields:
        # Another named field is none of those the code set (``item['secret'] = body['s']``
        # then ``item['version']``).
        container = Value(unexplained(container, named_only=True), container.refs)
    return apply(container, ELEM)


def _callable(value: Value) -> bool:
    return any(r.startswith(("fn:", "cls:")) for r in value.refs)


def _client_keyed(container: Value) -> Value:
    """What a client-chosen key could have put under a named field: an item read from DynamoDB
    is whole (BODY) but its keys are the table's, so a field the code set is that field."""
    found = apply(container, _CLIENT_KEYED)
    if found.labels and any(p <= STORED_BASE for p, _ in found.labels):
        return Value({k: t for k, t in found.labels.items() if k[0] > STORED_BASE} or None)
    return found


def root_name(expr: ir.Expr) -> str | None:
    while isinstance(expr, (ir.Attr, ir.Sub)):
        expr = expr.obj
    return expr.id if isinstance(expr, ir.Name) else None


def store_field(
    frame: Frame, obj: ir.Expr, name: str, value: Value, *, at: tuple[int, int], spelling: str
) -> None:
    """``obj.name = value`` / ``obj['name'] = value``: a strong update of one field."""
    root = root_name(obj)
    if root is None:
        return
    stepped = (
        with_step(value, frame.step(*at, f"{spell(obj)}{spelling}")) if value.labels else value
    )
    if isinstance(obj, ir.Name):
        frame.env[root] = with_field(frame.lookup(root), name, stepped)
        container = frame.elements.get(root)
        if container is not None and container in frame.env:
            # ``item['qty'] = v`` in ``for item in items`` changes an element of ``items``.
            old = frame.env[container]
            field = join(old.fields.get(name, EMPTY), stepped)
            frame.env[container] = with_field(old, name, field)
    else:  # a nested store (``a.b['c'] = v``): the root now contains the value
        frame.env[root] = with_field(
            frame.lookup(root), "*", join(frame.lookup(root).fields.get("*", EMPTY), stepped)
        )


def store_any(frame: Frame, obj: ir.Expr, key: Value, value: Value, at: tuple[int, int]) -> None:
    """``obj[key] = value`` with a key we cannot name: a weak update of the whole container."""
    root = root_name(obj)
    if root is None:
        return
    old = frame.lookup(root)
    stepped = with_step(value, frame.step(*at, f"{spell(obj)}[...]"))
    if not isinstance(obj, ir.Name):
        # ``item['pool'][key] = v``: the client names an entry inside an attribute, not one
        # of the item's attributes.
        _nest(frame, root, join(apply(key, KEYED), apply(stepped, CONTAIN)))
        return
    labels = dict(old.labels)
    for part in (apply(key, KEYED), apply(stepped, CONTAIN)):
        for k, t in part.labels.items():
            labels.setdefault(k, t)
    fields = dict(old.fields)
    fields["*"] = join(fields.get("*", EMPTY), stepped)
    frame.env[root] = Value(labels, old.refs, fields, None)


def add_to(frame: Frame, obj: ir.Expr, value: Value) -> None:
    """``obj.append(value)`` and friends: containers are any of their elements."""
    root = root_name(obj)
    if root is None or not value:
        return
    if isinstance(obj, ir.Name):  # a list of pairs is no pair
        frame.env[root] = join(frame.lookup(root), whole(value))
    else:  # ``item['tags'].append(v)``: a part of the root holds it, not the root itself
        _nest(frame, root, value)


def _nest(frame: Frame, root: str, value: Value) -> None:
    old = frame.lookup(root)
    frame.env[root] = with_field(old, "*", join(old.fields.get("*", EMPTY), value))


def spell(expr: ir.Expr) -> str:
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Attr):
        return f"{spell(expr.obj)}.{expr.attr}"
    if isinstance(expr, ir.Sub):
        return f"{spell(expr.obj)}[...]"
    return "..."
