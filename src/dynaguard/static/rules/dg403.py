"""DG403: an update or delete by a client-chosen key with no existence condition.

Per operation: ``update_item``/``delete_item`` (a transaction's Update/Delete, a PynamoDB
``update()``/``delete()`` on an instance it did not read) whose key has a request-chosen part, with
no condition that fails on a missing item (``attribute_exists``, or any comparison of a stored
value: ``balance >= :amount`` is false on a missing item). Also a read-modify-write put that
writes back a default item when the read found none. Not reported: an item the operation read
first (its existence was checked by construction), a delete that asks for ``ALL_OLD`` (the code
can see that nothing was there), an update that sets defaults with ``if_not_exists`` (an upsert
by design), a counter bucket (only ``ADD``s to an item whose key names a summary or counter:
the first add creates it on purpose), batch writes (no condition is possible; DG501's concern).
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg403 import RULE
from dynaguard.model import Confidence
from dynaguard.static.facts.call_facts import condition_of, item_of, key_of, names_of
from dynaguard.static.facts.items import client_key, compatible, same_item
from dynaguard.static.facts.operations import (
    READS,
    CallKind,
    DbCall,
    Operation,
    exclusive,
    operations,
)
from dynaguard.static.facts.run import RunView
from dynaguard.static.flow import control
from dynaguard.static.flow.accesses import reads_of
from dynaguard.static.flow.values import Value, prefixes
from dynaguard.static.models.expressions import Assignment, parse_update
from dynaguard.static.rules.base import Found, Hit, check_run
from dynaguard.static.rules.dg401 import read_modify_write
from dynaguard.static.source.words import words


@check_run(RULE)
def phantom_item(run: RunView) -> Iterator[Found]:
    for op in operations(run):
        for write in op.writes():
            if write.batch or condition_of(write, op.context).requires_existence():
                continue
            if write.kind in (CallKind.UPDATE, CallKind.DELETE):
                hit = _upsert(run, op, write)
            elif write.kind is CallKind.PUT:
                hit = _default_item(run, op, write)
            else:
                hit = None
            if hit is not None:
                yield Found(hit, op.endpoint, write.event)


def _upsert(run: RunView, op: Operation, write: DbCall) -> Hit | None:
    if write.model is not None and reads_of(item_of(write) or Value()):
        return None  # a PynamoDB instance the operation read: it existed
    if (write.event.args.get("ReturnValues") or Value()).text == "ALL_OLD":
        return None
    key = key_of(write, op.context)
    trace = client_key(key) if key else None
    if trace is None or _read_first(run, op, write) or _needs_item(write) or _initialises(write):
        return None
    if key and _tally(write, key):
        return None
    if write.kind is CallKind.UPDATE:
        what = "creates the item when the key is new: a phantom with only the updated attributes"
        confidence = None
    else:
        # NOTE: many APIs make DELETE idempotent on purpose (204 for a missing item); the
        # phantom update is the data corruption, the silent delete a contract question.
        what = "succeeds whether or not the item existed"
        confidence = Confidence.MEDIUM
    message = f"{write.api} by a client-chosen key has no existence condition, so it {what}"
    return Hit(RULE, write.site, message, trace, confidence)


def _needs_item(write: DbCall) -> bool:
    """An update whose expression reads a stored attribute fails on a missing item itself."""
    return any(a.needs_item for a in _assignments(write))


def _initialises(write: DbCall) -> bool:
    """An update that gives a new item its defaults (``SET name = if_not_exists(name, :n)``)
    creates it on purpose: an upsert, not a phantom."""
    return any(a.initialises for a in _assignments(write))


_TALLY_WORDS = frozenset(
    {"summary", "summaries", "counter", "counters", "count", "counts", "stats", "statistics",
     "totals", "aggregate", "aggregates", "metrics", "tally"}
)  # fmt: skip


def _tally(write: DbCall, key: dict[str, Value]) -> bool:
    """Only ``ADD n :d`` to an item whose key text names a counter bucket
    (``SUMMARY#DATE#{day}``): the first add creates the bucket by design, unlike ``ADD likes``
    on a post the client names."""
    assignments = _assignments(write)
    if not assignments or not all(a.arithmetic for a in assignments):
        return False
    return any(
        not words(text).isdisjoint(_TALLY_WORDS)
        for value in key.values()
        for text in prefixes(value)
    )


def _assignments(write: DbCall) -> list[Assignment]:
    text = (write.event.args.get("UpdateExpression") or Value()).text
    return parse_update(text, names_of(write)) if text else []


def _read_first(run: RunView, op: Operation, write: DbCall) -> bool:
    """The operation read (or itself created) the item first: it exists by construction (not
    a read in the other arm of an ``if``: the write's path never passed it)."""
    for call in op.calls:
        if call.position >= write.position:
            break
        if exclusive(run, call, write):
            continue
        if call.kind in READS and same_item(op.context, call, write):
            return True
        if call.kind is CallKind.PUT and _same_key(op, call, write):
            return True
    return False


def _same_key(op: Operation, put: DbCall, write: DbCall) -> bool:
    if put.table and write.table and put.table != write.table:
        return False
    put_key, key = key_of(put, op.context), key_of(write, op.context)
    if put_key is None:
        item = item_of(put) or Value()
        put_key = {n: item.fields[n] for n in key or {} if n in item.fields}
    return bool(key) and all(
        compatible(v, put_key[n], None) for n, v in (key or {}).items() if n in put_key
    )


def _default_item(run: RunView, op: Operation, write: DbCall) -> Hit | None:
    """A read-modify-write put that also runs when the read found nothing."""
    found = read_modify_write(op, write)
    if found is None:
        return None
    read, trace = found
    if read.kind is not CallKind.GET or read.api.startswith("Model.") or op.checked(read, write):
        return None
    facts = control.facts(run.project, read.site.path, read.site.function)
    if facts is not None and (read.site.line, read.site.col) in facts.strict:
        return None  # resp['Item'] raises on a missing item before the write
    message = (
        f"{write.api} writes an item even when {read.api} found none, "
        "with no existence condition: a missing or deleted item is created with defaults"
    )
    return Hit(RULE, write.site, message, trace)
