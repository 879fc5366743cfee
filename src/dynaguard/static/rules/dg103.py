"""DG103: a server-controlled attribute is set from request data."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dynaguard.catalogue.dg103 import OWNERSHIP, RULE, SERVER_CONTROLLED, normalise
from dynaguard.model import Endpoint
from dynaguard.static.facts.flows import ANY, client, origin
from dynaguard.static.facts.handlers import AuthFacts, Handler, handlers
from dynaguard.static.facts.run import RunView
from dynaguard.static.flow.accesses import is_fresh
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import EMPTY, Value
from dynaguard.static.models import expressions, graphql
from dynaguard.static.models.identity import is_identity
from dynaguard.static.rules.base import Found, Hit, check_run
from dynaguard.static.source.words import words

_ALWAYS = frozenset(normalise(n) for n in SERVER_CONTROLLED)
_ON_CREATE = frozenset(normalise(n) for n in OWNERSHIP)
_KEYS = frozenset({"pk", "sk"})
_GRANTS = frozenset(
    normalise(n)
    for n in ("role", "roles", "is_admin", "admin", "is_superuser", "is_staff", "permissions")
)
"""What an admin operation grants: privileges, set from the admin's request by design."""
"""Key attributes among the ownership ones: they name the item, they do not say whose it is."""
_CLAUSE = re.compile(r"\b(SET|ADD|REMOVE|DELETE)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r":[A-Za-z0-9_]+")


_USER_NAMES = frozenset(normalise(n) for n in ("username", "user_name", "user", "author"))
"""Attributes naming a user: on a new item under a server-generated key (a run, a post) they
say whose the item is; as the key itself (a user's own item) they only name it."""


def _privileged(name: str, op: Op, source: str, *, fresh_item: bool = False) -> bool:
    key = normalise(name)
    if key in _ALWAYS:
        return True
    owner = key in _ON_CREATE or (fresh_item and key in _USER_NAMES)
    return op is Op.PUT and owner and source in ("body", "declared")


@check_run(RULE)
def server_attributes(run: RunView) -> Iterator[Found]:
    # An operation that checks the caller's role is an admin's: granting roles and permissions
    # from what the admin sends is what it is for (timestamps and versions stay the server's).
    admin = {e for h in handlers(run) if _checks_role(h) for e in h.endpoints}
    claiming = {e: h.auth for h in handlers(run) if h.auth.claimed for e in h.endpoints}
    # ``def signup()`` on ``POST /users/new``: a sign-up by its handler's name, not its path.
    signing_up = {e for h in handlers(run) if not h.words.isdisjoint(_SIGNUP) for e in h.endpoints}
    # The events keep only the attributes that carry request data or fresh ids, apart: which
    # puts also write a generated id (a new item, whose user-naming attribute is its owner).
    fresh = {
        (e.site.path, e.site.line, e.site.col)
        for e, _ in run.events()
        if e.op is Op.PUT
        and any(is_fresh(v) for v in (e.args.get("Item") or EMPTY).fields.values())
    }
    for event, endpoint in run.events():
        auth = claiming.get(endpoint) if endpoint is not None else None
        created = auth is not None and _claimed_partition(event, auth)
        new_item = (event.site.path, event.site.line, event.site.col) in fresh
        for hit in server_attribute(event, fresh_item=new_item):
            if endpoint in admin and normalise(hit.detail) in _GRANTS:
                continue
            if created and normalise(hit.detail) in _KEYS:
                continue  # keys under the partition this request created (a sign-up's items)
            signup = endpoint is not None and (_signup(endpoint) or endpoint in signing_up)
            if signup and _ownership(hit.detail):
                continue  # a sign-up names the new account itself: its own id, not another's
            yield Found(hit, endpoint, event)


def _claimed_partition(event: Event, auth: AuthFacts) -> bool:
    """The put's partition key is a name the request registered or created first."""
    item = event.args.get("Item") if event.op is Op.PUT else None
    fields = item.fields.items() if item is not None else ()
    return any(normalise(name) == "pk" and auth.claims(value) for name, value in fields)


def _checks_role(handler: Handler) -> bool:
    """A role check in the handler itself or its decorators (a helper's test of role *values*,
    such as "does the requested role exist", is no check of the caller)."""
    role = handler.auth.role
    return role is not None and (role.note == "decorator" or role.function == handler.func.qualname)


def server_attribute(event: Event, *, fresh_item: bool = False) -> Iterator[Hit]:
    if event.op is Op.PUT:
        item = event.args.get("Item") or EMPTY
        own = _created_keys(event)
        named = _names_own_item(item, own)
        inside = _server_partition(item)
        # Keyed by a user-naming attribute, the new item is a user's (or persona's) own record:
        # its other user-naming attributes describe it, they do not say whose it is.
        user_record = not own.isdisjoint(_ON_CREATE | _USER_NAMES)
        for hit in _fields(event, item, fresh_item=fresh_item and not user_record):
            key = normalise(hit.detail)
            if named and (key in _KEYS or key in own):
                continue  # the key of an item the put only creates: it names it
            if not (inside and key == "sk"):
                yield hit
    elif event.op is Op.UPDATE:
        yield from _fields(event, event.args.get("AttributeUpdates") or EMPTY)
        yield from _fields(event, event.args.get("actions") or EMPTY)
        yield from _update_expression(event)


_SIGNUP = frozenset({"signup", "register", "registration", "enroll", "enrol", "createaccount"})


def _signup(endpoint: Endpoint) -> bool:
    """A route that creates an account: ``POST /signup``, ``/users/register``, a GraphQL
    ``registerTenant`` mutation..."""
    return endpoint.method in ("POST", graphql.METHOD) and any(
        not words(segment).isdisjoint(_SIGNUP) for segment in endpoint.path.split("/")
    )


def _server_partition(item: Value) -> bool:
    """No partition key carries request data (the events rules read keep only the fields that
    do): a client-chosen sort key then only names an item inside the server's partition, and
    whether it overwrites one is DG402's question."""
    return all(client(v, *ANY) is None for n, v in item.fields.items() if normalise(n) == "pk")


def _names_own_item(item: Value, created: frozenset[str]) -> bool:
    """A client-chosen key that cannot reach another's item: the put only creates
    (``attribute_not_exists``), or the item's owner or partition is the caller."""
    if any(is_identity(v) for n, v in item.fields.items() if normalise(n) in _ON_CREATE):
        return True
    return bool(created)


def _created_keys(event: Event) -> frozenset[str]:
    """The attributes the put's condition requires absent (normalised): the new item's key."""
    condition = event.args.get("ConditionExpression")
    text = condition.text if condition is not None else None
    return frozenset(normalise(n) for n in expressions.created(text or "", event.attribute_names))


def _ownership(name: str) -> bool:
    key = normalise(name)
    return (key in _ON_CREATE or key in _USER_NAMES) and key not in _ALWAYS


def _fields(event: Event, item: Value, *, fresh_item: bool = False) -> Iterator[Hit]:
    for name in sorted(item.fields):
        found = client(item.fields[name], *ANY)
        if found is None:
            continue
        if not _privileged(name, event.op, found[1][0].origin, fresh_item=fresh_item):
            continue
        trace = found[1]
        message = f"server-controlled attribute '{name}' is set from {origin(trace)} in {event.api}"
        yield Hit(RULE, trace[-1], message, trace, detail=name)


def assignments(expression: str, names: dict[str, str]) -> list[tuple[str, list[str]]]:
    """``(attribute, placeholders)`` for each absolute SET action of an update expression.

    NOTE: a delta applied to the stored value (``ADD balance :d``, ``SET n = n - :d``) is an
    operation the API offers, not the client choosing the attribute's value; an unchecked delta
    is DG301's (no range validation), so it is left out here.
    """
    out: list[tuple[str, list[str]]] = []
    pieces = _CLAUSE.split(expression)
    for clause, body in zip(pieces[1::2], pieces[2::2], strict=False):
        if clause.upper() != "SET":
            continue
        for action in _split_top(body):
            head, _, values = action.partition("=")
            words = head.split()
            if not words:
                continue
            attribute = re.split(r"[.\[]", words[0])[0]
            if _refers_to(values, attribute):
                continue
            out.append((names.get(attribute, attribute), _PLACEHOLDER.findall(values)))
    return out


def _refers_to(values: str, attribute: str) -> bool:
    """Whether a SET's right-hand side reads the attribute it sets (a relative update)."""
    return re.search(rf"(?<![\w#:]){re.escape(attribute)}(?!\w)", values) is not None


def _split_top(body: str) -> list[str]:
    """Split on commas outside parentheses (``if_not_exists(a, :z)`` stays whole)."""
    parts, depth, current = [], 0, ""
    for char in body:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _update_expression(event: Event) -> Iterator[Hit]:
    text = (event.args.get("UpdateExpression") or EMPTY).text
    if not text:
        return
    values = event.args.get("ExpressionAttributeValues") or EMPTY
    for attribute, placeholders in assignments(text, event.attribute_names):
        for placeholder in placeholders:
            found = client(values.fields.get(placeholder), *ANY)
            if found is not None and _privileged(attribute, event.op, found[1][0].origin):
                trace = found[1]
                message = f"server-controlled attribute '{attribute}' is set from {origin(trace)} in {event.api}"
                yield Hit(RULE, trace[-1], message, trace, detail=attribute)
                break
