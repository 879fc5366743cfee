"""Statements: a flow-sensitive walk over structured control flow, joining at merges.

Assignments replace a name's value (so ``data = allowlist(data)`` really cleans ``data``);
branches run from the same state and join; loops run again only while their state grows.
"""

from __future__ import annotations

from collections.abc import Callable

from dynaguard.static import accesses, authz, ir, responses
from dynaguard.static.evaluate import Iterated, evaluate, flatten, iterate, narrow
from dynaguard.static.exceptions import handled
from dynaguard.static.frame import Frame
from dynaguard.static.values import (
    CONTAIN,
    EMPTY,
    KEYED,
    Value,
    apply,
    join,
    with_field,
    with_step,
)

Env = dict[str, Value]


def exec_block(frame: Frame, body: tuple[ir.Stmt, ...]) -> None:
    for stmt in body:
        _STMT[type(stmt)](frame, stmt)


def bind(frame: Frame, target: ir.Target, value: Iterated, line: int, col: int) -> None:
    if isinstance(target, ir.TupleTarget):
        if isinstance(value, list) and len(value) == len(target.elts):
            for elt, part in zip(target.elts, value, strict=True):
                bind(frame, elt, part, line, col)
            return
        whole = flatten(value)
        for elt in target.elts:
            bind(frame, elt, whole, line, col)
        return
    single = flatten(value)
    if isinstance(target, ir.Name):
        if single.labels:
            single = with_step(single, frame.step(line, col, target.id))
        frame.env[target.id] = single
    elif isinstance(target, ir.Attr):
        store_field(
            frame, target.obj, target.attr, single, at=(line, col), spelling=f".{target.attr}"
        )
    else:
        key = evaluate(frame, target.index)
        if key.text is not None:
            store_field(
                frame, target.obj, key.text, single, at=(line, col), spelling=f"[{key.text!r}]"
            )
        else:
            store_any(frame, target.obj, key, single, (line, col))


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
        with_step(value, frame.step(*at, f"{_spell(obj)}{spelling}")) if value.labels else value
    )
    if isinstance(obj, ir.Name):
        frame.env[root] = with_field(frame.lookup(root), name, stepped)
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
    stepped = with_step(value, frame.step(*at, f"{_spell(obj)}[...]"))
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
    if root is not None and value:
        frame.env[root] = join(frame.lookup(root), value)


def _spell(expr: ir.Expr) -> str:
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Attr):
        return f"{_spell(expr.obj)}.{expr.attr}"
    if isinstance(expr, ir.Sub):
        return f"{_spell(expr.obj)}[...]"
    return "..."


def _assign(frame: Frame, stmt: ir.Assign) -> None:
    value_expr = stmt.value
    if (
        len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ir.TupleTarget)
        and isinstance(value_expr, ir.Seq)
    ):
        parts: Iterated = [evaluate(frame, e) for e in value_expr.elts]
        bind(frame, stmt.targets[0], parts, stmt.line, stmt.col)
        return
    value = evaluate(frame, value_expr)
    for target in stmt.targets:
        bind(frame, target, value, stmt.line, stmt.col)


def _eval(frame: Frame, stmt: ir.Eval) -> None:
    evaluate(frame, stmt.value)


def _return(frame: Frame, stmt: ir.Return) -> None:
    if stmt.value is not None:
        value = evaluate(frame, stmt.value)
        responses.note_return(frame, stmt.line, value)  # stored data in a response (DG801)
        frame.returns = join(frame.returns, value)


def join_env(a: Env, b: Env) -> Env:
    if a is b:
        return a
    out = dict(a)
    for name, value in b.items():
        old = out.get(name)
        out[name] = value if old is None or old is value else join(old, value)
    return out


def _branch(frame: Frame, start: Env, body: tuple[ir.Stmt, ...]) -> Env:
    frame.env = dict(start)
    exec_block(frame, body)
    return frame.env


def _if(frame: Frame, stmt: ir.If) -> None:
    evaluate(frame, stmt.test)
    authz.note_test(frame, stmt)  # ownership, role and authentication checks
    if frame.accesses and (stmt.body_exits or not isinstance(stmt.test, ir.Pure)):
        accesses.note_guard(frame, stmt.test)  # ``if not item: abort(404)`` checks a read
    start = frame.env
    frame.env = dict(start)
    for guard in stmt.guards:
        if guard.positive:
            narrow(frame, guard)
    exec_block(frame, stmt.body)
    after_body = frame.env
    after_else = _branch(frame, start, stmt.orelse)
    if stmt.body_exits:
        frame.env = after_else
        for guard in stmt.guards:
            if not guard.positive:
                narrow(frame, guard)
    else:
        frame.env = join_env(after_body, after_else)


