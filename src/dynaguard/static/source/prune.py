"""Loops that keep only allowed keys of a mapping (an allowlist written as a loop):

    keys = list(payload.keys())
    for key in keys:
        if key not in ALLOWED:
            payload.pop(key, None)      # or: del payload[key]

After such a loop the mapping's keys are the server's (``ALLOWED``'s), as after
``{k: v for k, v in payload.items() if k in ALLOWED}``. Read from the ``ast``, where the loop's
earlier siblings say what it iterates.
"""

from __future__ import annotations

import ast


def pruned(loop: ast.For | ast.AsyncFor, before: list[ast.stmt]) -> tuple[str, ast.expr] | None:
    """(the mapping's name, the allowed set's expression) when ``loop`` is such a loop."""
    if not isinstance(loop.target, ast.Name) or loop.orelse or len(loop.body) != 1:
        return None
    key = loop.target.id
    test = loop.body[0]
    if not isinstance(test, ast.If) or test.orelse or len(test.body) != 1:
        return None
    compare = test.test
    if not (
        isinstance(compare, ast.Compare)
        and isinstance(compare.left, ast.Name)
        and compare.left.id == key
        and len(compare.ops) == 1
        and isinstance(compare.ops[0], ast.NotIn)
    ):
        return None
    mapping = _removed_from(test.body[0], key)
    if mapping is None or _keys_of(loop.iter, before) != mapping:
        return None
    return mapping, compare.comparators[0]


def _removed_from(stmt: ast.stmt, key: str) -> str | None:
    """``m.pop(key, ...)`` or ``del m[key]``: the mapping's name."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        args = stmt.value.args
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "pop"
            and isinstance(func.value, ast.Name)
            and args
            and isinstance(args[0], ast.Name)
            and args[0].id == key
        ):
            return func.value.id
    if isinstance(stmt, ast.Delete) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Name)
            and isinstance(target.slice, ast.Name)
            and target.slice.id == key
        ):
            return target.value.id
    return None


def _keys_of(node: ast.expr, before: list[ast.stmt]) -> str | None:
    """The mapping whose keys ``node`` lists: ``m``, ``m.keys()``, ``list(m)``,
    ``list(m.keys())``, or a name assigned one of them just before."""
    if isinstance(node, ast.Name):
        for stmt in reversed(before):
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets
            ):
                return _direct_keys(stmt.value)
        return None
    return _direct_keys(node)


def _direct_keys(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "list":
        if len(node.args) != 1:
            return None
        node = node.args[0]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and not node.args
        and node.func.attr == "keys"
        and isinstance(node.func.value, ast.Name)
    ):
        return node.func.value.id
    return None
