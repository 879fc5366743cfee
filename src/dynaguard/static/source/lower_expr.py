"""Lowering of ``ast`` expressions to the IR (``ir.py``); one recursive pass, no analysis."""

from __future__ import annotations

import ast
from collections.abc import Callable

from dynaguard.static.source import ir

EMPTY_CONST = ir.Const()
_INDEXES = tuple(ir.Const(None, i) for i in range(16))
"""Small integers, kept for ``out[1] = v``: a list filled by position and unpacked whole."""
_TRUE, _FALSE = ir.Const(truth=True), ir.Const(truth=False)


def lower(node: ast.expr) -> ir.Expr:
    # The commonest nodes inline: lowering makes one call per node, and these are most of them.
    if type(node) is ast.Name:
        return ir.Name(node.id)  # a load: only stores need a position
    if type(node) is ast.Attribute:
        return ir.Attr(lower(node.value), node.attr, node.lineno, node.col_offset)
    handler = _HANDLERS.get(type(node))
    if handler is None:
        return ir.Pure(
            tuple(lower(c) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr))
        )
    return handler(node)


def lower_all(nodes: list[ast.expr]) -> tuple[ir.Expr, ...]:
    return tuple([lower(n) for n in nodes])  # a list first: faster than a generator (3.11)


def lower_target(node: ast.expr) -> ir.Target:
    if isinstance(node, ast.Name):
        return ir.Name(node.id, node.lineno, node.col_offset)
    if isinstance(node, (ast.Tuple, ast.List)):
        return ir.TupleTarget(tuple(lower_target(e) for e in node.elts))
    if isinstance(node, ast.Starred):
        return lower_target(node.value)
    if isinstance(node, ast.Attribute):
        return ir.Attr(lower(node.value), node.attr, node.lineno, node.col_offset)
    if isinstance(node, ast.Subscript):
        return _subscript(node)
    return ir.TupleTarget(())


def _constant(node: ast.Constant) -> ir.Expr:
    value = node.value
    if isinstance(value, str):
        return ir.Const(value)
    if value is True or value is False:
        return _TRUE if value else _FALSE
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value < 600:
        return ir.Const(None, value)  # an HTTP status (``errorhandler(500)``); others share one
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(_INDEXES):
        return _INDEXES[value]
    return EMPTY_CONST


def _subscript(node: ast.Subscript) -> ir.Sub:
    index = node.slice
    if isinstance(index, ast.Slice):
        return ir.Sub(lower(node.value), EMPTY_CONST, node.lineno, node.col_offset, sliced=True)
    return ir.Sub(lower(node.value), lower(index), node.lineno, node.col_offset)


def _call(node: ast.Call) -> ir.Expr:
    kwargs = tuple([(k.arg, lower(k.value)) for k in node.keywords])
    return ir.Call(lower(node.func), lower_all(node.args), kwargs, node.lineno, node.col_offset)


def _dict(node: ast.Dict) -> ir.Expr:
    keys = tuple(None if k is None else lower(k) for k in node.keys)
    positions = tuple(
        (k.lineno, k.col_offset) if k is not None else (v.lineno, v.col_offset)
        for k, v in zip(node.keys, node.values, strict=True)
    )
    return ir.Dict(keys, lower_all(node.values), positions)


def _seq(node: ast.List | ast.Tuple | ast.Set) -> ir.Expr:
    positional = isinstance(node, ast.Tuple) and not any(
        isinstance(e, ast.Starred) for e in node.elts
    )
    return ir.Seq(lower_all(node.elts), positional)


def _joined(node: ast.JoinedStr) -> ir.Expr:
    parts = tuple(
        lower(v.value) if isinstance(v, ast.FormattedValue) else lower(v) for v in node.values
    )
    return ir.Derive(parts, concat=True, formats=True)


def _binop(node: ast.BinOp) -> ir.Expr:
    return ir.Derive((lower(node.left), lower(node.right)), concat=isinstance(node.op, ast.Add))


def _unary(node: ast.UnaryOp) -> ir.Expr:
    if isinstance(node.op, ast.Not):
        return ir.Pure((lower(node.operand),))
    return ir.Derive((lower(node.operand),))


