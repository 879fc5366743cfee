"""Methods of dicts and werkzeug MultiDicts on request data (or on known dict literals)."""

from __future__ import annotations

from dynaguard.static.flow import inputs
from dynaguard.static.flow.frame import Args, Frame
from dynaguard.static.flow.store import root_name, store_field, subscript
from dynaguard.static.flow.values import (
    CONTAIN,
    KEYS,
    VALUES,
    Value,
    any_field,
    apply,
    join,
    join_all,
    whole,
)
from dynaguard.static.source import ir

_READS = frozenset(
    {"get", "pop", "getlist", "get_all", "getone", "__getitem__", "setdefault", "popitem"}
)


def mapping_method(
    frame: Frame, obj: ir.Expr, receiver: Value, name: str, args: Args
) -> Value | None:
    """``obj.name(...)`` on a mapping; None when it is no mapping method we model."""
    if name == "update":
        _update(frame, obj, args)
        return Value()
    if not receiver.labels and not receiver.fields:
        return None
    if name in _READS:
        return _read(frame, obj, receiver, name, args)
    if name in {"copy", "to_dict", "dict", "deepcopy"}:
        return receiver
    if name in {"keys", "values", "items"}:
        keys = apply(receiver, KEYS)
        # a view of the values: a mapping of pairs is no pair (``iterate`` unpacks its entries)
        values = whole(join(apply(receiver, VALUES), any_field(receiver)))
        return {"keys": keys, "values": values, "items": join(keys, values)}[name]
    return None


def _update(frame: Frame, obj: ir.Expr, args: Args) -> None:
    root = root_name(obj)
    if root is None:
        return
    added = join_all([*args.positional, *args.spread])
    for keyword, value in args.keywords.items():
        added = Value(
            {**added.labels, **apply(value, CONTAIN).labels},
            added.refs,
            {**added.fields, keyword: value},
        )
    frame.env[root] = join(frame.lookup(root), added)


def _read(frame: Frame, obj: ir.Expr, receiver: Value, name: str, args: Args) -> Value:
    site = args.site
    key = args.first()
    found = subscript(receiver, key)
    if len(args.positional) > 1:
        found = join(found, args.positional[1])
    if name in ("get", "pop") and receiver.labels:  # a field step; pop('f') raises KeyError
        raises = name == "pop" and len(args.positional) == 1 and not args.keywords
        at = (site.line, site.col)
        found = inputs.lookup(frame, obj, receiver, key, found, at=at, method=name, raises=raises)
    if name == "setdefault" and key.text is not None and len(args.positional) > 1:
        store_field(
            frame,
            obj,
            key.text,
            args.positional[1],
            at=(site.line, site.col),
            spelling=f"[{key.text!r}]",
        )
    return found
