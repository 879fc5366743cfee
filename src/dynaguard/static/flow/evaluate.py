"""Expressions: what value (labels, refs, fields, text) an IR expression has in a frame."""

from __future__ import annotations

from collections.abc import Callable

from dynaguard.static.flow import inputs
from dynaguard.static.flow.attributes import attribute
from dynaguard.static.flow.calls import function_call, method_call
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.frame import Args, Frame
from dynaguard.static.flow.store import spell, store_any, store_field, subscript
from dynaguard.static.flow.values import (
    CONTAIN,
    EMPTY,
    GIVEN,
    GUARD,
    KEYED,
    KEYS,
    MAYBE_NONE,
    NONE_IN,
    NONE_METHOD,
    NONE_SPREAD,
    NONE_SUBSCRIPT,
    PREFIX,
    REQUEST,
    SANITISE,
    STORED_BASE,
    STR,
    VALUES,
    Kind,
    LabelKey,
    Trace,
    TupleValue,
    Value,
    apply,
    bounded,
    indexed,
    join,
    join_all,
    not_none,
    positions,
    prefixes,
    ref,
    tuple_of,
    unexplained,
    whole,
    with_step,
)
from dynaguard.static.source import ir
from dynaguard.static.source.lower import STAR

Iterated = Value | list["Iterated"]
"""What one iteration binds: a value, or one per element of a tuple target (nested)."""


def flatten(value: Iterated) -> Value:
    return value if isinstance(value, Value) else join_all([flatten(v) for v in value])


_CLIENT_KEYED = (Kind.BODY, -1, -1, -1, Kind.NAMED)  # entries whose key the client chose


def evaluate(frame: Frame, expr: ir.Expr) -> Value:
    if type(expr) is ir.Name:  # a third of all expressions: no dispatch
        return frame.lookup(expr.id)
    return _EXPR[type(expr)](frame, expr)


def _const(frame: Frame, expr: ir.Const) -> Value:
    return Value(text=expr.text) if expr.text is not None else EMPTY


def _name(frame: Frame, expr: ir.Name) -> Value:
    return frame.lookup(expr.id)


def _attr(frame: Frame, expr: ir.Attr) -> Value:
    return attribute(frame, evaluate(frame, expr.obj), expr.attr, expr.line, expr.col)


def _sub(frame: Frame, expr: ir.Sub) -> Value:
    container = evaluate(frame, expr.obj)
    if expr.sliced:
        return whole(container)  # ``t[::-1]`` moves the positions
    key = evaluate(frame, expr.index)
    container = _first_use(frame, NONE_SUBSCRIPT, (expr.line, expr.col), container, key)
    if container.refs:
        modelled = frame.models.subscript(frame, container, key, (expr.line, expr.col))
        if modelled is not None:
            return modelled
    found = subscript(container, key)
    if isinstance(expr.index, ir.Const) and expr.index.text is None:
        found = join(found, _page_item(container))
    if container.labels and key.text is not None:  # request['f']: a field step, a KeyError
        at = (expr.line, expr.col)
        return inputs.lookup(
            frame, expr.obj, container, key, found, at=at, method="subscript", raises=True
        )
    return found


def _page_item(container: Value) -> Value:
    """``resp['Items'][0]``: a number picks one whole item of a page read from DynamoDB, as
    iterating the page does (``element``), not one of its attributes."""
    items = {k: t for k, t in container.labels.items() if k[0] <= STORED_BASE and k[1] == Kind.BODY}
    return Value(items) if items else EMPTY


def _call(frame: Frame, call: ir.Call) -> Value:
    positional = [evaluate(frame, a) for a in call.args]
    keywords: dict[str, Value] = {}
    spread: list[Value] = []
    for name, expr in call.kwargs:
        value = evaluate(frame, expr)
        if name is None:
            called = Value(text=spell(call.func))
            value = _first_use(frame, NONE_SPREAD, (call.line, call.col), value, called)
            spread.append(value)
            for field, field_value in value.fields.items():
                keywords.setdefault(field, field_value)
        else:
            keywords[name] = value
    args = Args(positional, keywords, spread, (frame, call))
    if isinstance(call.func, ir.Attr):
        receiver = evaluate(frame, call.func.obj)
        method = Value(text=call.func.attr)
        receiver = _first_use(frame, NONE_METHOD, (call.line, call.col), receiver, method)
        return method_call(frame, call, receiver, call.func.attr, args)
    return function_call(frame, call, evaluate(frame, call.func), args)


def _star(frame: Frame, expr: ir.Star) -> Value:
    return evaluate(frame, expr.value)


