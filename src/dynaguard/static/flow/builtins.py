"""Python's builtin functions on abstract values (``dict``, ``str``, ``getattr``, ``int``...).

A model may answer a builtin first (``Model.builtins``: PynamoDB's ``getattr(Model, name)``).
"""

from __future__ import annotations

from dynaguard.static.flow import inputs
from dynaguard.static.flow.attributes import attribute
from dynaguard.static.flow.exceptions import VALUE_ERRORS
from dynaguard.static.flow.frame import Args, Frame
from dynaguard.static.flow.store import store_field
from dynaguard.static.flow.values import (
    CONTAIN,
    ELEM,
    EMPTY,
    REQUEST,
    SANITISE,
    SCALAR,
    STR,
    Value,
    apply,
    attributes_of,
    join,
    join_all,
    not_none,
    whole,
    with_step,
)
from dynaguard.static.source import ir

_SAME = frozenset(
    {"list", "tuple", "set", "frozenset", "sorted", "reversed", "iter", "next", "zip",
     "enumerate", "map", "filter"}
)  # fmt: skip
_IN_ORDER = frozenset({"list", "tuple", "iter"})
"""Of ``_SAME``, those that keep a tuple's positions (``a, b = list(pair)``)."""
_NOTHING = frozenset(
    {"len", "isinstance", "issubclass", "hasattr", "callable", "print", "id", "type", "open",
     "hash"}
)  # fmt: skip


def declared(value: Value) -> Value:
    """A value bound to a declared schema or class: the keys are the server's now."""
    return apply(value, SANITISE)


def builtin_call(frame: Frame, call: ir.Call, name: str, args: Args) -> Value:
    if name == "dict":
        return _dict_call(frame, args)
    if name in _SAME:
        out = join_all(args.positional)
        return out if name in _IN_ORDER else whole(out)
    if name == "vars" and args.positional:
        return attributes_of(args.positional[0])
    if name in {"str", "repr", "format", "ascii"}:
        if name == "str" and len(call.args) == 1 and args.positional:
            return apply(inputs.formatted(frame, call.args[0], args.positional[0]), STR)
        return apply(args.all(), STR)
    if name in _NOTHING:
        return EMPTY
    if name == "bool":
        site = args.site
        step = frame.step(site.line, site.col, "bool(...)", inputs.COERCED)
        return with_step(apply(args.first(), SCALAR), step)
    if name == "getattr" and len(args.positional) >= 2:
        obj, key = args.positional[0], args.positional[1]
        default = args.positional[2] if len(args.positional) > 2 else EMPTY
        if key.text is not None:
            return join(attribute(frame, obj, key.text, 0, 0), default)
        return join(apply(obj, ELEM), default)
    if name == "setattr" and len(args.positional) == 3:
        key, value = args.positional[1], args.positional[2]
        if key.text is not None:
            site = args.site
            at = (site.line, site.col)
            store_field(frame, call.args[0], key.text, value, at=at, spelling=f".{key.text}")
        return EMPTY
    if name in {"int", "float"}:
        return inputs.convert(frame, name, args, apply(args.all(), SCALAR), VALUE_ERRORS)
    if name in {"min", "max"} and _clamps(args):
        return inputs.validated(frame, args, apply(args.all(), SCALAR), f"{name}(...)")
    return apply(args.all(), SCALAR)


def _clamps(args: Args) -> bool:
    """``min(q, 100)``, ``max(1, q)``: a client value held within a bound the server chose (a
    range check); ``max(a, b)`` of two client values bounds nothing. Client: request data, or
    what a caller passes (a parameter's label)."""
    client = [any(param >= REQUEST for param, _ in v.labels) for v in args.positional]
    return len(client) >= 2 and any(client) and not all(client)


def _dict_call(frame: Frame, args: Args) -> Value:
    site = args.site
    # NOTE: ``dict(None)`` raises TypeError right here; past it the copy is a dict, so a
    # mapping that may be None (``MAYBE_NONE``) is one no longer (the TypeError is not reported).
    out = not_none(join_all([*args.positional, *args.spread]))
    for key, value in args.keywords.items():
        stepped = with_step(value, frame.step(site.line, site.col, f"dict({key}=...)"))
        out = Value(
            {**apply(stepped, CONTAIN).labels, **out.labels}, out.refs, {**out.fields, key: stepped}
        )
    return out
