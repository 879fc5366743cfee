"""Lowering of a parsed module's statements to the IR, collecting its functions and classes."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Sequence
from http import HTTPStatus

from dynaguard.static.source import ir
from dynaguard.static.source.lambdas import hoist_lambdas
from dynaguard.static.source.lower_expr import (
    decision_of,
    guards_of,
    lower,
    lower_all,
    lower_target,
)
from dynaguard.static.source.prune import pruned
from dynaguard.static.source.validation import NOTED_TYPES
from dynaguard.static.source.validation import note as note_checks

STAR = "*"
"""The name a star import binds (no Python name can be ``*``)."""
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)
_ASSIGNS = (ast.Assign, ast.AnnAssign, ast.AugAssign)


class Lowerer:
    """Lowers one module; ``functions`` and ``classes`` fill up as definitions are met."""

    def __init__(
        self, *, lambdas: frozenset[int] = frozenset(), unknown_lines: Sequence[int] | None = None
    ) -> None:
        self._lambdas = lambdas
        """Lines whose text says ``lambda``: statements over them are searched for ones to hoist."""
        self._unknown_lines = unknown_lines
        """Sorted lines that may name ``extra`` or ``unknown`` (``UNKNOWN_WORDS``): only a class
        spanning one can keep unknown fields. None: every class is searched."""
        self.functions: dict[str, ir.Function] = {}
        self.classes: dict[str, ir.ClassInfo] = {}
        self._self_attrs: dict[str, dict[str, list[str]]] = {}
        self._checked: dict[str, set[str]] = {}
        self._nesting = 0
        """How many function bodies enclose the statement being lowered."""
        self._method: tuple[str, str, str] | None = None
        """(class, method, receiver) of the instance method whose body is being lowered."""

    def block(
        self, stmts: list[ast.stmt], scope: str, class_id: str | None = None
    ) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        if self._lambdas:
            stmts = hoist_lambdas(stmts, self._lambdas)
        for index, stmt in enumerate(stmts):
            lowered = self.stmt(stmt, scope, class_id)
            if lowered is not None:
                if isinstance(stmt, (ast.For, ast.AsyncFor)) and isinstance(lowered[0], ir.Loop):
                    found = pruned(stmt, stmts[:index])
                    if found is not None:
                        lowered[0].prunes = (found[0], lower(found[1]))
                out.extend(lowered)
        return tuple(out)

    def stmt(self, node: ast.stmt, scope: str, class_id: str | None) -> list[ir.Stmt] | None:
        if type(node) in NOTED_TYPES:
            note_checks(self._checked, node, scope)
        if isinstance(node, _FUNCTION):
            return [self.function(node, scope, class_id)]
        if isinstance(node, ast.ClassDef):
            return [self.klass(node, scope)]
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return _imports(node)
        return self.simple(node, scope)

    def simple(self, node: ast.stmt, scope: str) -> list[ir.Stmt] | None:
        if self._method is not None and isinstance(node, _ASSIGNS):
            self._note_self(node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(node, ast.Assign):
            targets = tuple([lower_target(t) for t in node.targets])
            return [ir.Assign(targets, lower(node.value), node.lineno, node.col_offset)]
        if isinstance(node, ast.AnnAssign):
            if node.value is None:
                return None
            return [
                ir.Assign(
                    (lower_target(node.target),), lower(node.value), node.lineno, node.col_offset
                )
            ]
        if isinstance(node, ast.AugAssign):
            value = ir.Derive(
                (lower(node.target), lower(node.value)), concat=isinstance(node.op, ast.Add)
            )
            return [ir.Assign((lower_target(node.target),), value, node.lineno, node.col_offset)]
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant):
                return None  # docstrings and bare literals do nothing
            if isinstance(node.value, (ast.Yield, ast.YieldFrom)) and node.value.value:
                return [ir.Return(lower(node.value.value), node.lineno, yields=True)]
            return [ir.Eval(lower(node.value))]
        if isinstance(node, ast.Delete):
            # ``del item['k']`` removes a key as ``item.pop('k')`` does (DG801 reads which).
            return [
                ir.Eval(
                    ir.Call(
                        ir.Attr(lower(t.value), "pop", t.lineno, t.col_offset),
                        (lower(t.slice),),
                        (),
                        t.lineno,
                        t.col_offset,
                    )
                )
                for t in node.targets
                if isinstance(t, ast.Subscript)
            ] or None
        if isinstance(node, ast.Return):
            returned = None if node.value is None else lower(node.value)
            return [ir.Return(returned, node.lineno, _status(node.value))]
        if isinstance(node, (ast.Raise, ast.Assert)):
            parts = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
            return [ir.Eval(ir.Pure(lower_all(parts)))]
        return self.compound(node, scope)

    def compound(self, node: ast.stmt, scope: str) -> list[ir.Stmt] | None:
        if isinstance(node, ast.If):
            body = self.block(node.body, scope)
            exits = _exits(node.body)
            return [
                ir.If(
                    lower(node.test),
                    body,
                    self.block(node.orelse, scope),
                    guards_of(node.test),
                    exits,
                    bool(node.body) and isinstance(node.body[-1], (ast.Break, ast.Continue)),
                    decision_of(node.test),
                )
            ]
        if isinstance(node, (ast.For, ast.AsyncFor)):
            if self._method is not None:
                self._note_self([node.target])
            return [
                ir.Loop(
                    lower_target(node.target),
                    lower(node.iter),
                    self.block(node.body, scope),
                    self.block(node.orelse, scope),
                )
            ]
        if isinstance(node, ast.While):
            return [
                ir.Loop(
                    None,
                    lower(node.test),
                    self.block(node.body, scope),
                    self.block(node.orelse, scope),
                )
            ]
        if isinstance(node, (ast.With, ast.AsyncWith)):
            items = tuple(
                (
                    lower(i.context_expr),
                    None if i.optional_vars is None else lower_target(i.optional_vars),
                )
                for i in node.items
            )
            return [ir.With(items, self.block(node.body, scope))]
        if isinstance(node, (ast.Try, ast.TryStar)):
            handlers = tuple((h.name, self.block(h.body, scope)) for h in node.handlers)
            catches = tuple(
                (None if h.type is None else lower(h.type), h.lineno) for h in node.handlers
            )
            return [
                ir.Try(
                    self.block(node.body, scope),
                    handlers,
                    self.block(node.orelse, scope),
                    self.block(node.finalbody, scope),
                    catches,
                )
            ]
        if isinstance(node, ast.Match):
            captures = tuple(
                sorted(
                    {
                        n.name
                        for c in node.cases
                        for n in ast.walk(c.pattern)
                        if isinstance(n, ast.MatchAs) and n.name
                    }
                )
            )
            bodies = tuple(self.block(c.body, scope) for c in node.cases)
            return [ir.Branches(lower(node.subject), captures, bodies)]
        return None

    def function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: str, class_id: str | None
    ) -> ir.Stmt:
        qualname = f"{scope}.{node.name}" if scope else node.name
        if qualname in self.functions:
            # A second ``def`` of the name (two Chalice views both named ``create_user``): each
            # keeps its body and its decorators' route; the name binds the later one, as Python.
            qualname = f"{qualname}@{node.lineno}"
        args = node.args
        params = [a.arg for a in (*args.posonlyargs, *args.args)]
        positional = len(params)
        vararg = args.vararg.arg if args.vararg else None
        kwarg = args.kwarg.arg if args.kwarg else None
        params += (
            ([vararg] if vararg else [])
            + [a.arg for a in args.kwonlyargs]
            + ([kwarg] if kwarg else [])
        )
        binding = _binding(node) if class_id else "static"
        method = (
            (class_id, node.name, params[0])
            if class_id and binding == "instance" and params
            else None
        )

        def lower_body() -> ir.Lowered:
            saved = self._method, self._nesting
            if class_id is not None:
                self._method = method
            self._nesting += 1
            try:
                body = self.block(node.body, qualname)
            finally:
                self._method, self._nesting = saved
            return body, frozenset(self._checked.pop(qualname, ()))

        # Bodies of module-level functions and methods wait until the analysis needs them;
        # nested ones are lowered with the body that encloses them.
        deferred = (
            ir.Deferred(lower_body) if self._nesting == 0 else ir.Deferred(None, lower_body())
        )
        self.functions[qualname] = ir.Function(
            qualname,
            tuple(params),
            positional,
            vararg,
            kwarg,
            deferred,
            node.lineno,
            node.col_offset,
            node.end_lineno or node.lineno,
            class_id,
            binding,
            _annotations(args),
        )
        return ir.Def(node.name, qualname, lower_all(node.decorator_list), node.lineno)

    def _note_self(self, targets: list[ast.expr]) -> None:
        """Remember the ``self.<attr>`` a method assigns (``ClassInfo.self_attrs``)."""
        assert self._method is not None
        class_id, method, receiver = self._method
        pending = list(targets)
        while pending:
            target = pending.pop()
            if isinstance(target, (ast.Tuple, ast.List)):
                pending.extend(target.elts)
            elif isinstance(target, ast.Starred):
                pending.append(target.value)
            elif (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == receiver
            ):
                methods = self._self_attrs.setdefault(class_id, {}).setdefault(target.attr, [])
                if method not in methods:
                    methods.append(method)

    def klass(self, node: ast.ClassDef, scope: str) -> ir.Stmt:
        qualname = f"{scope}.{node.name}" if scope else node.name
        attrs = self._self_attrs.setdefault(qualname, {})  # filled as the methods are lowered
        body = self.block(node.body, qualname, class_id=qualname)
        methods = tuple(s.name for s in node.body if isinstance(s, _FUNCTION))
        keeps = self._may_name_unknown(node) and _keeps_unknown(node)
        self.classes[qualname] = ir.ClassInfo(qualname, methods, keeps, node.lineno, attrs)
        bases = lower_all(node.bases)
        return ir.ClassStmt(
            node.name, qualname, bases, lower_all(node.decorator_list), body, node.lineno
        )

    def _may_name_unknown(self, node: ast.ClassDef) -> bool:
        marks = self._unknown_lines
        if marks is None:
            return True
        at = bisect_left(marks, node.lineno)
        return at < len(marks) and marks[at] <= (node.end_lineno or node.lineno)


UNKNOWN_WORDS = ("extra", "unknown")
"""The names ``_keeps_unknown`` looks for."""


def unknown_lines(source: str) -> list[int] | None:
    """The lines that spell a name of ``UNKNOWN_WORDS``, in order; None (search every class)
    for text where finding them is not a substring search: non-ASCII (an identifier may
    normalise to one, NFKC) or with lines ended by a lone carriage return.

    NOTE: a class whose lines hold none cannot keep unknown fields, and the search of its body
    is skipped: on real code it walked every class-level literal of declarative classes."""
    if not source.isascii() or source.count("\r") != source.count("\r\n"):
        return None
    found = []
    for word in UNKNOWN_WORDS:
        at = source.find(word)
        while at != -1:
            found.append(at)
            at = source.find(word, at + 1)
    lines, line, last = [], 1, 0
    for at in sorted(found):
        line += source.count("\n", last, at)
        last = at
        lines.append(line)
    return lines


def _status(value: ast.expr | None) -> int | None:
    """The HTTP status a return states: ``body, 409`` or a call given ``409`` (no deeper look)."""
    if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
        candidates = [value.elts[1]]
    elif isinstance(value, ast.Call):
        candidates = [*value.args, *(k.value for k in value.keywords if k.arg == "status")]
    else:
        return None
    for node in candidates:
        found = status_code(node)
        if found is not None:
            return found
    return None


def status_code(node: ast.expr) -> int | None:
    """``409`` or ``HTTPStatus.CONFLICT`` (however ``HTTPStatus`` was imported)."""
    if isinstance(node, ast.Constant) and type(node.value) is int and 100 <= node.value < 600:
        return node.value
    if isinstance(node, ast.Attribute):
        return named_status(node.attr)
    return None


def named_status(name: str) -> int | None:
    """The code of an ``http.HTTPStatus`` member name (``INTERNAL_SERVER_ERROR``: 500)."""
    member = HTTPStatus.__members__.get(name)
    return int(member) if member is not None else None


def _binding(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    names = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
    if "staticmethod" in names:
        return "static"
    return "class" if "classmethod" in names else "instance"


def _exits(body: list[ast.stmt]) -> bool:
    last = body[-1] if body else None
    if isinstance(last, _EXITS):
        return True
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        func = last.value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name == "abort"  # flask.abort raises
    return False


def _keeps_unknown(node: ast.ClassDef) -> bool:
    """pydantic ``extra='allow'`` / ``Extra.allow``, marshmallow ``unknown = INCLUDE``.

    Read from the class keywords and body, nested ``Config`` / ``Meta`` classes included, but
    not from method bodies (walking every method cost a tenth of the lowering).
    """
    roots: list[ast.AST] = [*node.keywords, *(s for s in node.body if not isinstance(s, _FUNCTION))]
    for sub in (n for root in roots for n in ast.walk(root)):
        if isinstance(sub, ast.keyword) and sub.arg in {"extra", "unknown"} and _allows(sub.value):
            return True
        if isinstance(sub, (ast.Assign, ast.AnnAssign)) and sub.value is not None:
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
            named = any(isinstance(t, ast.Name) and t.id in {"extra", "unknown"} for t in targets)
            if named and _allows(sub.value):
                return True
    return False


def _allows(value: ast.expr) -> bool:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value.lower() in {"allow", "include"}
    name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")
    return name in {"allow", "INCLUDE"}


def _imports(node: ast.Import | ast.ImportFrom) -> list[ir.Stmt]:
    out: list[ir.Stmt] = []
    for alias in node.names:
        if isinstance(node, ast.Import):
            bound = alias.asname or alias.name.split(".")[0]
            module = alias.name if alias.asname else alias.name.split(".")[0]
            value = ir.Imported(module, None, 0)
        elif alias.name == "*":
            # ``from m import *``: bound as ``*``; names not found among the module's own are
            # looked up in the modules its star imports name (``Analyzer.global_value``).
            bound, value = STAR, ir.Imported(node.module or "", STAR, node.level)
        else:
            bound = alias.asname or alias.name
            value = ir.Imported(node.module or "", alias.name, node.level)
        out.append(
            ir.Assign(
                (ir.Name(bound, node.lineno, node.col_offset),), value, node.lineno, node.col_offset
            )
        )
    return out


def _annotations(args: ast.arguments) -> tuple[tuple[str, tuple[str, ...]], ...]:
    every = (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg)
    return tuple((a.arg, names) for a in every if a is not None and (names := _named(a.annotation)))


def _named(node: ast.expr | None) -> tuple[str, ...]:
    """The dotted names an annotation mentions, string annotations included (``a.b.C`` gives
    ``a.b.C``, ``a.b`` and ``a``, as a walk of its nodes would)."""
    names: list[str] = []
    if node is not None:
        _mention(node, names)
    return tuple(dict.fromkeys(names))


_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _mention(node: ast.expr, names: list[str]) -> None:
    # NOTE: hand-walked, and string annotations read with a regex, not ast.parse: every function
    # of a project is lowered, and its annotations with it (ast.walk cost 4% of a real scan).
    if isinstance(node, ast.Name):
        names.append(node.id)
    elif isinstance(node, ast.Attribute):
        parts, inner = [node.attr], node.value
        while isinstance(inner, ast.Attribute):
            parts.append(inner.attr)
            inner = inner.value
        if isinstance(inner, ast.Name):
            dotted = [inner.id, *reversed(parts)]
            names.extend(".".join(dotted[:n]) for n in range(len(dotted), 0, -1))
        else:
            _mention(inner, names)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            for found in _DOTTED.findall(node.value):
                pieces = found.split(".")
                names.extend(".".join(pieces[:n]) for n in range(len(pieces), 0, -1))
    elif isinstance(node, ast.Subscript):
        _mention(node.value, names)
        _mention(node.slice, names)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            _mention(element, names)
    elif isinstance(node, ast.BinOp):
        _mention(node.left, names)
        _mention(node.right, names)
