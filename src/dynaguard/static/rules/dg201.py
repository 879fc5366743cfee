"""DG201: BOLA, an item selected by a request value that nothing ties to the caller.

Per authenticated route handler with no role check, the first access (in the handler or its
helpers) whose key comes from the request, where the key holds no identity, no condition or
filter on the identity applies, and the request value is not compared with the identity (nor
the item it fetched, nor passed to an access check that denies). One finding per handler.

- An owner attribute (``owner``, ``user_id``... or one the project fills with the identity)
  chosen by the client: high confidence. A put is reported when the owner comes from the path
  or query (from the body it is DG103's). A read of a user's own item by its single-attribute
  key (``GET /users/<username>`` reading the profile) is a directory read, not reported; a
  body-named owner next to the caller's own item is a counterparty (a transfer), not reported.
  A scan filtered on an owner attribute by a request value selects that owner's items too.
- An opaque id (``record_id``, PynamoDB ``Model.get(id)``) of a table the project stores the
  identity in: medium confidence, for writes, and for reads whose whole item is returned.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg201 import RULE
from dynaguard.model import Confidence
from dynaguard.static.facts.flows import origin
from dynaguard.static.facts.handlers import Handler, handlers
from dynaguard.static.facts.keys import (
    filter_fields,
    identity_scoped,
    is_query,
    is_scan,
    is_write,
    item_fields,
    key_fields,
    owner_like,
    request_trace,
    table_label,
    table_of,
)
from dynaguard.static.facts.responses import whole_reads
from dynaguard.static.facts.run import RunView
from dynaguard.static.facts.tables import TableFacts, role_writes, table_facts
from dynaguard.static.flow.accesses import read_param
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import Step, Trace, Value, join_all
from dynaguard.static.models.identity import mentions_identity
from dynaguard.static.rules.base import Found, Hit, check_run

_ASKED = ("route", "query")


_SIGN_IN = frozenset(
    {"login", "signin", "signup", "register", "logout", "token", "tokens", "oauth", "callback"}
)
"""Route words of a login or sign-up (not a password change: that one is about an account)."""


@check_run(RULE)
def bola(run: RunView) -> Iterator[Found]:
    facts = table_facts(run.analyzer)
    for handler in handlers(run):
        if handler.auth.authenticated is None or handler.auth.role is not None:
            continue  # no authentication at all is DG203; a role check is deliberate access
        if handler.admin:
            continue  # an admin operation needs a role check, not an owner: DG202
        if handler.words & _SIGN_IN:
            continue  # a login or sign-up looks the account up by what the client says it is
        for access in handler.accesses:
            if role_writes(access.event):
                break  # granting a role to another user is DG202's
            # Where the access runs in the handler (its call site when a helper makes it).
            at = access.via[0] if access.via else access.event.site
            verdict = _verdict(handler, access.event, facts, at)
            if verdict is not None:
                trace, attribute, confidence = verdict
                yield _found(handler, access.event, trace, attribute, confidence)
                break


def _verdict(
    handler: Handler, event: Event, facts: TableFacts, at: Step
) -> tuple[Trace, str, Confidence | None] | None:
    if identity_scoped(event):
        return None
    owners = facts.owner_names
    if event.op is Op.PUT:
        picked = {n: v for n, v in item_fields(event).items() if owner_like(n, owners)}
        picked = {n: v for n, v in picked.items() if _origin(v) in _ASKED}
    elif is_scan(event):  # ``scan(FilterExpression=Attr('owner').eq(x))`` picks x's items
        picked = {n: v for n, v in filter_fields(event).items() if owner_like(n, owners)}
        picked = {n: v for n, v in picked.items() if request_trace(v) is not None}
    else:
        keys = handler.key_of(event)
        if any(mentions_identity(v) for v in keys.values()):
            return None  # an item the caller read by its own partition (PynamoDB item.update())
        picked = {n: v for n, v in keys.items() if request_trace(v) is not None}
    value = join_all(list(picked.values()))
    trace = request_trace(value)
    # A write is checked only by what runs before it; a read may be checked before its use.
    if trace is None or handler.auth.covers(value, at if is_write(event) else None):
        return None
    owned = [n for n in picked if n != "*" and owner_like(n, owners)]
    if owned:
        if _directory_read(event) or _counterparty(handler, event, picked, owned, owners):
            return None
        return trace, owned[0], None
    table = table_of(event)
    if facts.owned(table) and (is_write(event) or _returned_whole(handler, event)):
        return trace, next(iter(picked)), Confidence.MEDIUM
    if facts.records_owner(table) and not is_write(event) and _returned(handler, event):
        # An item that records its owner, fetched by its id and handed back: nothing compares
        # that owner with the caller.
        return trace, next(iter(picked)), Confidence.MEDIUM
    return None


def _origin(value: Value) -> str:
    trace = request_trace(value)
    return trace[0].origin if trace else ""


def _directory_read(event: Event) -> bool:
    """A read of one principal's own item by its only key attribute (a profile lookup)."""
    return not is_write(event) and not is_query(event) and len(key_fields(event)) == 1


def _counterparty(
    handler: Handler,
    event: Event,
    picked: dict[str, Value],
    owned: list[str],
    owners: frozenset[str],
) -> bool:
    """A body-named owner (``to_owner``) in a handler that also addresses the caller's side."""
    if any(_origin(picked[n]) in _ASKED for n in owned):
        return False
    for access in handler.accesses:
        other = access.event
        if other.site == event.site:
            continue
        for name, value in key_fields(other).items():
            if owner_like(name, owners) and (mentions_identity(value) or _origin(value) in _ASKED):
                return True
    return False


def _returned(handler: Handler, event: Event) -> bool:
    """The read's item goes back whole or as several of its attributes (one chosen attribute,
    a memo, is not the item)."""
    param = read_param(event.site)
    if param is None:
        return False
    if any(param in whole_reads(v) for v in handler.returns.values()):
        return True
    fields = [f for v in handler.returns.values() for f in v.fields.values()]
    return sum(any(p == param for p, _ in f.labels) for f in fields) > 1


def _returned_whole(handler: Handler, event: Event) -> bool:
    param = read_param(event.site)
    return param is not None and any(param in whole_reads(v) for v in handler.returns.values())


def _found(
    handler: Handler, event: Event, trace: Trace, attribute: str, confidence: Confidence | None
) -> Found:
    verb = "changes" if is_write(event) else "reads"
    where = (
        "of the item" if event.op is Op.PUT else "in the filter" if is_scan(event) else "in the key"
    )
    chosen = "" if attribute == "*" else f" ('{attribute}' {where})"
    message = (
        f"{event.api} {verb} an item of {table_label(event)} chosen by {origin(trace)}{chosen}: "
        "the key is not derived from the identity and no ownership check guards it"
    )
    hit = Hit(RULE, event.site, message, trace, confidence)
    return Found(hit, handler.endpoint(is_write(event)), event)
