"""DG501: several writes for one operation with no transaction.

Per operation (route handler plus helpers): the writes that can all run in one execution - two
calls in exclusive branches (``if``/``else``, a ``try`` body and its handler, a branch that always
returns) are alternatives, not a sequence. A ``transact_write_items`` call is one write whatever
it holds; each ``batch_writer()`` call site and each ``batch_write_item`` is one write, except a
``batch_write_item`` whose request list literal holds several items (used as one change). One
put in a loop (a bulk import of independent items) is one write site: not reported on its
own, nor is a bulk update or delete of the items a client lists (each answered on its own) or
of what a scan swept up (independent items, e.g. expired sessions);
an update or delete in a loop over items read before, or a batch of puts of read copies under
their own keys, changes the related items of one thing one by one (a cascade, a rename copied into every
related item, a basket emptied) and is reported, through a ``batch_writer`` too: its requests
succeed or fail one by one.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg501 import RULE
from dynaguard.static.facts.keys import key_fields, request_trace
from dynaguard.static.facts.operations import (
    CallKind,
    DbCall,
    Operation,
    exclusive,
    leading_to,
    operations,
)
from dynaguard.static.facts.run import RunView
from dynaguard.static.flow import control
from dynaguard.static.flow.accesses import reads_of
from dynaguard.static.flow.returns import has_stored
from dynaguard.static.flow.values import EMPTY, Value, join_all
from dynaguard.static.rules.base import Found, Hit, check_run


@check_run(RULE)
def non_atomic(run: RunView) -> Iterator[Found]:
    for op in operations(run):
        units = _units(op)
        pair = _pair(run, units)
        if pair is not None:
            yield Found(_hit(*pair, len(units)), op.endpoint, pair[1].event)
            continue
        for unit in units:
            if unit.kind is CallKind.BATCH_WRITE and _items(run, unit) > 1:
                yield Found(_batch_hit(unit), op.endpoint, unit.event)
            if _cascade(op, unit) and _looped(run, unit):
                yield Found(_loop_hit(unit), op.endpoint, unit.event)
                break


def _units(op: Operation) -> list[DbCall]:
    """One write per call site chain: a transaction's parts share their call."""
    seen: set[tuple[tuple[str, int, int], ...]] = set()
    out = []
    for call in op.writes():
        key = tuple((s.path, s.line, s.col) for s in call.chain)
        if key not in seen:
            seen.add(key)
            out.append(call)
    return out


def _pair(run: RunView, units: list[DbCall]) -> tuple[DbCall, DbCall] | None:
    for index, second in enumerate(units):
        for first in units[:index]:
            if not exclusive(run, first, second):
                return first, second
    return None


_CHANGES = (CallKind.UPDATE, CallKind.DELETE)


def _cascade(op: Operation, unit: DbCall) -> bool:
    """The key comes from items read before (the related items of one thing, changed one by
    one, directly or through a ``batch_writer``, which is no more atomic); a key from the
    client's list is a bulk request of independent items, each answered. A batch of puts changes
    items read before when it writes read copies back under their own keys."""
    if unit.kind in _CHANGES:
        key = unit.event.args.get("Key") or EMPTY
        stored = any(has_stored(v) for v in (key, *key.fields.values()))
        return stored and not _listed(op, key) and not _swept(op, key)
    if unit.kind is CallKind.PUT and unit.batch:
        # NOTE: plain puts of read copies in a loop are often each item's own refresh (a derived
        # value recomputed on read); gathered in one batch, they are one change of those items.
        item = unit.event.args.get("Item") or EMPTY
        return _rewrites(op, unit) and not _listed(op, item)
    return False


def _listed(op: Operation, value: Value) -> bool:
    """Every read the value comes from fetched one item by a key the client gave (each id of
    the client's list, looked up one by one): a bulk request of independent items, not the
    related items of one thing that a query or scan returns."""
    reads = _reads(op, value)
    return bool(reads) and all(
        r is not None
        and r.kind is CallKind.GET
        and request_trace(join_all(list(key_fields(r.event).values()))) is not None
        for r in reads
    )


def _reads(op: Operation, value: Value) -> list[DbCall | None]:
    """The reads whose data the value holds (None: one the operation does not make)."""
    return [op.read(p) for p in reads_of(value)]


def _swept(op: Operation, value: Value) -> bool:
    """Every read the value comes from is a scan of the table: a sweep over independent items
    (expired sessions deleted one by one), not the related items of one thing."""
    reads = _reads(op, value)
    return bool(reads) and all(r is not None and r.kind is CallKind.SCAN for r in reads)


def _rewrites(op: Operation, unit: DbCall) -> bool:
    """``put_item(Item=item)`` of an item read before: every key attribute is the read one
    (a field left as read, or set from stored data). A new item built from read values
    (an order line per basket line) has a key of its own and is not a rewrite."""
    item = unit.event.args.get("Item") or EMPTY
    names = op.context.key_names(unit)
    if not names:
        return has_stored(item) and not item.fields  # the read item itself, passed on whole
    return all(has_stored(item.fields.get(name, item)) for name in names)


def _looped(run: RunView, unit: DbCall) -> bool:
    """The call runs in the body of a ``for``/``while`` loop, here or in a caller."""
    for step in unit.chain:
        facts = control.facts(run.project, step.path, step.function)
        path = facts.paths.get((step.line, step.col)) if facts is not None else None
        if path and control.in_loop(path):
            return True
    return False


def _loop_hit(unit: DbCall) -> Hit:
    message = (
        f"{unit.api} runs once per element of a loop, each a separate write outside one "
        "transaction: when one fails, the items changed before it stay changed"
    )
    return Hit(RULE, unit.site, message, leading_to(unit, f"{unit.api}(...) in a loop"))


def _items(run: RunView, unit: DbCall) -> int:
    facts = control.facts(run.project, unit.site.path, unit.site.function)
    return facts.literal_lists.get((unit.site.line, unit.site.col), 0) if facts else 0


def _hit(first: DbCall, second: DbCall, count: int) -> Hit:
    more = f" ({count} writes in all)" if count > 2 else ""
    message = (
        f"{second.api} is a second write of this operation after {first.api}, "
        f"outside one transaction{more}: when it fails, "
        "the first stays applied"
    )
    first_steps = leading_to(first, f"{first.api}(...): the first write")
    second_steps = leading_to(second, "")[:-1]  # the engine adds the second call itself
    return Hit(RULE, second.site, message, (*first_steps, *second_steps))


def _batch_hit(unit: DbCall) -> Hit:
    message = (
        f"{unit.api} writes several items as one change, but a batch is not atomic: each item "
        "succeeds or fails on its own (UnprocessedItems); use transact_write_items"
    )
    return Hit(RULE, unit.site, message, ())
