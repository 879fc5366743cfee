"""DG401: an item is read, changed in Python and written back with no condition (lost update).

Per operation (a route handler and the helpers it calls): a put or update whose written data
comes from a read of the same item earlier in the operation (the read's data is labelled by its
site and followed like request data), with no condition comparing a non-key attribute (a version,
the old value) or a value derived from what was read. ``ADD n :d`` and ``SET n = n + :d`` are
computed by DynamoDB, not from the read: not reported. A PynamoDB model with a
``VersionAttribute`` conditions every write itself: not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg401 import RULE
from dynaguard.model import Confidence
from dynaguard.static.facts.call_facts import condition_of, item_of, key_of, write_reads, written
from dynaguard.static.facts.flows import ANY, client
from dynaguard.static.facts.items import same_item, stored_trace
from dynaguard.static.facts.operations import (
    CallKind,
    DbCall,
    Operation,
    leading_to,
    operations,
)
from dynaguard.static.facts.run import RunView
from dynaguard.static.flow.accesses import read_param
from dynaguard.static.flow.values import Trace
from dynaguard.static.models.expressions import Kind
from dynaguard.static.rules.base import Found, Hit, check_run


@check_run(RULE)
def lost_update(run: RunView) -> Iterator[Found]:
    for op in operations(run):
        for write in op.writes():
            if write.kind in (CallKind.PUT, CallKind.UPDATE):
                found = read_modify_write(op, write)
                if found is not None and not guarded(op, write, found[0]):
                    yield Found(_hit(write, *found), op.endpoint, write.event)


def read_modify_write(op: Operation, write: DbCall) -> tuple[DbCall, Trace] | None:
    """The earlier read of the same item whose data ``write`` stores, with its flow."""
    for param in sorted(write_reads(write), reverse=True):
        read = op.read(param)
        if read is None or read.position > write.position:
            continue
        if not same_item(op.context, read, write):
            continue
        trace = _trace(write, param)
        if trace is not None:
            return read, trace
    return None


def guarded(op: Operation, write: DbCall, read: DbCall) -> bool:
    """The write's condition compares a non-key attribute, or a value it read."""
    condition = condition_of(write, op.context)
    if condition.opaque:
        return True
    # A test of the key only says the item exists; it does not notice a change in between.
    keys = set(key_of(write, op.context) or key_of(read, op.context) or {})
    return any(t.kind is Kind.COMPARE and t.attribute not in keys for t in condition.tests())


def _trace(write: DbCall, param: int) -> Trace | None:
    """The flow from the read into a written attribute (one the request does not also reach
    first, it says more), else into the whole item written."""
    entries = sorted(written(write), key=lambda e: client(e.value, *ANY) is not None)
    for entry in entries:
        if not entry.atomic:
            found = stored_trace(entry.value, param)
            if found is not None:
                return found
    item = item_of(write)
    if write.kind is CallKind.PUT and item is not None:
        return stored_trace(item, param)
    return None


def _computed(write: DbCall, param: int) -> bool:
    """A written attribute's value comes from the read (not only the whole item copied back)."""
    return any(not e.atomic and stored_trace(e.value, param) for e in written(write))


def _hit(write: DbCall, read: DbCall, trace: Trace) -> Hit:
    param = read_param(read.site)
    if param is not None and _computed(write, param):
        what, confidence = "a value computed from the item", None
    else:
        # The read copy goes back whole (PynamoDB save()): concurrent changes to the other
        # attributes are lost; often tolerated, so medium.
        what, confidence = "the whole item", Confidence.MEDIUM
    message = (
        f"{write.api} writes back {what} read by {read.api} with no "
        "condition on its version or old value: a concurrent update in between is lost"
    )
    # The flow starts where the route calls down to the read (when the read is in a helper).
    return Hit(RULE, write.site, message, (*leading_to(read, "")[:-1], *trace), confidence)
