"""DG203: a route reads or changes items by a client-supplied key with no authentication at all."""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg203 import RULE
from dynaguard.model import Endpoint
from dynaguard.static.facts.call_facts import condition_of, item_of
from dynaguard.static.facts.flows import origin
from dynaguard.static.facts.handlers import (
    AuthFacts,
    Handler,
    handlers,
    login_route,
    variable_segment,
)
from dynaguard.static.facts.keys import (
    filter_fields,
    is_scan,
    is_write,
    key_fields,
    owner_like,
    request_trace,
    table_label,
)
from dynaguard.static.facts.operations import CallKind, Context, DbCall, run_context
from dynaguard.static.facts.run import RunView
from dynaguard.static.facts.tables import table_facts
from dynaguard.static.flow import dispatch
from dynaguard.static.flow.accesses import is_fresh
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import EMPTY, REQUEST, Trace, Value, join_all
from dynaguard.static.models import expressions
from dynaguard.static.rules.base import Found, Hit, check_run
from dynaguard.static.source.words import words


@check_run(RULE)
def unauthenticated(run: RunView) -> Iterator[Found]:
    for handler in handlers(run):
        # A login, token or sign-up route is public by design. A put under a client-chosen key
        # replaces whatever item had that key: it changes an item the client picked.
        if handler.auth.authenticated is not None or handler.auth.unseen:
            continue
        dispatching = any(a.event.args.get(dispatch.ROUTES) for a in handler.accesses)
        if not dispatching and login_route(handler):
            continue
        signs_up: bool | None = None
        owners = table_facts(run.analyzer).owner_names
        told: set[Endpoint] = set()
        for access in handler.accesses:
            event = access.event
            # One finding per handler; per route when it serves several and dispatches itself.
            served = set(dispatch.endpoints(event.args.get(dispatch.ROUTES)))
            guarded = run.guarded.get(handler.fn_id, set())
            if served and (served <= told | guarded or login_route(handler, served)):
                continue
            trace = _chosen_by_client(event, run_context(run), owners)
            if trace is None:
                continue
            if event.op is Op.PUT and signs_up is None:
                signs_up = _creates_account(handler)
            if event.op is Op.PUT and signs_up:
                continue  # a sign-up: the new account's name is the client's to choose
            if event.op is Op.PUT and _in_claimed(event, run_context(run), handler.auth):
                continue  # under a name this request registered or created first
            if any(_account_collection(e) for e in handler.endpoints):
                break  # ``POST /users``: a sign-up checks and creates the name the client picks
            verb = "changes" if is_write(event) else "reads"
            message = (
                f"{event.api} {verb} items of {table_label(event)} chosen by {origin(trace)}, and "
                "nothing authenticates the caller (no auth decorator, before_request hook or "
                "identity check)"
            )
            hit = Hit(RULE, handler.site, message, trace)
            yield Found(hit, handler.endpoint(is_write(event)), event)
            told |= served
            if not served or told >= set(handler.endpoints):
                break


def _chosen_by_client(event: Event, context: Context, owners: frozenset[str]) -> Trace | None:
    """The request flow into the key the access selects (a put: the key attributes of the item
    it writes, each a field of its own or part of a whole request mapping, ``Model(**data)``; a
    scan: the owner or id attributes its filter compares, ``Attr('listId').eq(list_id)``)."""
    if is_scan(event):
        chosen = [v for n, v in filter_fields(event).items() if _selecting(n, owners)]
        return request_trace(join_all(chosen))
    if event.op is not Op.PUT:
        keys = key_fields(event)
        if keys and all(_NONCES & words(name) for name in keys):
            return None  # the client's own request id, looked up to replay its answer
        return request_trace(join_all(list(keys.values())))
    return _put_chosen(event, context, owners)


_NONCES = frozenset({"idempotency", "idempotent", "nonce", "dedup", "deduplication"})
"""Words of a key that a client makes up for its own request (``idempotencyKey``): reading by
it finds that client's earlier attempt, not an item of someone else it picked."""


def _put_chosen(event: Event, context: Context, owners: frozenset[str]) -> Trace | None:
    call = DbCall(event, (), CallKind.PUT, 0)
    item = item_of(call)
    if item is None or condition_of(call, context) is not expressions.NONE:
        return None  # a conditional put creates, or replaces only what it expects: no takeover
    whole = next((t for (p, _), t in item.labels.items() if p == REQUEST), None)
    names = context.key_names(call)
    # A key with a part the server generates (``uuid4()``) names a new item, never the client's
    # pick; with no key schema known, a generated attribute in the item stands for the key.
    keys = [item.fields[n] for n in names if n in item.fields] if names else item.fields.values()
    if any(is_fresh(v) for v in keys):
        return None  # an owner the client names on such a create is DG103's
    return whole if not names else _key_trace(item, names, whole)


def _in_claimed(event: Event, context: Context, auth: AuthFacts) -> bool:
    """A key attribute of the put is a name the request registered first (with Cognito, or by
    a create-only put): the item lies in the space the request itself created."""
    if not auth.claimed:
        return False
    call = DbCall(event, (), CallKind.PUT, 0)
    item = item_of(call) or EMPTY
    names = context.key_names(call) or tuple(item.fields)[:1]
    return any(auth.claims(item.fields.get(name, EMPTY)) for name in names)


def _selecting(attribute: str, owners: frozenset[str]) -> bool:
    """A filter attribute that picks items as a key would: whose they are (``owner``) or an id
    (``listId``, ``card_id``); a filter on ``category`` or ``status`` only narrows a listing."""
    return owner_like(attribute, owners) or "id" in words(attribute)


def _key_trace(item: Value, names: tuple[str, ...], whole: Trace | None) -> Trace | None:
    for name in names:
        field = item.fields.get(name)
        trace = request_trace(field) if field is not None else whole
        if trace is not None:
            return trace
    return None


_ACCOUNTS = frozenset({"user", "users", "account", "accounts", "member", "members", "customer",
                       "customers", "profile", "profiles"})  # fmt: skip


def _creates_account(handler: Handler) -> bool:
    """``POST /users``, ``POST /accounts/...``: creating an account is public by design."""
    return any(
        e.method == "POST"
        and any(not _ACCOUNTS.isdisjoint(words(part)) for part in e.path.split("/") if part)
        for e in handler.endpoints
    )


def _account_collection(endpoint: Endpoint) -> bool:
    if endpoint.method != "POST":
        return False
    last = endpoint.path.rstrip("/").rpartition("/")[2]
    return not variable_segment(last) and last.lower() in _ACCOUNTS
