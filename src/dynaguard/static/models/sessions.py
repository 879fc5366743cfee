"""Server-side sessions: the item a request's credential selects is the caller's.

Many APIs keep their own session or API-key table instead of signed tokens: the client sends an
opaque token (``Authorization: Bearer <id>``, ``X-Api-Key``, a ``session_id`` cookie), the code
reads the item that token keys (``sessions.get_item(Key={'id': token})``) and takes the user
from it. That item is the identity as much as a verified JWT's claims are: only its holder has
the token. So is the user item read by the session's user id (``users.get_item(Key={'id':
session['user_id']})``): one hop further, and no more (items read by the identity in general
are the caller's data, not the caller).

A read counts when every value selecting its item is a header or cookie value that names a
credential (its name or the table's says token, session, auth, bearer, API key...), or a value
of such a session item. Helpers are followed through ``project_call``: a lookup helper's key is
its parameter until the call binds it to the header.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dynaguard.static.flow.accesses import Access, read_param
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.values import (
    IDENTITY,
    MAX_DEPTH,
    REQUEST,
    STORED_BASE,
    Kind,
    Step,
    Value,
)
from dynaguard.static.source.project import Project
from dynaguard.static.source.words import words

SESSION_NOTE = "the item the request's credential selects"
USER_NOTE = "the caller's item, read by its session"
_CREDENTIAL_ORIGINS = frozenset({"header", "cookie"})
_CREDENTIAL_WORDS = frozenset(
    {"authorization", "auth", "token", "tokens", "session", "sessions", "sessionid", "sid",
     "bearer", "apikey", "jwt", "credential", "credentials", "accesstoken", "authtoken"}
)  # fmt: skip
_LOOKUPS = frozenset({"get_item", "query", "get", "get_or_none", "batch_get_item"})
"""Reads that select items by key (a scan, a delete or a condition check does not)."""


def caller_item(frame: Frame, event: Event, result: Value, at: Step | None = None) -> Value:
    """What the read ``event`` returns, marked as the caller's when the request's credential (or
    the session item it selected) is its whole key; ``at`` is where that is known (the call of
    the helper that reads), the read itself by default."""
    note = _selected(event)
    if note is None:
        return result
    where = at or event.site
    step = frame.step(where.line, where.col, note, "identity")
    return _marked(result, step, 0)


def _selected(event: Event) -> str | None:
    """The note of what the read selects when the caller's credential is its key, else None."""
    if event.op is not Op.READ or event.api.rpartition(".")[2] not in _LOOKUPS:
        return None
    leaves = [v for part in _key_parts(event) for v in _leaves(part, 0)]
    if not leaves:
        return None
    table = event.args.get("@table")
    named = bool(words(table.text or "") & _CREDENTIAL_WORDS) if table is not None else False
    if all(_session_value(v) for v in leaves):
        return USER_NOTE
    if all(_credential(v, named) for v in leaves):
        return SESSION_NOTE
    return None


def _key_parts(event: Event) -> Iterator[Value]:
    for name in ("Key", "KeyConditionExpression", "Keys"):
        found = event.args.get(name)
        if found is not None:
            yield found
    condition = event.args.get("KeyConditionExpression")
    if condition is not None and condition.text:
        values = event.args.get("ExpressionAttributeValues")
        if values is not None:
            yield values


def _leaves(value: Value, depth: int) -> Iterator[Value]:
    """The labelled values a key is made of (a key dict's entries, a condition's operands)."""
    if value.labels:
        yield value
    if depth < MAX_DEPTH:
        for field in value.fields.values():
            yield from _leaves(field, depth + 1)


def _session_value(value: Value) -> bool:
    """A value of a session item (one hop: not of the user item read by it)."""
    return any(
        param == IDENTITY and any(s.note == SESSION_NOTE for s in trace)
        for (param, _), trace in value.labels.items()
    )


def _credential(value: Value, named_table: bool) -> bool:
    """A header or cookie value that is a credential: every label of it is one."""
    for (param, _), trace in value.labels.items():
        if param != REQUEST or not trace or trace[0].origin not in _CREDENTIAL_ORIGINS:
            return False
        said = frozenset().union(*(words(step.note) for step in trace))
        if not (named_table or said & _CREDENTIAL_WORDS or {"api", "key"} <= said):
            return False
    return True


def _marked(value: Value, step: Step, depth: int) -> Value:
    labels = {**value.labels, (IDENTITY, int(Kind.BODY)): (step,)}
    fields = value.fields
    if fields and depth < MAX_DEPTH:
        fields = {n: _marked(f, step, depth + 1) for n, f in fields.items()}
    return Value(labels, value.refs, fields, value.text)


def _stored_params(value: Value) -> set[int]:
    """The reads whose data the value (or one of its fields) holds, by their label param."""
    params = {p for p, _ in value.labels if p <= STORED_BASE}
    return params | {p for f in value.fields.values() for p, _ in f.labels if p <= STORED_BASE}


class Sessions(Model):
    """Follows a helper that reads by its parameter (``get_session(token)``) to the call that
    passes the credential."""

    name = "sessions"

    def answers_in(self, project: Project) -> bool:
        return True

    def project_call(
        self, frame: Frame, fn_id: str, args: Args, summary: Callable[[], Value]
    ) -> Value | None:
        value = summary()
        params = _stored_params(value)
        if not params:
            return value
        for entry in list(frame.accesses.values()):
            if (
                isinstance(entry, Access)
                and entry.via
                and entry.via[0] == args.site
                and read_param(entry.event.site) in params
            ):
                found = caller_item(frame, entry.event, value, args.site)
                if found is not value:
                    return found
        return value


MODEL = Sessions()
