"""Which item a call addresses: whether a read and a write are on the same item, and whether the
client chose a key.

Key values are compared by provenance, not by spelling: two values are the same key when both
come from the same kinds of source (the request, the identity) or one was read back from the
item itself; a fresh ``uuid4()`` is a new item; constants compare by text.
"""

from __future__ import annotations

from dynaguard.static.facts.call_facts import item_of, key_of, typed
from dynaguard.static.facts.flows import ANY, client
from dynaguard.static.facts.keys import key_fields
from dynaguard.static.facts.operations import READS, CallKind, Context, DbCall
from dynaguard.static.flow.accesses import is_fresh, read_param
from dynaguard.static.flow.values import Trace, Value, prefixes


def _params(value: Value) -> frozenset[int]:
    return frozenset(p for p, _ in value.labels if p < 0)


def _may_share_text(a: Value, b: Value) -> bool:
    """Two strings whose known beginnings (or whole texts) do not rule out that they are equal."""
    ta, tb = prefixes(a), prefixes(b)
    if not ta or not tb:
        return True
    if a.text is not None:  # a whole text against the beginnings of a built one
        return any(a.text.startswith(p) for p in tb)
    if b.text is not None:
        return any(b.text.startswith(p) for p in ta)
    return any(x.startswith(y) or y.startswith(x) for x in ta for y in tb)


def compatible(a: Value, b: Value, read: int | None) -> bool:
    """Whether two key values can be equal (unknown values can)."""
    if is_fresh(a) or is_fresh(b):
        return False
    if a.text is not None and b.text is not None:
        return a.text == b.text
    if not _may_share_text(a, b):
        return False  # ``PRODUCT#...`` and ``STOCK#...`` are never the same key
    pa, pb = _params(a), _params(b)
    if read is not None and read in (pa | pb) and (pa <= {read} or pb <= {read}):
        return True  # read back from the item: the same key by construction
    if pa and pb:
        return pa == pb
    if (a.text is None) != (b.text is None):
        return not (pa or pb)  # a constant against request or identity data: different
    return True


def same_item(context: Context, read: DbCall, write: DbCall) -> bool:
    """Whether ``write`` can address the item ``read`` returned."""
    if read.table and write.table and read.table != write.table:
        return False
    if read.kind is CallKind.QUERY:
        return _same_partition(context, read, write)
    if read.kind is not CallKind.GET:
        return read.kind in READS  # a page of items: the write addresses one of them
    read_key = key_of(read, context)
    if not read_key:
        return True
    write_key = key_of(write, context)
    if write_key is None:
        item = item_of(write) or Value()
        write_key = {n: typed(item.fields[n]) for n in read_key if n in item.fields}
    param = read_param(read.site)
    return all(compatible(v, write_key[n], param) for n, v in read_key.items() if n in write_key)


def _same_partition(context: Context, read: DbCall, write: DbCall) -> bool:
    """A query returns a page of one partition: the write addresses one of its items unless its
    key has another value where the query compares a variable (a constant is a prefix or range
    on the sort key, which says nothing)."""
    read_key = {n: v for n, v in key_fields(read.event).items() if n != "*"}
    write_key = key_of(write, context)
    if write_key is None:
        item = item_of(write) or Value()
        write_key = {n: typed(item.fields[n]) for n in read_key if n in item.fields}
    param = read_param(read.site)
    return all(
        compatible(v, write_key[n], param)
        for n, v in read_key.items()
        if n in write_key and v.text is None
    )


def client_key(key: dict[str, Value]) -> Trace | None:
    """The flow of a client-chosen part of ``key`` (None when no part is, or one is fresh)."""
    if any(is_fresh(v) for v in key.values()):
        return None
    for value in key.values():
        found = client(value, *ANY)
        if found is not None:
            return found[1]
    return None


def stored_trace(value: Value, param: int) -> Trace | None:
    """The flow of ``param``'s read data into ``value`` (or one of its fields)."""
    for (p, _), trace in value.labels.items():
        if p == param:
            return trace
    for field in value.fields.values():
        found = stored_trace(field, param)
        if found is not None:
            return found
    return None