def _boolop(node: ast.BoolOp) -> ir.Expr:
    return ir.Either(lower_all(node.values), isinstance(node.op, ast.Or))


def _ifexp(node: ast.IfExp) -> ir.Expr:
    return ir.Either((lower(node.body), lower(node.orelse), ir.Pure((lower(node.test),))))


def _compare(node: ast.Compare) -> ir.Expr:
    parts = (lower(node.left), *lower_all(node.comparators))
    if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
        return ir.Pure(parts, 1, node.lineno, node.col_offset)  # ``k in x``: None raises
    return ir.Pure(parts)


def _starred(node: ast.Starred) -> ir.Expr:
    return ir.Star(lower(node.value))


def _passthrough(node: ast.Await | ast.FormattedValue) -> ir.Expr:
    return lower(node.value)


def _walrus(node: ast.NamedExpr) -> ir.Expr:
    target = node.target.id if isinstance(node.target, ast.Name) else "_"
    return ir.Walrus(target, lower(node.value), node.lineno, node.col_offset)


def _lambda(node: ast.Lambda) -> ir.Expr:
    # A lambda with no parameters stands for its body (``LocalProxy(lambda: ext.tables)``,
    # a callback): evaluated where it is written. One with parameters is opaque: its body
    # refers to values only its callers give.
    args = node.args
    if args.args or args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg:
        return EMPTY_CONST
    return lower(node.body)


