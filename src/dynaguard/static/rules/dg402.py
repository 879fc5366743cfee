"""DG402: a create that can silently replace an existing item.

Per operation: a put with no condition (a) in a POST handler whose key the client chooses (a
request-derived key part and no server-generated one such as ``uuid4()``), or (b) after a read
of the same key (check-then-put: two requests can both pass the check), a ``get_item`` or a
query or scan that compares every key attribute of the put (``Attr('id').eq(card_id)``). A put
that writes back what it read is DG401's (a query or scan check whose data it does not store
is still ours); ``attribute_not_exists`` or any other condition, a PynamoDB
``VersionAttribute``, a PUT handler (replace is what PUT means) and batch writes are not reported.
A put keyed by a name the handler registered first with an identity provider that refuses
duplicates (Cognito's ``admin_create_user`` / ``sign_up``) is not reported either. The key is the table's (PynamoDB hash/range keys, or the ``Key=`` names the project uses for
the table); when unknown, the item's first attribute.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg402 import RULE
from dynaguard.model import Confidence
from dynaguard.static.facts.call_facts import condition_of, item_of, key_of, write_reads
from dynaguard.static.facts.handlers import AuthFacts, handlers
from dynaguard.static.facts.items import client_key, compatible, same_item
from dynaguard.static.facts.keys import filter_fields, key_fields, table_of
from dynaguard.static.facts.operations import CallKind, DbCall, Operation, leading_to, operations
from dynaguard.static.facts.run import RunView
from dynaguard.static.facts.tables import table_facts
from dynaguard.static.flow.accesses import is_fresh, read_param
from dynaguard.static.flow.values import Value
from dynaguard.static.rules.base import Found, Hit, check_run
from dynaguard.static.rules.dg401 import read_modify_write


@check_run(RULE)
def create_overwrites(run: RunView) -> Iterator[Found]:
    auth = {h.fn_id: h.auth for h in handlers(run)}
    for op in operations(run):
        found = auth.get(op.handler)
        for write in op.writes():
            if write.kind is not CallKind.PUT or write.batch:
                continue
            if condition_of(write, op.context).present:
                continue
            # A put that writes back what it read is DG401's; a query or scan that looked for
            # the key, whose data the put does not store, is still a check before a create.
            rewrites = read_modify_write(op, write) is not None
            hit = _check_then_put(op, write, gets=not rewrites)
            if hit is None and not rewrites:
                hit = _client_key(op, write, found)
            if hit is not None:
                yield Found(hit, op.endpoint, write.event)


def _check_then_put(op: Operation, write: DbCall, *, gets: bool) -> Hit | None:
    stored = write_reads(write)
    for read in op.calls:
        if read.position > write.position or read_param(read.site) in stored:
            continue
        if read.kind is CallKind.GET:
            if not gets or not same_item(op.context, read, write):
                continue
        elif read.kind not in (CallKind.QUERY, CallKind.SCAN) or not _pins_key(op, read, write):
            continue
        message = (
            f"check-then-put: {read.api} checks the item, then "
            f"{write.api} writes it with no attribute_not_exists condition; two requests can both "
            "pass the check and the second silently replaces the first"
        )
        return Hit(RULE, write.site, message, leading_to(read, f"{read.api}(...) checks the item"))
    return None


def _pins_key(op: Operation, read: DbCall, write: DbCall) -> bool:
    """A query or scan that compares every key attribute of the put with a value it can hold:
    it looks for that very item."""
    if read.table and write.table and read.table != write.table:
        return False
    key = key_of(write, op.context) or _first_attribute(write)
    compared = {**key_fields(read.event), **filter_fields(read.event)}
    return bool(key) and all(
        name in compared and compared[name].text is None and compatible(compared[name], v, None)
        for name, v in (key or {}).items()
    )


def _client_key(op: Operation, write: DbCall, auth: AuthFacts | None) -> Hit | None:
    if not op.creates:
        return None
    key = key_of(write, op.context)
    # NOTE: with no key schema known, the item's first attribute stands for its key: a put must
    # carry the whole key, and code writes the key first; a guess, so medium confidence.
    confidence = None if key else Confidence.MEDIUM
    # A PynamoDB model declares its key: no guess when the item does not show it.
    if key is None and not (write.model is not None and op.context.key_names(write)):
        key = _first_attribute(write)
    trace = client_key(key) if key else None
    if key is None or trace is None:
        return None
    if auth is not None and any(auth.claims(v) for v in key.values()):
        return None  # a name refused when taken (Cognito, a create-only put) is this request's
    if _key_only(op, write, key):
        return None  # items of this table are their key (a link between two ids): no loss
    names = ", ".join(sorted(key))
    message = (
        f"{write.api} creates an item under a client-chosen key ({names}) with no "
        "attribute_not_exists condition: a second create with the same key silently replaces it"
    )
    return Hit(RULE, write.site, message, trace, confidence)


def _key_only(op: Operation, write: DbCall, key: dict[str, Value]) -> bool:
    """Every write the project makes to the table writes only these key attributes: replacing
    an item with the same key changes nothing (a follower link, a membership)."""
    table = table_of(write.event)
    written = table_facts(op.context.analyzer).written.get(table or "", set())
    return bool(table) and bool(written) and written <= set(key)


def _first_attribute(write: DbCall) -> dict[str, Value] | None:
    """With no key schema known: the item's first attribute, unless a fresh id is in the item."""
    item = item_of(write)
    if item is None or not item.fields or any(is_fresh(v) for v in item.fields.values()):
        return None
    name, value = next(iter(item.fields.items()))
    return None if name == "*" else {name: value}  # "*": keys from a comprehension, unknown
