"""One operation: the DynamoDB calls a route handler makes (its own and its helpers'), in order,
with the table and key each addresses, what it writes and what its condition tests.

The per-operation rules (DG401-DG502) are about what is absent from a whole handler - a
condition, a transaction, an error response - so they read this, not single events. It is built
from the handler's recorded accesses (``accesses.py``), instantiated with the arguments Flask
passes (route variables are request data), once per run for all six rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING

from dynaguard.model import Endpoint
from dynaguard.static.facts.keys import key_fields
from dynaguard.static.flow import control
from dynaguard.static.flow.accesses import TABLE_ARG, Access, Guard, read_param
from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.events import Event
from dynaguard.static.flow.values import EMPTY, Step
from dynaguard.static.models import pynamodb as pynamo

if TYPE_CHECKING:
    from dynaguard.static.facts.run import RunView


class CallKind(Enum):
    GET = "get"
    QUERY = "query"
    SCAN = "scan"
    BATCH_GET = "batch_get"
    PUT = "put"
    UPDATE = "update"
    DELETE = "delete"
    CHECK = "check"
    BATCH_WRITE = "batch_write"
    TRANSACTION = "transaction"
    """A whole transaction made by a library (``dynaguard.secure.transact_write``)."""


READS = frozenset({CallKind.GET, CallKind.QUERY, CallKind.SCAN, CallKind.BATCH_GET})
WRITES = frozenset(
    {CallKind.PUT, CallKind.UPDATE, CallKind.DELETE, CallKind.BATCH_WRITE, CallKind.TRANSACTION}
)
_METHODS = {
    "get_item": CallKind.GET,
    "get": CallKind.GET,
    "get_or_none": CallKind.GET,
    "query": CallKind.QUERY,
    "count": CallKind.QUERY,
    "scan": CallKind.SCAN,
    "batch_get_item": CallKind.BATCH_GET,
    "transact_get_items": CallKind.BATCH_GET,
    "batch_get": CallKind.BATCH_GET,
    "put_item": CallKind.PUT,
    "save": CallKind.PUT,
    "update_item": CallKind.UPDATE,
    "update": CallKind.UPDATE,
    "delete_item": CallKind.DELETE,
    "delete": CallKind.DELETE,
    "batch_write_item": CallKind.BATCH_WRITE,
    # dynaguard.secure (models/secure.py)
    "create_if_absent": CallKind.PUT,
    "update_if_exists": CallKind.UPDATE,
    "versioned_update": CallKind.UPDATE,
    "increment": CallKind.UPDATE,
    "delete_if_exists": CallKind.DELETE,
    "transact_write": CallKind.TRANSACTION,
}
_PARTS = {
    "Put": CallKind.PUT,
    "Update": CallKind.UPDATE,
    "Delete": CallKind.DELETE,
    "ConditionCheck": CallKind.CHECK,
}


def _kind(api: str) -> CallKind | None:
    if api.endswith("]"):
        return _PARTS.get(api[api.index("[") + 1 : -1])  # a batch's PutRequest: see its batch
    return _METHODS.get(api.rpartition(".")[2])


# NOTE: made by the tens of thousands per scan, so not ``frozen`` (a frozen __init__ pays an
# ``object.__setattr__`` per field, 4x slower); nothing assigns to one after it is made.
@dataclass(slots=True, unsafe_hash=True)
class DbCall:
    """One DynamoDB call of the operation."""

    event: Event
    via: tuple[Step, ...]
    """Call sites from the handler down to the helper that makes the call."""
    kind: CallKind
    position: int
    """Order in the operation (reads before the writes that use them)."""

    @property
    def site(self) -> Step:
        return self.event.site

    @property
    def chain(self) -> tuple[Step, ...]:
        return (*self.via, self.event.site)

    @property
    def api(self) -> str:
        return self.event.api

    @property
    def writes(self) -> bool:
        return self.kind in WRITES

    @property
    def transaction(self) -> bool:
        return ".transact_write_items[" in self.event.api or self.kind is CallKind.TRANSACTION

    @property
    def batch(self) -> bool:
        return self.event.api.startswith("batch_writer.") or self.kind is CallKind.BATCH_WRITE

    @property
    def table(self) -> str | None:
        return (self.event.args.get(TABLE_ARG) or self.event.args.get("TableName") or EMPTY).text

    @property
    def model(self) -> str | None:
        """The PynamoDB model class id, for ``Model.*`` calls."""
        table = self.table or ""
        return table[6:] if table.startswith("model:") else None


def _key_argument_names(event: Event) -> tuple[str | None, tuple[str, ...]]:
    table = (event.args.get(TABLE_ARG) or event.args.get("TableName") or EMPTY).text
    if table is None or table.startswith("model:"):
        return None, ()
    return table, tuple((event.args.get("Key") or EMPTY).fields)


def _queried_key_names(event: Event) -> tuple[str | None, tuple[str, ...]]:
    if "KeyConditionExpression" not in event.args:
        return None, ()
    keys = key_fields(event)
    if "*" in keys:
        return None, ()  # a key the query builds at run time: its names are not all known
    return (event.args.get(TABLE_ARG) or EMPTY).text, tuple(keys)


class Context:
    """Facts of the whole run the operations share: key attributes of each table."""

    def __init__(self, run: RunView) -> None:
        self.run = run
        self.analyzer: Analyzer = run.analyzer

    def _most_used(
        self, pick: Callable[[Event], tuple[str | None, tuple[str, ...]]]
    ) -> dict[str, tuple[str, ...]]:
        """Table -> the set of names ``pick`` finds in the project's accesses most often (the
        longest of equally used sets)."""
        counts: dict[str, dict[tuple[str, ...], int]] = {}
        for result in list(self.analyzer.results.values()):
            for entry in result.accesses:
                if not isinstance(entry, Access):
                    continue
                table, names = pick(entry.event)
                if table and names:
                    seen = counts.setdefault(table, {})
                    seen[names] = seen.get(names, 0) + 1
        return {t: max(seen, key=lambda n: (seen[n], len(n))) for t, seen in counts.items()}

    @cached_property
    def _key_names(self) -> dict[str, tuple[str, ...]]:
        """Table -> the attribute names its ``Key=`` arguments use, anywhere in the project."""
        return self._most_used(_key_argument_names)

    @cached_property
    def _queried_names(self) -> dict[str, tuple[str, ...]]:
        """Table -> the attribute names its queries' key conditions compare (the partition key,
        and the sort key when a condition names it), the most used set."""
        return self._most_used(_queried_key_names)

    def queried_names(self, call: DbCall) -> tuple[str, ...] | None:
        """The key attributes the project's queries of the call's table compare."""
        if call.model is not None or not call.table:
            return None
        return self._queried_names.get(call.table)

    def key_names(self, call: DbCall) -> tuple[str, ...] | None:
        """The key attributes of the table ``call`` addresses, when the project tells."""
        if call.model is not None:
            keys = pynamo.model_facts(self.analyzer, call.model).keys
            return keys or None
        return self._key_names.get(call.table) if call.table else None

    def versioned(self, call: DbCall) -> bool:
        """A PynamoDB model with a ``VersionAttribute``: every write is conditioned on it."""
        return call.model is not None and bool(
            pynamo.model_facts(self.analyzer, call.model).version
        )


@dataclass(frozen=True, slots=True)
class Operation:
    handler: str
    endpoints: tuple[Endpoint, ...]
    calls: tuple[DbCall, ...]
    guards: tuple[tuple[int, frozenset[int]], ...]
    """(position, read params): an ``if`` on data those reads returned, at that point."""
    context: Context

    @property
    def endpoint(self) -> Endpoint | None:
        for endpoint in self.endpoints:
            if endpoint.method in ("POST", "PUT", "PATCH", "DELETE"):
                return endpoint
        return self.endpoints[0] if self.endpoints else None

    @property
    def creates(self) -> bool:
        """A POST: the client asks for a new item, so replacing one is never the intent."""
        return any(e.method == "POST" for e in self.endpoints)

    def writes(self) -> list[DbCall]:
        return [c for c in self.calls if c.writes]

    def read(self, param: int) -> DbCall | None:
        """The read call whose data ``param`` labels."""
        for call in self.calls:
            if call.kind in READS and _param_of(call) == param:
                return call
        return None

    def checked(self, read: DbCall, before: DbCall) -> bool:
        """Whether an ``if`` tests what ``read`` returned before ``before`` runs."""
        param = _param_of(read)
        return any(
            read.position < at < before.position and param in reads for at, reads in self.guards
        )


def _param_of(call: DbCall) -> int | None:
    return read_param(call.site)


def operations(run: RunView) -> list[Operation]:
    """Every route handler that makes a DynamoDB call, as one operation each (memoised)."""
    return run.analyzer.memo("operations", lambda: _operations(run))


def run_context(run: RunView) -> Context:
    """The run's shared facts (memoised: the key schema is read once)."""
    return run.analyzer.memo("context", lambda: Context(run))


