"""How a block of a function body ends - an error response, a success response, a raise, or
falling through to what follows - read from the IR (DG502 asks this of ``except`` handlers)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from dynaguard.static.source import ir


# NOTE: made by the tens of thousands per scan, so not ``frozen`` (a frozen __init__ pays an
# ``object.__setattr__`` per field, 4x slower); nothing assigns to one after it is made.
@dataclass(slots=True, unsafe_hash=True)
class Place:
    """One level of a statement's position: ``stmt`` is ``block[index]``; ``arm`` is the branch
    of ``stmt`` that leads further down (-1 when the call is in ``stmt`` itself)."""

    block: tuple[ir.Stmt, ...]
    index: int
    arm: int


Path = tuple[Place, ...]


class End(Enum):
    FALL = "fall"
    """Control goes on after the block."""
    RAISE = "raise"
    """An exception leaves it (``raise``, ``abort(...)``)."""
    ERROR = "error"
    """It returns an error response (a 4xx/5xx status, an ``error(...)`` helper)."""
    SUCCESS = "success"
    """It returns a response or value with no error status."""
    NONE = "none"
    """A bare ``return`` (a helper that reports nothing)."""


_ERRORISH = ("error", "abort", "fail", "conflict", "problem", "reject", "forbidden", "not_found")


def arms(stmt: ir.Stmt) -> tuple[tuple[ir.Stmt, ...], ...]:
    """The blocks of a compound statement, in a fixed order (the ``arm`` numbers)."""
    if isinstance(stmt, ir.If):
        return (stmt.body, stmt.orelse)
    if isinstance(stmt, ir.Loop):
        return (stmt.body, stmt.orelse)
    if isinstance(stmt, ir.With):
        return (stmt.body,)
    if isinstance(stmt, ir.Try):
        return (stmt.body, stmt.orelse, stmt.final, *(h for _, h in stmt.handlers))
    if isinstance(stmt, ir.Branches):
        return stmt.bodies
    return ()


def ends(block: tuple[ir.Stmt, ...]) -> set[End]:
    """How running ``block`` can end (``FALL`` included when control can go on after it)."""
    out: set[End] = set()
    for stmt in block:
        found = _stmt_ends(stmt)
        out |= found - {End.FALL}
        if End.FALL not in found:
            return out
    return out | {End.FALL}


def _stmt_ends(stmt: ir.Stmt) -> set[End]:
    if isinstance(stmt, ir.Return):
        return {End.FALL} if stmt.yields else {_return_end(stmt)}
    if isinstance(stmt, ir.Eval):
        return {End.RAISE} if _raises(stmt.value) else {End.FALL}
    if isinstance(stmt, ir.If):
        return ends(stmt.body) | ends(stmt.orelse)
    if isinstance(stmt, ir.Try):
        handled = set().union(*(ends(h) for _, h in stmt.handlers)) if stmt.handlers else set()
        body = ends(stmt.body)
        after = ends(stmt.orelse) if End.FALL in body else set()
        return (body - {End.FALL}) | after | handled
    if isinstance(stmt, (ir.Loop, ir.With)):
        return ends(arms(stmt)[0]) | {End.FALL}
    if isinstance(stmt, ir.Branches):
        return set().union(*(ends(b) for b in stmt.bodies), {End.FALL})
    return {End.FALL}


def _return_end(stmt: ir.Return) -> End:
    if stmt.status is not None:
        return End.ERROR if stmt.status >= 400 else End.SUCCESS
    if stmt.value is None:
        return End.NONE
    if isinstance(stmt.value, ir.Call) and _call_name(stmt.value).lower().startswith(_ERRORISH):
        return End.ERROR
    return End.SUCCESS


def _raises(expr: ir.Expr) -> bool:
    """``raise ...`` (lowered to a Pure of its parts) or ``abort(...)``."""
    if isinstance(expr, ir.Pure):
        return not expr.parts or isinstance(expr.parts[0], (ir.Call, ir.Name, ir.Attr))
    return isinstance(expr, ir.Call) and _call_name(expr) == "abort"


def _call_name(call: ir.Call) -> str:
    func = call.func
    if isinstance(func, ir.Name):
        return func.id
    return func.attr if isinstance(func, ir.Attr) else ""


def after(path: Path, level: int) -> set[End]:
    """How the function can end once the statement at ``path[level]`` has run and fallen
    through: the rest of its block, then of each enclosing block (loops may run again)."""
    out: set[End] = set()
    for place in reversed(path[: level + 1]):
        rest = ends(place.block[place.index + 1 :])
        out |= rest - {End.FALL}
        if End.FALL not in rest:
            return out
    return out | {End.FALL}


def success_line(block: tuple[ir.Stmt, ...]) -> int | None:
    """The line of the first success response ``block`` can return (nested blocks included)."""
    for stmt in block:
        if isinstance(stmt, ir.Return) and not stmt.yields and _return_end(stmt) is End.SUCCESS:
            return stmt.line
        for arm in arms(stmt):
            found = success_line(arm)
            if found is not None:
                return found
    return None


def success_after(path: Path, level: int) -> int | None:
    """The first success response after the statement at ``path[level]``, if one can follow."""
    for place in reversed(path[: level + 1]):
        rest = place.block[place.index + 1 :]
        found = success_line(rest)
        if found is not None:
            return found
        if End.FALL not in ends(rest):
            return None
    return None