def _grew(before: Env, after: Env) -> bool:
    for name, value in after.items():
        old = before.get(name)
        if old is None or old is value:
            continue
        if (
            value.labels.keys() - old.labels.keys()
            or value.refs - old.refs
            or value.fields.keys() - old.fields.keys()
        ):
            return True
    return False


def _loop(frame: Frame, stmt: ir.Loop) -> None:
    start = frame.env
    for _ in range(2):  # a second pass carries values around the loop once
        frame.env = dict(start)
        if stmt.target is not None:
            bind(frame, stmt.target, iterate(frame, stmt.iter), _line(stmt.target), 0)
        else:
            evaluate(frame, stmt.iter)
        exec_block(frame, stmt.body)
        merged = join_env(start, frame.env)
        if not _grew(start, merged):
            break
        start = merged
    frame.env = merged
    exec_block(frame, stmt.orelse)


def _line(target: ir.Target) -> int:
    if isinstance(target, ir.TupleTarget):
        return _line(target.elts[0]) if target.elts else 0
    return target.line


def _with(frame: Frame, stmt: ir.With) -> None:
    for ctx, target in stmt.items:
        value = evaluate(frame, ctx)
        if target is not None:
            bind(frame, target, value, _line(target), 0)
    exec_block(frame, stmt.body)


def _try(frame: Frame, stmt: ir.Try) -> None:
    start = frame.env
    outer = frame.catching
    frame.catching = outer | handled(stmt)
    try:
        after_body = _branch(frame, start, stmt.body)
    finally:
        frame.catching = outer
    ends = [_branch(frame, after_body, stmt.orelse)]
    for name, body in stmt.handlers:
        handler_start = join_env(start, after_body)
        if name:
            handler_start = {**handler_start, name: EMPTY}
        ends.append(_branch(frame, handler_start, body))
    merged = ends[0]
    for end in ends[1:]:
        merged = join_env(merged, end)
    frame.env = merged
    exec_block(frame, stmt.final)


def _branches(frame: Frame, stmt: ir.Branches) -> None:
    subject = evaluate(frame, stmt.subject)
    start = frame.env
    merged = start
    for body in stmt.bodies:
        frame.env = {**start, **dict.fromkeys(stmt.captures, subject)}
        exec_block(frame, body)
        merged = join_env(merged, frame.env)
    frame.env = merged


def _def(frame: Frame, stmt: ir.Def) -> None:
    from dynaguard.static.flask_routes import apply_decorators

    fn_id = f"{frame.module.name}:{stmt.func_id}"
    apply_decorators(frame, fn_id, stmt.decorators, is_class=False)
    frame.env[stmt.name] = Value(refs=frozenset({f"fn:{fn_id}"}))


def _class(frame: Frame, stmt: ir.ClassStmt) -> None:
    from dynaguard.static.flask_routes import apply_decorators

    cls_id = f"{frame.module.name}:{stmt.class_id}"
    bases = [evaluate(frame, b) for b in stmt.bases]
    body = Frame(frame.analyzer, frame.module, frame.fn_id, frame.qualname, outer=frame)
    body.events, body.routes, body.injected, body.calls = (
        frame.events,
        frame.routes,
        frame.injected,
        frame.calls,
    )
    exec_block(body, stmt.body)
    info = frame.module.classes.get(stmt.class_id)
    if info is not None:
        frame.analyzer.register_class(cls_id, info, bases, body.env)
    apply_decorators(frame, cls_id, stmt.decorators, is_class=True)
    frame.env[stmt.name] = Value(refs=frozenset({f"cls:{cls_id}"}))


_STMT: dict[type, Callable[..., None]] = {
    ir.Assign: _assign,
    ir.Eval: _eval,
    ir.Return: _return,
    ir.If: _if,
    ir.Loop: _loop,
    ir.With: _with,
    ir.Try: _try,
    ir.Branches: _branches,
    ir.Def: _def,
    ir.ClassStmt: _class,
}
