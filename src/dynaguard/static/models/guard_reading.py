"""Reading an ``if`` test for the authorization facts (``authz.py``): its leaves (names,
attribute and constant-subscript chains, evaluated again for their values), its calls, its words
(``is_admin`` -> is, admin), and what the code does when the test sends it away (statuses,
raised or aborted names)."""

from __future__ import annotations

import functools
import re

from dynaguard.static.source import ir
from dynaguard.static.source.words import words


class Scan:
    """The leaves (names, attribute and item chains), calls and words of a test."""

    def __init__(self) -> None:
        self.leaves: list[ir.Expr] = []
        self.calls: list[ir.Call] = []
        self.words: frozenset[str] = frozenset()

    def visit(self, expr: ir.Expr) -> None:
        if isinstance(expr, (ir.Pure, ir.Derive)):
            for part in expr.parts:
                self.visit(part)
        elif isinstance(expr, ir.Either):
            for option in expr.options:
                self.visit(option)
        elif isinstance(expr, ir.Call):
            self.calls.append(expr)
            self.visit(expr.func)
            for arg in (*expr.args, *(v for _, v in expr.kwargs)):
                self.visit(arg)
        elif isinstance(expr, ir.Walrus):
            self.leaves.append(ir.Name(expr.target))
        elif isinstance(expr, ir.Const):
            if expr.text:
                self.words |= words(expr.text)
        elif isinstance(expr, (ir.Name, ir.Attr, ir.Sub)):
            self._chain(expr)

    def _chain(self, expr: ir.Name | ir.Attr | ir.Sub) -> None:
        if simple(expr):
            self.leaves.append(expr)
        node: ir.Expr = expr
        while isinstance(node, (ir.Attr, ir.Sub)):
            if isinstance(node, ir.Attr):
                self.words |= _name_words(node.attr)
            elif isinstance(node.index, ir.Const) and node.index.text:
                self.words |= _name_words(node.index.text)
            node = node.obj
        if isinstance(node, ir.Name):
            self.words |= _name_words(node.id)
        elif not simple(expr):
            self.visit(node)


_ID_NOUNS = frozenset({"id", "ids", "uuid", "name", "email", "key", "number"})
_OWNER_WORDS = frozenset({"owner", "owners", "own", "ownership"})
_PARTS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


@functools.lru_cache(maxsize=4096)
def _name_words(name: str) -> frozenset[str]:
    """The words of a name; ``product_owner_id`` names an owner's id, it says no ownership was
    checked (``is_owner``, ``owns`` do)."""
    found = words(name)
    parts = _PARTS.findall(name)
    if parts and parts[-1].lower() in _ID_NOUNS:
        return found - _OWNER_WORDS
    return found


def simple(expr: ir.Expr) -> bool:
    """A chain of names, attributes and constant subscripts: evaluating it again is free."""
    while isinstance(expr, (ir.Attr, ir.Sub)):
        if isinstance(expr, ir.Sub) and not isinstance(expr.index, (ir.Const, ir.Name)):
            return False
        expr = expr.obj
    return isinstance(expr, ir.Name)


def ends_in_exit(body: tuple[ir.Stmt, ...]) -> bool:
    last = body[-1] if body else None
    if isinstance(last, ir.Return):
        return not last.yields
    return isinstance(last, ir.Eval) and isinstance(last.value, (ir.Pure, ir.Call))


def exit_signals(body: tuple[ir.Stmt, ...]) -> tuple[set[int], frozenset[str]]:
    """HTTP statuses returned, and the words of what is raised, aborted or returned."""
    statuses: set[int] = set()
    found: frozenset[str] = frozenset()
    for stmt in body:
        if isinstance(stmt, ir.Return):
            if stmt.status:
                statuses.add(stmt.status)
            if stmt.value is not None:
                found |= words_in(stmt.value)
        elif isinstance(stmt, ir.Eval):
            found |= words_in(stmt.value)
    return statuses, found


def words_in(expr: ir.Expr) -> frozenset[str]:
    scan = Scan()
    scan.visit(expr)
    return scan.words


def position(expr: ir.Expr) -> tuple[int, int]:
    pending = [expr]
    while pending:
        node = pending.pop(0)
        if isinstance(node, (ir.Attr, ir.Sub, ir.Call, ir.Walrus)) and node.line:
            return node.line, node.col
        if isinstance(node, (ir.Pure, ir.Derive)):
            pending.extend(node.parts)
        elif isinstance(node, ir.Either):
            pending.extend(node.options)
    return 0, 0