def _dict(frame: Frame, expr: ir.Dict) -> Value:
    labels: dict[LabelKey, Trace] = {}
    fields: dict[str, Value] = {}
    refs: frozenset[str] = frozenset()
    for key_expr, value_expr, (line, col) in zip(
        expr.keys, expr.values, expr.positions, strict=True
    ):
        value = evaluate(frame, value_expr)
        if key_expr is None:  # {**other}
            for k, t in value.labels.items():
                labels.setdefault(k, t)
            fields.update(value.fields)
            refs |= value.refs
            continue
        key = evaluate(frame, key_expr)
        if key.text is not None:
            if value.labels:
                value = with_step(value, frame.step(line, col, f"{key.text!r}: ..."))
            fields[key.text] = bounded(value)
        else:
            fields["*"] = join(fields.get("*", EMPTY), value)
            for k, t in apply(key, KEYED).labels.items():
                labels.setdefault(k, t)
        for k, t in apply(value, CONTAIN).labels.items():
            labels.setdefault(k, t)
    return Value(labels, refs, fields) if labels or fields or refs else EMPTY


def _seq(frame: Frame, expr: ir.Seq) -> Value:
    elements = [evaluate(frame, e) for e in expr.elts]
    if expr.positional:
        return tuple_of(elements)
    return whole(join_all(elements))  # a list of pairs is no pair


def _derive(frame: Frame, expr: ir.Derive) -> Value:
    parts = [evaluate(frame, p) for p in expr.parts]
    if expr.formats:
        parts = [inputs.formatted(frame, e, p) for e, p in zip(expr.parts, parts, strict=True)]
    out = join_all([apply(p, STR) for p in parts])
    if expr.concat and all(p.text is not None for p in parts):
        return Value(out.labels, frozenset(), None, "".join(p.text or "" for p in parts))
    if expr.concat and (lead := prefixes(parts[0])):
        return Value(out.labels, frozenset(PREFIX + t for t in lead if t))
    if not expr.concat and any(p.refs for p in parts):
        combined = frame.models.combine(parts)  # Attr('a').exists() & Attr('v').eq(x)
        if combined is not None:  # the compared values stay fields (the boto3 model's)
            return Value(out.labels, combined, join_all(parts).fields or None)
    return out


def _either(frame: Frame, expr: ir.Either) -> Value:
    options = [evaluate(frame, e) for e in expr.options]
    if expr.truthy:  # ``params or {}``: ``params`` is the result only when it is not None
        options = [not_none(v) for v in options[:-1]] + options[-1:]
        given = next((i for i, v in enumerate(options) if GIVEN in v.refs), None)
        if given is not None:  # ``item_id or uuid4()`` with a route variable: never the default
            options = options[: given + 1]
    return join_all(options)


def _pure(frame: Frame, expr: ir.Pure) -> Value:
    for index, part in enumerate(expr.parts):
        value = evaluate(frame, part)
        if index == expr.within and MAYBE_NONE in value.refs:
            key = evaluate(frame, expr.parts[0]) if expr.parts else EMPTY
            _first_use(frame, NONE_IN, (expr.line, expr.col), value, key)
    return EMPTY


def _first_use(frame: Frame, api: str, at: tuple[int, int], value: Value, key: Value) -> Value:
    """A mapping that may be None (``values.MAYBE_NONE``) used here: a method call, a subscript,
    a ``**`` spread or an ``in`` test raises on None (an ``Op.RAISES`` event, DG302); past it,
    the value is the mapping."""
    if MAYBE_NONE not in value.refs:
        return value
    frame.emit(Event(Op.RAISES, api, frame.step(*at, ""), {"Value": value, "Key": key}))
    return not_none(value)


def _walrus(frame: Frame, expr: ir.Walrus) -> Value:
    value = evaluate(frame, expr.value)
    frame.env[expr.target] = with_step(value, frame.step(expr.line, expr.col, expr.target))
    return value


def _imported(frame: Frame, imp: ir.Imported) -> Value:
    project = frame.analyzer.project
    dotted = project.absolute(frame.module, imp.module, imp.level)
    found = project.find_module(dotted, frame.module.name) if dotted else None
    if imp.name is None:
        return ref(f"mod:{found}") if found else ref(f"ext:{dotted}")
    if imp.name == STAR:
        # Star imports accumulate: the module looks names up in each (``global_value``).
        stars = frame.env.get(STAR, EMPTY).refs
        return ref(*stars, f"mod:{found}") if found else Value(refs=stars)
    if found is None:
        name = f"ext:{dotted}.{imp.name}"
        return frame.models.imported(frame.module.path, name) or ref(name)
    return frame.analyzer.module_attr(found, imp.name)


def _comp(frame: Frame, expr: ir.Comp) -> Value:
    saved = frame.env
    frame.env = dict(saved)
    try:
        for gen in expr.gens:
            bind(frame, gen.target, iterate(frame, gen.iter), expr.line, expr.col)
            for guard in gen.guards:
                narrow(frame, guard)
            for cond in gen.conds:
                evaluate(frame, cond)
        value = evaluate(frame, expr.value)
        if expr.key is None:
            return whole(value)  # any element: a list of pairs is no pair
        key = evaluate(frame, expr.key)
        labels = dict(apply(key, KEYED).labels)
        for k, t in apply(value, CONTAIN).labels.items():
            labels.setdefault(k, t)
        return Value(labels, frozenset(), {"*": value})
    finally:
        frame.env = saved


