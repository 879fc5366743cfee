"""Lambdas with parameters become functions of their own before a statement is lowered.

``{'update': lambda x: table.update_item(**x)}[op](payload)`` calls the lambda: hoisted as a
``def`` named ``<lambda L:C>`` just before the statement that holds it, and replaced there by that
name, it is a function the analysis can call and summarise like any other. A lambda without
parameters stands for its body where it is written (``lower_expr._lambda``); a lambda inside
another is hoisted when the outer one's body (a ``return``) is lowered.
"""

from __future__ import annotations

import ast
import bisect

_BLOCKS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
"""Fields of compound statements that are blocks: lowered (and hoisted) on their own."""


def hoist_lambdas(stmts: list[ast.stmt], lines: frozenset[int]) -> list[ast.stmt]:
    """``stmts`` with the lambdas of each one hoisted before it; only statements spanning one of
    ``lines`` (where the text says ``lambda``) are searched."""
    out: list[ast.stmt] = []
    ordered = sorted(lines)
    for stmt in stmts:
        end = getattr(stmt, "end_lineno", None) or stmt.lineno
        first = bisect.bisect_left(ordered, stmt.lineno)
        if first == len(ordered) or ordered[first] > end:
            out.append(stmt)
            continue
        hoister = _Hoister()
        for name, value in ast.iter_fields(stmt):
            if name in _BLOCKS:
                continue
            if isinstance(value, ast.expr):
                setattr(stmt, name, hoister.visit(value))
            elif isinstance(value, list):
                value[:] = [hoister.visit(v) if isinstance(v, ast.expr) else v for v in value]
            elif isinstance(value, ast.arguments):  # a def's defaults run where the def is
                value.defaults = [hoister.visit(d) for d in value.defaults]
                value.kw_defaults = [hoister.visit(d) if d else d for d in value.kw_defaults]
        out += [*hoister.defs, stmt]
    return out


def _takes_arguments(node: ast.Lambda) -> bool:
    args = node.args
    return bool(args.args or args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg)


class _Hoister(ast.NodeTransformer):
    def __init__(self) -> None:
        self.defs: list[ast.stmt] = []

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        if not _takes_arguments(node):
            return self.generic_visit(node)
        name = f"<lambda {node.lineno}:{node.col_offset}>"
        at = {"lineno": node.lineno, "col_offset": node.col_offset}
        end = {
            "end_lineno": getattr(node, "end_lineno", node.lineno),
            "end_col_offset": getattr(node, "end_col_offset", node.col_offset),
        }
        function = ast.FunctionDef(
            name=name,
            args=node.args,
            body=[ast.Return(value=node.body, **at, **end)],
            decorator_list=[],
            returns=None,
            type_comment=None,
            **at,
            **end,
        )
        self.defs.append(function)
        return ast.Name(id=name, ctx=ast.Load(), **at, **end)
