"""DG202: BFLA, a privileged operation that only checks that the caller is signed in.

Per route handler with no role or permission check (decorator, ``before_request`` hook, check in
the handler or a helper it calls), report the first of:

- any DynamoDB access of an admin route (``/admin/...``, an ``admin`` handler or module);
- a ``scan`` of a table holding users' items (the project stores the identity or an owner
  attribute in it) whose whole items the handler returns, with no filter on the identity (a
  filter on an owner attribute picks some users' items: whose, is DG201's and DG203's question);
- an update that writes a role or permission attribute of an item the request selects.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg202 import RULE
from dynaguard.static.facts.handlers import Handler, handlers
from dynaguard.static.facts.keys import (
    filter_fields,
    identity_scoped,
    is_scan,
    owner_like,
    request_trace,
    table_label,
    table_of,
)
from dynaguard.static.facts.responses import whole_reads
from dynaguard.static.facts.run import RunView
from dynaguard.static.facts.tables import TableFacts, role_writes, table_facts
from dynaguard.static.flow.accesses import read_param
from dynaguard.static.flow.events import Event
from dynaguard.static.flow.values import Step, join_all
from dynaguard.static.rules.base import Found, Hit, check_run


@check_run(RULE)
def bfla(run: RunView) -> Iterator[Found]:
    facts = table_facts(run.analyzer)
    for handler in handlers(run):
        if handler.auth.role is not None or not handler.accesses:
            continue
        found = _admin_route(handler) or _listing(handler, facts) or _role_write(handler)
        if found is not None:
            yield found


def _admin_route(handler: Handler) -> Found | None:
    if not handler.admin:
        return None
    event = handler.accesses[0].event
    endpoint = handler.endpoint(event.op.writes)
    where = f"{endpoint.method} {endpoint.path}" if endpoint else handler.func.qualname
    message = (
        f"{where} is an admin operation ({event.api} on "
        f"{table_label(event)}) and nothing checks the caller's role"
    )
    return _found(handler, event, message)


def _listing(handler: Handler, facts: TableFacts) -> Found | None:
    returned = set().union(*(whole_reads(v) for v in handler.returns.values()))
    for access in handler.accesses:
        event = access.event
        if not is_scan(event) or identity_scoped(event) or read_param(event.site) not in returned:
            continue
        if any(owner_like(n, facts.owner_names) for n in filter_fields(event)):
            continue
        table = table_of(event)
        names = facts.written.get(table or "", set())
        if facts.owned(table) or any(owner_like(n, facts.owner_names) for n in names):
            message = (
                f"{event.api} lists every user's items of {table_label(event)} and returns them, "
                "with no role check and no filter on the caller"
            )
            return _found(handler, event, message)
    return None


def _role_write(handler: Handler) -> Found | None:
    for access in handler.accesses:
        event = access.event
        if identity_scoped(event):
            continue
        selected = request_trace(join_all(list(handler.key_of(event).values())))
        roles = role_writes(event)
        if selected is not None and roles:
            message = (
                f"{event.api} writes '{roles[0]}' of an item the request selects, "
                "and nothing checks the caller's role"
            )
            return _found(handler, event, message)
    return None


def _found(handler: Handler, event: Event, message: str) -> Found:
    trace = request_trace(join_all(list(event.args.values())))
    if trace is None:  # no request value: the flow starts at the handler that lacks the check
        endpoint = handler.endpoint(event.op.writes)
        where = endpoint.path if endpoint else handler.func.qualname
        site = handler.site
        trace = (Step(site.path, site.line, site.col, site.function, f"{where}: no role check"),)
    hit = Hit(RULE, event.site, message, trace)
    return Found(hit, handler.endpoint(event.op.writes), event)
