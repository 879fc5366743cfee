"""Statements: a flow-sensitive walk over structured control flow, joining at merges.

Assignments replace a name's value (so ``data = allowlist(data)`` really cleans ``data``);
branches run from the same state and join; loops run again only while their state grows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dynaguard.static.flow import accesses, dispatch
from dynaguard.static.flow.analyzer import FIELD, TEXT, Analyzer, Bound
from dynaguard.static.flow.budget import MAX_STATEMENTS, OverBudget
from dynaguard.static.flow.evaluate import Iterated, bind, evaluate, iterate, narrow, prune
from dynaguard.static.flow.exceptions import handled
from dynaguard.static.flow.frame import Frame, Model
from dynaguard.static.flow.result import Result
from dynaguard.static.flow.returns import note_return
from dynaguard.static.flow.values import EMPTY, Value, join, param_value
from dynaguard.static.source import ir

Env = dict[str, Value]


def exec_block(frame: Frame, body: tuple[ir.Stmt, ...]) -> None:
    frame.spent += len(body)
    if frame.spent > MAX_STATEMENTS and not frame.is_module:
        raise OverBudget(MAX_STATEMENTS)
    for stmt in body:
        if frame.serves is not None and not frame.serves:
            return  # no route the entry point serves reaches here (``dispatch.py``)
        _STMT[type(stmt)](frame, stmt)


def _assign(frame: Frame, stmt: ir.Assign) -> None:
    value_expr = stmt.value
    if (
        len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ir.TupleTarget)
        and isinstance(value_expr, ir.Seq)
        and not any(isinstance(e, ir.Star) for e in value_expr.elts)  # ``*rest`` moves the rest
    ):
        parts: Iterated = [evaluate(frame, e) for e in value_expr.elts]
        bind(frame, stmt.targets[0], parts, stmt.line, stmt.col)
        return
    value = evaluate(frame, value_expr)
    for target in stmt.targets:
        bind(frame, target, value, stmt.line, stmt.col)


def _eval(frame: Frame, stmt: ir.Eval) -> None:
    evaluate(frame, stmt.value)
    if isinstance(stmt.value, ir.Call):
        frame.models.on_bare_call(frame, stmt.value)  # ``check_auth(...)`` checks by raising


def _return(frame: Frame, stmt: ir.Return) -> None:
    if stmt.value is not None:
        value = evaluate(frame, stmt.value)
        note_return(frame, stmt.line, value)  # stored data in a response (DG801)
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
    serves = frame.serves
    yes = no = serves
    if serves is not None and stmt.decision is not None:
        yes, no = dispatch.split(stmt.decision, serves, lambda e: _marker(frame, e))
    evaluate(frame, stmt.test)
    frame.models.on_test(frame, stmt)  # ownership, role and authentication checks
    if frame.accesses and (stmt.body_exits or not isinstance(stmt.test, ir.Pure)):
        # ``if not item: abort(404)`` checks a read
        accesses.note_guard(frame.accesses, stmt.test, frame.lookup, frame.module.path)
    start = frame.env
    frame.env = dict(start)
    for guard in stmt.guards:
        if guard.positive:
            narrow(frame, guard)
    frame.serves = yes  # a branch no route can take does not run (``exec_block``)
    exec_block(frame, stmt.body)
    after_body, body_serves = frame.env, frame.serves
    frame.serves = no
    after_else = _branch(frame, start, stmt.orelse)
    else_serves = frame.serves
    if stmt.body_exits:
        if stmt.leaves_loop:
            frame.left_loop.append(after_body)
        frame.env = after_else
        for guard in stmt.guards:
            if not guard.positive:
                narrow(frame, guard)
        frame.serves = else_serves if not stmt.leaves_loop else _either(else_serves, body_serves)
    else:
        frame.env = join_env(after_body, after_else)
        frame.serves = _either(body_serves, else_serves)


def _marker(frame: Frame, expr: ir.Expr) -> str | None:
    """What a dispatch test's subject is (the request path, method...), as the model marked it."""
    return dispatch.marker(evaluate(frame, expr))


