"""DG602: a Streams consumer handles only part of its batch, and Lambda counts the rest as done.

In a consumer (``streams.py``): ``event['Records'][0]`` with no loop over the batch; a ``break``
or ``return`` inside the loop over the records; a broad ``except`` (``Exception``, bare,
``ClientError``) inside the loop, around it, or around a write or message made after it (with
what the loop gathered), that neither re-raises nor reports the record in
``batchItemFailures``. A ``break``/``return``/``except`` that reports the failed record (its
``itemIdentifier`` in ``batchItemFailures``, which makes Lambda retry from it) is the documented
partial-batch response and is not reported; nor is a narrow ``except KeyError: continue``, a
deliberate skip of records the consumer does not understand.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dynaguard.catalogue.dg602 import RULE
from dynaguard.static.facts.run import RunView
from dynaguard.static.facts.stream_effects import acts
from dynaguard.static.facts.streams import (
    Consumer,
    Streams,
    calls_in,
    own_nodes,
    step_at,
    streams_of,
)
from dynaguard.static.rules.base import Found, Hit, check_run

_BROAD = frozenset({"Exception", "BaseException", "ClientError", "BotoCoreError"})
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


@check_run(RULE)
def partial_batches(run: RunView) -> Iterator[Found]:
    streams = streams_of(run.analyzer)
    for consumer in streams.consumers():
        function = consumer.function
        endpoint = run.endpoint_of(consumer.entry_id)
        reporting = failure_names(function.node)
        for node, message in _problems(streams, consumer, reporting):
            start = consumer.loops[0] if consumer.loops else node
            at = step_at(function, node, message.partition(":")[0])
            first = step_at(function, start, "the batch: event['Records']")
            trace = (*consumer.entry_steps(), first, at)
            yield Found(Hit(RULE, at, message, trace), endpoint)


def _problems(
    streams: Streams, consumer: Consumer, reporting: set[str]
) -> Iterator[tuple[ast.AST, str]]:
    if consumer.fixed and not consumer.loops:
        yield (
            consumer.fixed[0],
            "only the first record of the batch is processed: Lambda marks the other records "
            "done and never delivers them again",
        )
    for loop in consumer.loops:
        yield from _exits(loop, reporting)
        for handler in _handlers(loop.body):
            if _swallows(handler, reporting):
                yield handler, _SWALLOWED
    for handler in _around(consumer):
        if _swallows(handler, reporting):
            yield handler, _ABORTED
    for handler in _after(streams, consumer):
        if _swallows(handler, reporting):
            yield handler, _LATER


_SWALLOWED = (
    "a failing record is caught and skipped: the batch reports success, so Lambda never "
    "delivers that record again (re-raise, or report it in batchItemFailures)"
)
_ABORTED = (
    "a failing record ends the loop and the exception is swallowed: the rest of the batch is "
    "dropped and reported as processed (re-raise, or report the records in batchItemFailures)"
)

_LATER = (
    "the batch's work after the loop fails and the exception is swallowed: the batch reports "
    "success, so Lambda never delivers its records again (re-raise, or report them in "
    "batchItemFailures)"
)


def failure_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Variables the function reports as ``batchItemFailures``."""
    names: set[str] = set()
    for node in own_nodes(function):
        if isinstance(node, ast.Dict):
            for value in _failures(node):
                names |= {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    return names


def _failures(node: ast.Dict) -> list[ast.expr]:
    """The ``batchItemFailures`` values of a dict display that may report a record."""
    return [
        value
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant)
        and key.value == "batchItemFailures"
        and not (isinstance(value, ast.List) and not value.elts)  # ``[]``: all processed
    ]


def _reports(node: ast.AST, reporting: set[str]) -> bool:
    """The code re-raises, or reports a record as failed."""
    for sub in own_nodes(node):
        if isinstance(sub, ast.Raise) or (isinstance(sub, ast.Name) and sub.id in reporting):
            return True
        if isinstance(sub, ast.Dict) and _failures(sub):
            return True
    return False


def _exits(loop: ast.For | ast.AsyncFor, reporting: set[str]) -> Iterator[tuple[ast.AST, str]]:
    """``break`` (of this loop) and ``return`` inside the loop that report nothing."""
    pending: list[tuple[ast.AST, bool]] = [(s, True) for s in loop.body]
    while pending:
        node, own_loop = pending.pop(0)
        if isinstance(node, ast.Break) and own_loop and not reporting:
            yield node, "the loop over the batch stops early: the records after it are dropped"
        elif isinstance(node, ast.Return) and not _reports(node, reporting):
            yield node, "the handler returns from inside the loop: the rest of the batch is dropped"
        inner = own_loop and not isinstance(node, _LOOPS)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.stmt, ast.ExceptHandler)) and not _nested_def(child):
                pending.append((child, inner))


def _nested_def(node: ast.AST) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))


def _handlers(body: list[ast.stmt]) -> Iterator[ast.ExceptHandler]:
    for stmt in body:
        for node in own_nodes(stmt):
            if isinstance(node, ast.ExceptHandler):
                yield node


def _around(consumer: Consumer) -> Iterator[ast.ExceptHandler]:
    """Handlers of a ``try`` whose body holds a loop over the batch."""
    loops = {id(loop) for loop in consumer.loops}
    for node in own_nodes(consumer.function.node):
        if isinstance(node, ast.Try) and any(
            id(sub) in loops for stmt in node.body for sub in own_nodes(stmt)
        ):
            yield from node.handlers


def _after(streams: Streams, consumer: Consumer) -> Iterator[ast.ExceptHandler]:
    """Handlers of a ``try`` after the loop over the batch whose body acts on what the loop
    gathered (a write, a message): when it fails, the batch still counts as done.

    NOTE: a ``try`` that only computes (a fallback value) loses nothing, so it needs an act.
    """
    if not consumer.loops:
        return
    end = max(getattr(loop, "end_lineno", 0) or 0 for loop in consumer.loops)
    for node in own_nodes(consumer.function.node):
        if isinstance(node, ast.Try) and node.lineno > end and _acts(streams, consumer, node):
            yield from node.handlers


def _acts(streams: Streams, consumer: Consumer, node: ast.Try) -> bool:
    body = ast.Module(body=node.body, type_ignores=[])
    return any(
        acts(streams, function, call)
        for function, depth, _ in streams.reach(consumer.function, body)
        for call in calls_in(body if depth == 0 else function.node)
    )


def _swallows(handler: ast.ExceptHandler, reporting: set[str]) -> bool:
    return _broad(handler.type) and not _reports(handler, reporting)


def _broad(node: ast.expr | None) -> bool:
    if node is None:
        return True
    if isinstance(node, ast.Tuple):
        return any(_broad(e) for e in node.elts)
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return name in _BROAD