def _comp(node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> ir.Expr:
    gens = tuple(_generator(g) for g in node.generators)
    if isinstance(node, ast.DictComp):
        return ir.Comp(
            "dict", gens, lower(node.key), lower(node.value), node.lineno, node.col_offset
        )
    kind = {ast.ListComp: "list", ast.SetComp: "set"}.get(type(node), "gen")
    return ir.Comp(kind, gens, None, lower(node.elt), node.lineno, node.col_offset)


def _generator(gen: ast.comprehension) -> ir.Gen:
    guards = tuple(g for cond in gen.ifs for g in guards_of(cond) if g.positive)
    return ir.Gen(lower_target(gen.target), lower(gen.iter), guards, lower_all(gen.ifs))


def guards_of(test: ast.expr) -> tuple[ir.Guard, ...]:
    """Narrowing facts a test establishes (allowlist membership, key-set checks)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return tuple(g for v in test.values for g in guards_of(v) if g.positive)
    keyset = _keyset_subject(test)
    if keyset is not None:
        return (ir.Guard(keyset[0], lower(keyset[1]), positive=False, keys=True),)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name):
        op, other = test.ops[0], test.comparators[0]
        if isinstance(op, ast.In) or (isinstance(op, ast.Eq) and isinstance(other, ast.Constant)):
            return (ir.Guard(test.left.id, lower(other), positive=True),)
        if isinstance(op, ast.NotIn):
            return (ir.Guard(test.left.id, lower(other), positive=False),)
    return ()


def _keys_of(node: ast.expr) -> str | None:
    """``x`` for ``set(x)``, ``x.keys()`` or ``set(x.keys())`` where x is a name."""
    if isinstance(node, ast.Call) and not node.keywords:
        func = node.func
        if isinstance(func, ast.Name) and func.id in {"set", "frozenset"} and len(node.args) == 1:
            arg = node.args[0]
            return arg.id if isinstance(arg, ast.Name) else _keys_of(arg)
        if isinstance(func, ast.Attribute) and func.attr == "keys" and not node.args:
            return func.value.id if isinstance(func.value, ast.Name) else None
    return None


def _keyset_subject(test: ast.expr) -> tuple[str, ast.expr] | None:
    """Recognise ``set(x) - ALLOWED`` / ``not set(x) <= ALLOWED`` / ``not set(x).issubset(A)``."""
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    node = test.operand if isinstance(test, ast.UnaryOp) and negated else test
    pair: tuple[ast.expr, ast.expr] | None = None
    if not negated and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        pair = (node.left, node.right)
    elif negated and isinstance(node, ast.Compare) and [type(o) for o in node.ops] == [ast.LtE]:
        pair = (node.left, node.comparators[0])
    elif _is_method(node, "issubset" if negated else "difference"):
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        pair = (node.func.value, node.args[0])
    name = _keys_of(pair[0]) if pair else None
    return (name, pair[1]) if name and pair else None


def _is_method(node: ast.expr, name: str) -> bool:
    func = node.func if isinstance(node, ast.Call) and len(node.args) == 1 else None
    return isinstance(func, ast.Attribute) and func.attr == name


_HANDLERS: dict[type[ast.AST], Callable[..., ir.Expr]] = {
    ast.Constant: _constant,
    ast.Subscript: _subscript,
    ast.Call: _call,
    ast.Dict: _dict,
    ast.List: _seq,
    ast.Tuple: _seq,
    ast.Set: _seq,
    ast.JoinedStr: _joined,
    ast.FormattedValue: _passthrough,
    ast.BinOp: _binop,
    ast.UnaryOp: _unary,
    ast.BoolOp: _boolop,
    ast.IfExp: _ifexp,
    ast.Compare: _compare,
    ast.Starred: _starred,
    ast.Await: _passthrough,
    ast.NamedExpr: _walrus,
    ast.Lambda: _lambda,
    ast.ListComp: _comp,
    ast.SetComp: _comp,
    ast.GeneratorExp: _comp,
    ast.DictComp: _comp,
}


_COMPARE_OPS = {ast.Eq: "eq", ast.NotEq: "ne", ast.In: "in", ast.NotIn: "not in"}
_TEXT_METHODS = frozenset({"startswith", "endswith"})
_FOLDS = frozenset({"lower", "upper", "casefold"})


def decision_of(test: ast.expr) -> ir.Decision | None:
    """The test as comparisons of one value with string constants, joined by and/or/not; None
    when any part is something else (only such tests can be decided per route)."""
    if isinstance(test, ast.BoolOp):
        parts = [decision_of(v) for v in test.values]
        if any(p is None for p in parts):
            return None
        op = "and" if isinstance(test.op, ast.And) else "or"
        return ir.Junction(op, tuple(p for p in parts if p is not None))
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decision_of(test.operand)
        return ir.Junction("not", (inner,)) if inner is not None else None
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _text_compare(test.left, test.ops[0], test.comparators[0])
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr in _TEXT_METHODS
        and len(test.args) == 1
        and not test.keywords
    ):
        texts = _texts(test.args[0])
        if texts is not None:
            subject, fold = _unfolded(test.func.value)
            return ir.TextTest(test.func.attr, lower(subject), texts, fold)
    return None


def _text_compare(left: ast.expr, op: ast.cmpop, right: ast.expr) -> ir.TextTest | None:
    name = _COMPARE_OPS.get(type(op))
    if name is None:
        return None
    texts = _texts(right)
    if texts is not None and (name in ("eq", "ne") or not isinstance(right, ast.Constant)):
        subject, fold = _unfolded(left)
        return ir.TextTest("in" if name == "eq" else "not in" if name == "ne" else name,
                           lower(subject), texts, fold)  # fmt: skip
    if name in ("eq", "ne"):  # ``"GET" == method``
        texts = _texts(left)
        if texts is not None and isinstance(left, ast.Constant):
            subject, fold = _unfolded(right)
            return ir.TextTest("in" if name == "eq" else "not in", lower(subject), texts, fold)
    if name == "in" and isinstance(left, ast.Constant) and isinstance(left.value, str):
        subject, fold = _unfolded(right)  # ``"/items" in path``: a substring
        return ir.TextTest("contains", lower(subject), (left.value,), fold)
    return None


def _texts(node: ast.expr) -> tuple[str, ...] | None:
    """The string constant, or the strings of a tuple/list/set display of them."""
    if isinstance(node, ast.Constant):
        return (node.value,) if isinstance(node.value, str) else None
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and node.elts:
        found = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        texts = [t for t in found if isinstance(t, str)]
        if len(texts) == len(node.elts):
            return tuple(texts)
    return None


def _unfolded(node: ast.expr) -> tuple[ast.expr, bool]:
    """``method.upper()`` -> (``method``, True)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _FOLDS
        and not node.args
        and not node.keywords
    ):
        return node.func.value, True
    return node, False
