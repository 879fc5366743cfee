"""Update expressions built up under conditions: ``parts`` gets an entry for each field the
request has, and ``'set ' + ', '.join(parts)`` is just ``'set '`` when it has none of them, which
DynamoDB refuses (``ValidationException``).

Read from the source of the function that makes the call: a variable starts empty (``[]``,
``list()``, or a string that is only the clause keyword, ``'SET '``), every addition to it is
inside an ``if`` or a loop over something other than a collection the code wrote out, nothing
tests whether it is empty, and the call's ``UpdateExpression`` is made from it.
"""

from __future__ import annotations

import ast
from functools import lru_cache

_CLAUSES = frozenset({"set", "add", "remove", "delete"})
_ADDS = frozenset({"append", "extend", "insert"})
_DISPLAYS = (ast.Dict, ast.List, ast.Tuple, ast.Set)
_Function = ast.FunctionDef | ast.AsyncFunctionDef


def maybe_empty(source: str, line: int, col: int) -> str | None:
    """The variable an ``UpdateExpression`` at ``(line, col)`` is built from, when it may be
    left empty; the module's ``source`` is parsed once."""
    tree = _parse(source)
    if tree is None:
        return None
    for function in ast.walk(tree):
        if not isinstance(function, _Function):
            continue
        if not function.lineno <= line <= (function.end_lineno or function.lineno):
            continue
        call = _call_at(function, line, col)
        if call is None:
            continue
        expression = next((k.value for k in call.keywords if k.arg == "UpdateExpression"), None)
        if expression is None:
            continue
        names = {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)}
        for name in sorted(names & _locals(function)):
            if _accumulates(function, name):
                return name
    return None


@lru_cache(maxsize=64)
def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None


def _call_at(function: ast.AST, line: int, col: int) -> ast.Call | None:
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and (node.lineno, node.col_offset) == (line, col):
            return node
    return None


def _targets(node: ast.Assign) -> list[ast.expr]:
    out: list[ast.expr] = []
    for target in node.targets:
        out += target.elts if isinstance(target, ast.Tuple) else [target]
    return out


def _locals(function: _Function) -> set[str]:
    return {
        t.id
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        for t in _targets(node)
        if isinstance(t, ast.Name)
    }


def _accumulates(function: _Function, name: str) -> bool:
    starts = conditional = unconditional = 0
    literals = _literals(function)
    for node, conditioned in _statements(function.body, False, literals):
        if _starts_empty(node, name):
            starts += 1
        elif _adds_to(node, name):
            if conditioned:
                conditional += 1
            else:
                unconditional += 1
        if isinstance(node, (ast.If, ast.While, ast.Assert)) and _tests(node.test, name):
            return False  # ``if not parts: abort(400)``
    return starts == 1 and conditional > 0 and unconditional == 0


def _statements(
    body: list[ast.stmt], conditioned: bool, literals: set[str]
) -> list[tuple[ast.stmt, bool]]:
    """Every statement, and whether it runs only under a condition."""
    out: list[tuple[ast.stmt, bool]] = []
    for stmt in body:
        out.append((stmt, conditioned))
        if isinstance(stmt, ast.If):
            out += _statements(stmt.body, True, literals)
            out += _statements(stmt.orelse, True, literals)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            # A loop over the request's keys may add nothing; one over a collection the code
            # wrote out (``for f in {'a': 1, 'b': 2}.values()``) runs its body.
            runs = not isinstance(stmt, ast.While) and _written_out(stmt.iter, literals)
            out += _statements(stmt.body, conditioned if runs else True, literals)
            out += _statements(stmt.orelse, conditioned, literals)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            out += _statements(stmt.body, conditioned, literals)
        elif isinstance(stmt, ast.Try):
            out += _statements(stmt.body, conditioned, literals)
            for handler in stmt.handlers:
                out += _statements(handler.body, True, literals)
            out += _statements(stmt.orelse, conditioned, literals)
            out += _statements(stmt.finalbody, conditioned, literals)
    return out


def _literals(function: _Function) -> set[str]:
    """Local names known not to be empty: bound to a collection written out in the code, or
    tested for emptiness (``if not changes: abort(400)``)."""
    out: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _nonempty_display(node.value):
            out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.If) and (tested := _not_name(node.test)) is not None:
            out.add(tested)
    return out


def _not_name(test: ast.expr) -> str | None:
    """``x`` of ``if not x``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        operand = test.operand
        return operand.id if isinstance(operand, ast.Name) else None
    return None


def _nonempty_display(node: ast.expr) -> bool:
    if isinstance(node, ast.Dict):
        return bool(node.keys)
    return isinstance(node, (ast.List, ast.Tuple, ast.Set)) and bool(node.elts)


def _written_out(node: ast.expr, literals: set[str]) -> bool:
    """``{...}``, ``[...]``, a name bound to one, or its ``.items()``/``.values()``/``.keys()``."""
    wrappers = ("enumerate", "sorted", "list", "tuple", "reversed")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        node = node.args[0] if node.func.id in wrappers else node
    views = ("items", "values", "keys")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args:
        node = node.func.value if node.func.attr in views else node
    if isinstance(node, ast.Name):
        return node.id in literals
    return _nonempty_display(node)


def _starts_empty(node: ast.stmt, name: str) -> bool:
    if not isinstance(node, ast.Assign) or len(node.targets) != 1:
        return False
    target, value = node.targets[0], node.value
    found: ast.expr | None = value
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):  # parts, values = [], {}
        pairs = zip(target.elts, value.elts, strict=False)
        found = next((v for t, v in pairs if isinstance(t, ast.Name) and t.id == name), None)
    elif not (isinstance(target, ast.Name) and target.id == name):
        return False
    if isinstance(found, ast.List):
        return not found.elts
    if isinstance(found, ast.Call) and isinstance(found.func, ast.Name):
        return found.func.id == "list" and not found.args
    return (
        isinstance(found, ast.Constant)
        and isinstance(found.value, str)
        and found.value.strip().lower() in _CLAUSES
    )


def _adds_to(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        return node.target.id == name
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in _ADDS
            and isinstance(func.value, ast.Name)
            and func.value.id == name
        )
    return False


def _tests(test: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(test))
