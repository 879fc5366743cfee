"""DG203: a route reads or changes items by a client-supplied key with no authentication at all."""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg203 import RULE
from dynaguard.static.facts.flows import origin
from dynaguard.static.facts.handlers import handlers, login_route
from dynaguard.static.facts.keys import is_write, key_fields, request_trace, table_label
from dynaguard.static.facts.run import RunView
from dynaguard.static.flow.events import Op
from dynaguard.static.flow.values import join_all
from dynaguard.static.rules.base import Found, Hit, check_run


@check_run(RULE)
def unauthenticated(run: RunView) -> Iterator[Found]:
    for handler in handlers(run):
        # A login, token or sign-up route is public by design; creates (puts) pick no item.
        if handler.auth.authenticated is not None or login_route(handler):
            continue
        for access in handler.accesses:
            event = access.event
            trace = request_trace(join_all(list(key_fields(event).values())))
            if event.op is Op.PUT or trace is None:
                continue
            verb = "changes" if is_write(event) else "reads"
            message = (
                f"{event.api} {verb} items of {table_label(event)} chosen by {origin(trace)}, and "
                "nothing authenticates the caller (no auth decorator, before_request hook or "
                "identity check)"
            )
            hit = Hit(RULE, handler.site, message, trace)
            yield Found(hit, handler.endpoint(is_write(event)), event)
            break
