"""DG801: responses carrying sensitive attributes (password, hash, secret, token, API key...).

A passive check on every response of the scan (schemathesis' ``after_response``), plus a task per
read operation so read-only scans see them too. Proof is the response itself: the attribute is
there with a non-empty value the scan did not plant. Login and token endpoints answer with a
token by design and are left out; writes only count for password-like names (an API-key create
that shows the new key once is a design, a user create that echoes the password hash is not).
"""

from __future__ import annotations

import re
from typing import Any

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.markers import walk
from dynaguard.dynamic.objects import own
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.sensitive import is_sensitive_name, normalise
from dynaguard.dynamic.spec.operations import Operation

_AUTH_PATH = re.compile(
    r"(^|/)(auth|login|logout|token|tokens|oauth2?|session|sessions|signin|sign-in)(/|$)", re.I
)
_PASSWORDISH = ("password", "passwd", "hash", "pwd", "salt", "secret")


def _targets(api: ApiModel) -> list[Target]:
    return [
        Target(op, api.resource_of(op))
        for op in api.operations
        if op.method == "GET" and not _excluded(op, ())
    ]


@probe(
    name="exposure",
    proves=("DG801",),
    writes=False,
    summary="sensitive attributes in responses (also checked passively on every response)",
    targets=_targets,
    phase=1,
)
def exposure(ctx: ProbeContext, target: Target) -> None:
    op, resource = target.operation, target.resource
    for session in (*ctx.sessions.users[:1], *ctx.sessions.admins[:1]):
        if (
            resource is not None
            and op is resource.read
            and resource.id_param
            and ctx.sessions.users
        ):
            values = own(ctx, resource, ctx.sessions.owner()).values
        else:
            values = ctx.path_values(op, session)
        check(ctx, op, ctx.call(session, op, path=values))


def watch(ctx: ProbeContext) -> None:
    """Check every response of the scan from now on."""
    by_key = {op.key: op for op in ctx.api.operations}

    def hook(call: Call) -> None:
        op = by_key.get(call.operation)
        if op is not None:
            check(ctx, op, call)

    ctx.http.on_call(hook)


def check(ctx: ProbeContext, op: Operation, call: Call) -> None:
    logins = tuple(i.login.path for i in ctx.options.identities if i.login is not None)
    if not call.ok or _excluded(op, logins):
        return
    names = sensitive_attributes(call.json(), ctx, writes=op.writes)
    if names:
        ctx.prove(
            "DG801",
            op,
            f"{op.key} returned sensitive attributes to {call.request.identity}: {', '.join(names)}",
            [(call, "values redacted here; the API sent them in clear")],
        )


def sensitive_attributes(document: Any, ctx: ProbeContext, *, writes: bool) -> list[str]:
    found = []
    for path, value in walk(document):
        name = re.split(r"[.\[]", path.rsplit(".", 1)[-1])[0] if path else ""
        if not name or not is_sensitive_name(name) or not isinstance(value, str):
            continue
        if not value.strip() or ctx.markers.owns(value) or set(value) <= {"*", "x", "X", "•"}:
            continue
        if writes and not any(stem in normalise(name) for stem in _PASSWORDISH):
            continue
        if name not in found:
            found.append(name)
    return found


def _excluded(op: Operation, logins: tuple[str, ...]) -> bool:
    return op.path in logins or is_auth_path(op.path)


def is_auth_path(path: str) -> bool:
    """Login, token and session endpoints: they hand out credentials by design."""
    return bool(_AUTH_PATH.search(path))
