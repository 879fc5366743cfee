"""DG502: a refused conditional (or transactional) write is caught and answered as success.

Per operation: for each conditional write or transaction, the innermost ``try`` around it (in
the handler or in a helper on the way) with a handler for its failure - ``ClientError``,
``ConditionalCheckFailedException``, ``TransactionCanceledException``, PynamoDB's ``PutError``
and friends, ``Exception`` or a bare ``except``. Reported when that handler can fall through (or
return) and the handler function then answers a success response; when the ``try`` is in a
helper, only if the helper reports nothing back (falls off its end). A handler that re-raises,
aborts or returns an error status on every path is the fix; one inside a retry loop is a retry.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg502 import RULE
from dynaguard.static.facts.call_facts import condition_of
from dynaguard.static.facts.operations import DbCall, Operation, operations
from dynaguard.static.facts.run import RunView
from dynaguard.static.flow import block_ends, control
from dynaguard.static.flow.block_ends import End, Path
from dynaguard.static.flow.exceptions import type_names
from dynaguard.static.flow.values import Step
from dynaguard.static.rules.base import Found, Hit, check_run
from dynaguard.static.source import ir

FAILURES = frozenset(
    {
        "ClientError",
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
        "TransactionConflictException",
        "PutError",
        "UpdateError",
        "DeleteError",
        "TransactWriteError",
        "PynamoDBException",
        "Conflict",
        "NotFound",
        "SecureError",
        "Exception",
        "BaseException",
        "*",
    }
)
"""What catches a refused conditional write (last dotted part; ``*``: a bare ``except:``;
``Conflict``/``NotFound``: what ``dynaguard.secure`` raises for it)."""


@check_run(RULE)
def swallowed(run: RunView) -> Iterator[Found]:
    reported: set[tuple[str, int]] = set()
    for op in operations(run):
        for write in op.writes():
            if not (write.transaction or condition_of(write, op.context).present):
                continue
            hit = _swallowed(run, op, write)
            if hit is not None and (hit.at.path, hit.at.line) not in reported:
                reported.add((hit.at.path, hit.at.line))
                yield Found(hit, op.endpoint, None)


def _swallowed(run: RunView, op: Operation, write: DbCall) -> Hit | None:
    """Walk out from the write: the first ``try`` that handles its failure decides."""
    chain = write.chain
    for level in range(len(chain) - 1, -1, -1):
        if not control.has_try(run.project, chain[level].path, chain[level].function):
            continue  # no handler on the way out of this function
        path = _path(run, chain[level])
        for depth in range(len(path) - 1, -1, -1):
            handler = _handler_at(path, depth)
            if handler is None:
                continue
            line, body = handler
            if control.in_loop(path[:depth]):
                return None  # a retry
            if control.calls_in(body) & _calls_at(op, chain, level):
                return None  # the handler reads or writes again: it deals with the refusal
            answer = _answer(run, chain, level, path=path, depth=depth, body=body)
            return None if answer is None else _hit(write, chain, level, line, answer)
    return None


def _calls_at(op: Operation, chain: tuple[Step, ...], level: int) -> set[tuple[int, int]]:
    """Positions, in the function at ``chain[level]``, of the operation's DynamoDB calls there."""
    prefix = [(s.path, s.line, s.col) for s in chain[:level]]
    out = set()
    for call in op.calls:
        steps = call.chain
        if len(steps) > level and [(s.path, s.line, s.col) for s in steps[:level]] == prefix:
            out.add((steps[level].line, steps[level].col))
    return out


def _path(run: RunView, step: Step) -> Path:
    facts = control.facts(run.project, step.path, step.function)
    return facts.paths.get((step.line, step.col), ()) if facts else ()


def _handler_at(path: Path, depth: int) -> tuple[int, tuple[ir.Stmt, ...]] | None:
    """(except line, handler body) when ``path[depth]`` is a try body that handles the failure."""
    place = path[depth]
    stmt = place.block[place.index]
    if not isinstance(stmt, ir.Try) or place.arm != control.TRY_BODY:
        return None
    for (_, body), (kind, line) in zip(stmt.handlers, stmt.catches, strict=False):
        if type_names(kind) & FAILURES:
            return line, body
    return None


def _answer(
    run: RunView,
    chain: tuple[Step, ...],
    level: int,
    *,
    path: Path,
    depth: int,
    body: tuple[ir.Stmt, ...],
) -> tuple[int, int] | None:
    """(level, line) of the success response the caught failure reaches, if any."""
    ends = block_ends.ends(body)
    if End.SUCCESS in ends and level == 0:
        line = block_ends.success_line(body)
        return (0, line) if line else None
    if End.FALL not in ends:
        return None  # re-raised, aborted, or an error answered (or returned to a caller)
    while level > 0:
        if not block_ends.after(path, depth) <= {End.FALL, End.NONE}:
            return None  # the helper tells its caller something: it may be checked
        level -= 1
        path = _path(run, chain[level])
        depth = len(path) - 1
        if depth < 0:
            return None
    line = block_ends.success_after(path, depth)
    return (0, line) if line else None


def _hit(
    write: DbCall, chain: tuple[Step, ...], level: int, line: int, answer: tuple[int, int]
) -> Hit:
    at = chain[level]
    handler = Step(at.path, line, 0, at.function, "the refusal is caught, not re-raised")
    outer = chain[answer[0]]
    response = Step(outer.path, answer[1], 0, outer.function, "a success response")
    site = write.site
    made = Step(site.path, site.line, site.col, site.function, f"{write.api}(...): conditional")
    message = (
        f"a refused {write.api} (condition or transaction) is caught here and the handler still "
        "answers success: the client is told a write worked that never happened"
    )
    return Hit(RULE, handler, message, (made, handler, response))