def bind(frame: Frame, target: ir.Target, value: Iterated, line: int, col: int) -> None:
    """Assign ``value`` to ``target`` (a name, attribute, item or tuple of them)."""
    if isinstance(target, ir.TupleTarget):
        size = len(target.elts)
        parts = value if isinstance(value, list) else positions(value, size)
        if parts is None and not isinstance(value, list):
            parts = indexed(value, size)  # ``out = [None, None]; out[1] = v; return out``
        if parts is not None and len(parts) == size:
            for elt, part in zip(target.elts, parts, strict=True):
                bind(frame, elt, part, line, col)
            return
        joined = flatten(value)
        for elt in target.elts:
            bind(frame, elt, joined, line, col)
        return
    single = flatten(value)
    if isinstance(target, ir.Name):
        if single.labels:
            single = with_step(single, frame.step(line, col, target.id))
        frame.env[target.id] = single
        if frame.elements:
            frame.elements.pop(target.id, None)  # rebound: no longer an element of a container
    elif isinstance(target, ir.Attr):
        store_field(
            frame, target.obj, target.attr, single, at=(line, col), spelling=f".{target.attr}"
        )
    else:
        index = target.index
        position = index.number if isinstance(index, ir.Const) else None
        key = evaluate(frame, index) if position is None else Value(text=str(position))
        if key.text is not None:
            store_field(
                frame, target.obj, key.text, single, at=(line, col), spelling=f"[{key.text!r}]"
            )
        else:
            store_any(frame, target.obj, key, single, (line, col))


def narrow(frame: Frame, guard: ir.Guard) -> None:
    """Apply a guard whose set is server-side: members are server-chosen from here on."""
    against = evaluate(frame, guard.against)
    current = frame.env.get(guard.name)
    if current is None or any(p == REQUEST for p, _ in against.labels):
        return  # a set the client chose narrows nothing (stored or identity data is server-side)
    narrowed = apply(current, SANITISE if guard.keys else GUARD)
    frame.env[guard.name] = Value(narrowed.labels, current.refs, current.fields, current.text)


def prune(frame: Frame, name: str, allowed: ir.Expr) -> None:
    """After a loop that pops every key of ``name`` not in ``allowed`` (a server-side set): the
    keys are the server's, as after an allowlist comprehension."""
    against = evaluate(frame, allowed)
    current = frame.env.get(name)
    if current is None or any(p == REQUEST for p, _ in against.labels):
        return
    kept = apply(current, SANITISE)
    frame.env[name] = Value(kept.labels, current.refs, current.fields, current.text)


def iterate(frame: Frame, expr: ir.Expr) -> Iterated:
    """What a ``for`` target receives from iterating ``expr``."""
    if isinstance(expr, ir.Call) and not expr.kwargs:
        func = expr.func
        if isinstance(func, ir.Attr) and not expr.args and func.attr in {"items", "keys", "values"}:
            container = evaluate(frame, func.obj)
            keys, values = _keys(container), _values(container)
            if func.attr == "items":
                return [keys, values]
            return keys if func.attr == "keys" else values
        if isinstance(func, ir.Name) and func.id in {
            "enumerate",
            "zip",
            "sorted",
            "list",
            "reversed",
            "set",
            "tuple",
            "iter",
        }:
            inner = [iterate(frame, a) for a in expr.args]
            if func.id == "enumerate":
                return [EMPTY, inner[0] if inner else EMPTY]
            return inner if func.id == "zip" else flatten(inner)
    return element(evaluate(frame, expr))


def element(container: Value) -> Value:
    """One element of an iterable: a key of a mapping, an item of a list (refs survive)."""
    items = {k: t for k, t in container.labels.items() if k[0] <= STORED_BASE and k[1] == Kind.BODY}
    if items:  # items read from DynamoDB: iterating a page gives whole items, not key names
        rest = Value({k: t for k, t in container.labels.items() if k not in items})
        keys = Value({**apply(rest, KEYS).labels, **items})
    else:
        keys = apply(container, KEYS)
    return (
        Value(keys.labels, container.refs, container.fields, None)
        if container.refs or container.fields
        else keys
    )


def _keys(container: Value) -> Value:
    return apply(container, KEYS)


def _any(container: Value) -> Value:
    return join_all(list(container.fields.values()))


def _values(container: Value) -> Value:
    """One value of a mapping; when every entry is a tuple of one size, with its positions
    (``for name, (alias, value) in spec.items()``)."""
    entry = _any(container)
    values = join(apply(container, VALUES), entry)
    if type(entry) is not TupleValue:
        return values
    # What none of its entries put there (it is request data itself, or took some in a way we
    # cannot name) may be in any position.
    rest = apply(Value(unexplained(container, named_only=False) or None), VALUES)
    return TupleValue(values, tuple([join(rest, p) for p in entry.positions]))


_EXPR: dict[type, Callable[..., Value]] = {
    ir.Const: _const,
    ir.Name: _name,
    ir.Attr: _attr,
    ir.Sub: _sub,
    ir.Call: _call,
    ir.Star: _star,
    ir.Dict: _dict,
    ir.Seq: _seq,
    ir.Derive: _derive,
    ir.Either: _either,
    ir.Pure: _pure,
    ir.Walrus: _walrus,
    ir.Imported: _imported,
    ir.Comp: _comp,
}