def _operations(run: RunView) -> list[Operation]:
    context = run_context(run)
    return [
        op for fn_id in sorted(run.routes) if (op := _operation(run, context, fn_id)) is not None
    ]


def _operation(run: RunView, context: Context, fn_id: str) -> Operation | None:
    entries = run.analyzer.function_result(fn_id).accesses
    if not any(isinstance(e, Access) for e in entries):
        return None
    bound = run.bound(fn_id)
    calls: list[DbCall] = []
    guards: list[tuple[int, frozenset[int]]] = []
    for position, entry in enumerate(entries):
        if isinstance(entry, Guard):
            guards.append((position, entry.reads))
            continue
        kind = _kind(entry.event.api)
        event = bound[position]
        if kind is not None and event is not None:
            calls.append(DbCall(event, entry.via, kind, position))
    endpoints = tuple(run.routes.get(fn_id, ()))
    return Operation(fn_id, endpoints, tuple(calls), tuple(guards), context)


def leading_to(call: DbCall, note: str) -> tuple[Step, ...]:
    """Flow steps for ``call``: the calls from the handler down to it, then the call itself."""
    steps = tuple(Step(s.path, s.line, s.col, s.function, "calls the helper") for s in call.via)
    site = call.site
    return (*steps, Step(site.path, site.line, site.col, site.function, note))


def exclusive(run: RunView, first: DbCall, second: DbCall) -> bool:
    """Where the two call chains part, are the two calls on exclusive paths (``if``/``else``
    arms, a ``try`` body and its handler, a branch that always leaves)?"""
    for a, b in zip(first.chain, second.chain, strict=False):
        if (a.path, a.line, a.col) == (b.path, b.line, b.col):
            continue
        if (a.path, a.function) != (b.path, b.function):
            # One call site, two callees (``HANDLERS[kind](...)``, a variable holding either
            # function): each run calls one of them.
            return True
        facts = control.facts(run.project, a.path, a.function)
        if facts is None:
            return False
        path_a, path_b = facts.paths.get((a.line, a.col)), facts.paths.get((b.line, b.col))
        return path_a is not None and path_b is not None and control.exclusive(path_a, path_b)
    return False