def _either(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    return None if a is None or b is None else a | b


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


_MAX_UNROLLED = 16
"""Longer constant lists run as any of their elements, like other loops."""


def _names_listed(stmt: ir.Loop) -> tuple[str, ...] | None:
    """``for key in ["name", "size"]:``: a loop variable that takes each listed constant."""
    if not isinstance(stmt.target, ir.Name) or not isinstance(stmt.iter, ir.Seq):
        return None
    texts = tuple(e.text for e in stmt.iter.elts if isinstance(e, ir.Const) and e.text is not None)
    if not texts or len(texts) != len(stmt.iter.elts) or len(texts) > _MAX_UNROLLED:
        return None
    return texts


def _unrolled(frame: Frame, stmt: ir.Loop, names: tuple[str, ...]) -> None:
    """Each round with its own constant (``item[key] = body[key]`` sets named attributes, each
    an allowlisted field of the body), one after the other; ``break`` leaves with what it had."""
    assert isinstance(stmt.target, ir.Name)
    entered = frame.serves
    outer_left, frame.left_loop = frame.left_loop, []
    for name in names:
        frame.serves = entered
        frame.env = {**frame.env, stmt.target.id: Value(text=name)}
        exec_block(frame, stmt.body)
        for left in frame.left_loop:  # ``continue`` reaches the next round, ``break`` the end
            frame.env = join_env(frame.env, left)
        frame.left_loop = []
    frame.left_loop = outer_left
    frame.serves = entered
    exec_block(frame, stmt.orelse)


def _loop(frame: Frame, stmt: ir.Loop) -> None:
    names = _names_listed(stmt) if stmt.prunes is None else None
    if names is not None:
        _unrolled(frame, stmt, names)
        return
    start = frame.env
    entered = frame.serves
    outer_left, frame.left_loop = frame.left_loop, []
    for _ in range(2):  # a second pass carries values around the loop once
        frame.env = dict(start)
        frame.serves = entered
        if stmt.target is not None:
            bind(frame, stmt.target, iterate(frame, stmt.iter), _line(stmt.target), 0)
            if isinstance(stmt.target, ir.Name) and isinstance(stmt.iter, ir.Name):
                frame.elements[stmt.target.id] = stmt.iter.id
        else:
            evaluate(frame, stmt.iter)
        exec_block(frame, stmt.body)
        for left in frame.left_loop:  # ``break`` / ``continue`` paths reach here too
            frame.env = join_env(frame.env, left)
        frame.left_loop = []
        merged = join_env(start, frame.env)
        if not _grew(start, merged):
            break
        start = merged
    frame.env = merged
    frame.left_loop = outer_left
    frame.serves = entered  # ``break`` / ``continue`` leave with routes the body had ended
    if stmt.prunes is not None:
        prune(frame, *stmt.prunes)
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
    entered = frame.serves
    outer = frame.catching
    frame.catching = outer | handled(stmt)
    try:
        after_body = _branch(frame, start, stmt.body)
    finally:
        frame.catching = outer
    ends = [_branch(frame, after_body, stmt.orelse)]
    reached = frame.serves
    for name, body in stmt.handlers:
        handler_start = join_env(start, after_body)
        if name:
            handler_start = {**handler_start, name: EMPTY}
        frame.serves = entered  # any route that entered the ``try`` may raise into a handler
        ends.append(_branch(frame, handler_start, body))
        reached = _either(reached, frame.serves)
    merged = ends[0]
    for end in ends[1:]:
        merged = join_env(merged, end)
    frame.env = merged
    frame.serves = entered if stmt.final else reached
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


def _decorate(frame: Frame, target: str, decorators: tuple[ir.Expr, ...], is_class: bool) -> None:
    """Models see each decorator first (routes, auth, injected arguments); the rest run."""
    for decorator in decorators:
        if not frame.models.decorate(frame, target, decorator, is_class):
            evaluate(frame, decorator)


def _def(frame: Frame, stmt: ir.Def) -> None:
    fn_id = f"{frame.module.name}:{stmt.func_id}"
    _decorate(frame, fn_id, stmt.decorators, is_class=False)
    frame.env[stmt.name] = Value(refs=frozenset({f"fn:{fn_id}"}))


def _class(frame: Frame, stmt: ir.ClassStmt) -> None:
    cls_id = f"{frame.module.name}:{stmt.class_id}"
    bases = [evaluate(frame, b) for b in stmt.bases]
    body = Frame(
        frame.analyzer, frame.models, frame.module, frame.fn_id, frame.qualname, outer=frame
    )
    body.events, body.routes, body.injected, body.calls, body.mounts = (
        frame.events,
        frame.routes,
        frame.injected,
        frame.calls,
        frame.mounts,
    )
    exec_block(body, stmt.body)
    info = frame.module.classes.get(stmt.class_id)
    if info is not None:
        kinds, project_bases = _kinds(frame, bases)
        plain = len(project_bases) == len(bases)  # no library base (a form, a schema, a model)
        frame.analyzer.register_class(cls_id, info, kinds, project_bases, body.env, plain=plain)
    _decorate(frame, cls_id, stmt.decorators, is_class=True)
    frame.env[stmt.name] = Value(refs=frozenset({f"cls:{cls_id}"}))


def _kinds(frame: Frame, bases: Sequence[Value]) -> tuple[frozenset[str], tuple[str, ...]]:
    """What models say instances of a class with these bases are, and its project bases."""
    kinds: set[str] = set()
    project_bases: list[str] = []
    for base in bases:
        for name in sorted(base.refs):
            if name.startswith("cls:"):
                project_bases.append(name[4:])
                facts = frame.analyzer.class_facts(name[4:])
                kinds |= facts.kinds if facts else set()
            elif name.startswith("ext:"):
                kind = frame.models.kind_of(name)
                if kind is not None:
                    kinds.add(kind)
    return frozenset(kinds), tuple(project_bases)


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


class Interpreter:
    """Runs bodies for the analyzer (``analyzer.Body``), asking ``models`` about libraries."""

    def __init__(self, models: Model) -> None:
        self.models = models

    def run_module(self, analyzer: Analyzer, name: str) -> Result:
        module = analyzer.project.modules[name]
        frame = Frame(analyzer, self.models, module, f"{name}:<module>", "<module>")
        for stmt in module.body:
            # Visible while running, for import cycles. `if`, `try` and loops replace frame.env
            # with a joined copy, so the globals are published again after each statement (a
            # module-level `if` would otherwise hide every later binding from modules importing
            # this one in a cycle).
            analyzer.module_envs[name] = frame.env
            _STMT[type(stmt)](frame, stmt)
        analyzer.module_envs[name] = frame.env
        return frame.result()

    def run_function(
        self, analyzer: Analyzer, fn_id: str, self_class: str | None, bound: Bound
    ) -> Result:
        found = analyzer.project.function(fn_id)
        assert found is not None  # the analyzer asks only for functions it found
        module, func = found
        frame = Frame(analyzer, self.models, module, fn_id, func.qualname)
        frame.class_id = f"{module.name}:{func.class_id}" if func.class_id else None
        frame.self_class = self_class or frame.class_id
        objects = dict(bound) if bound else None
        for index, name in enumerate(func.params):
            step = frame.step(func.line, func.col, f"parameter {name}")
            refs = _param_refs(frame, func, index)
            if objects and index in objects:
                refs = refs | objects[index]
            value = param_value(index, step, refs)
            frame.env[name] = (
                _with_texts(value) if any(r.startswith(_TEXTS) for r in refs) else value
            )
            serves = dispatch.served(refs)
            if serves:
                frame.serves = serves | (frame.serves or frozenset())
        exec_block(frame, func.body)
        return frame.result()


_TEXTS = (TEXT, FIELD)


def _with_texts(value: Value) -> Value:
    """A parameter bound to the constant string, or the constant fields, the call passed."""
    text = None
    fields: dict[str, Value] = {}
    for r in value.refs:
        if r.startswith(TEXT):
            text = r[len(TEXT) :]
        elif r.startswith(FIELD):
            name, _, field = r[len(FIELD) :].partition("=")
            fields[name] = Value(text=field)
    refs = frozenset(r for r in value.refs if not r.startswith(_TEXTS))
    return Value(value.labels, refs, fields or None, text)


def _param_refs(frame: Frame, func: ir.Function, index: int) -> frozenset[str]:
    if index != 0 or frame.self_class is None or func.binding == "static":
        return frozenset()
    return frozenset({("inst:" if func.binding == "instance" else "cls:") + frame.self_class})
