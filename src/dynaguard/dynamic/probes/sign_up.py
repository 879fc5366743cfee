"""Sign-up (an operation that creates accounts without credentials) as a target of its own.

DG402: registering a name the scan already registered answers 2xx and the account is replaced:
the second password logs in and the first no longer does. DG502: it answers 2xx yet nothing was
written (the first password still logs in, the second does not). DG101: a property the request
schema does not allow, sent with a marker, shows in the account's own record. DG302: an invalid
sign-up body answers 5xx. Every account is the scan's own (``accounts.py``).
"""

from __future__ import annotations

from typing import Any

from dynaguard.dynamic.accounts import (
    Account,
    flow,
    is_email,
    is_password,
    is_subject,
    log_in,
    new_password,
    own_record,
    register,
    signup_body,
    signups,
    track,
)
from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.markers import contains
from dynaguard.dynamic.outcomes import Rejected
from dynaguard.dynamic.probes._mass import open_schema
from dynaguard.dynamic.probes._mutations import mutations
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.model import Severity

MAX_INVALID = 12
"""Invalid sign-up bodies sent (each may create an account)."""


def _targets(api: ApiModel) -> list[Target]:
    return [Target(op, api.resource_of(op)) for op in signups(api)[:1]]


@probe(
    name="sign-up",
    proves=("DG101", "DG302", "DG402", "DG502"),
    writes=True,
    summary="sign-up with a taken name, extra properties and invalid bodies: the scan's own "
    "accounts show the overwrite (login), the stored property, or a 5xx",
    targets=_targets,
)
def sign_up(ctx: ProbeContext, target: Target) -> None:
    _overwrite(ctx, target, register(ctx))
    _extra(ctx, target)
    _invalid(ctx, target)


def _overwrite(ctx: ProbeContext, target: Target, first: Account) -> None:
    op = target.operation
    second = new_password()
    ctx.redactor.add_secret(second)
    body = signup_body(ctx, flow(ctx), first.username, second)
    again = ctx.call(ctx.sessions.anonymous, op, body=body)
    if not again.ok:
        return
    _, new = log_in(ctx, first.username, first.login_name, second)
    _, old = log_in(ctx, first.username, first.login_name, first.password)
    if new is not None and old is None:
        ctx.prove(
            "DG402",
            op,
            f"{op.key} registered the taken name {first.username} again and replaced the "
            "account: the second password logs in, the first no longer does",
            [
                (first.created, f"the scan registers {first.username}"),
                (again, "the same name registered again"),
                (new, "the second password logs in"),
            ],
            severity=Severity.CRITICAL,
        )
    elif old is not None and new is None:
        ctx.prove(
            "DG502",
            op,
            f"{op.key} answered {again.status} to registering the taken name "
            f"{first.username}, but nothing was written: the conflict was reported as success",
            [(again, "the same name registered again"), (old, "the first password still works")],
        )


def _extra(ctx: ProbeContext, target: Target) -> None:
    op = target.operation
    if open_schema(op.body or {}):
        return  # any property goes, by the spec: not a weakness
    name, marker = f"dg_extra_{ctx.markers.number()}", ctx.markers.new()
    try:
        account = register(ctx, extra={name: marker})
    except Rejected:
        return
    record = own_record(ctx, account)
    if record is not None and contains(record.json(), marker):
        ctx.prove(
            "DG101",
            op,
            f"{op.key} stored a property the request schema does not allow ({name}): the "
            "whole request body became the account",
            [(account.created, "sign-up with an extra property"), (record, "the account's record")],
        )


def _invalid(ctx: ProbeContext, target: Target) -> None:
    op = target.operation
    found = flow(ctx)
    template = signup_body(ctx, found, "{name}", new_password())
    crashes: list[tuple[str, Call]] = []
    for mutation in list(mutations(op.body or {}, template, ctx.markers, None))[:MAX_INVALID]:
        name = ctx.markers.new()
        body = {k: _named(k, v, name) for k, v in mutation.body.items()}
        call = ctx.call(ctx.sessions.anonymous, op, body=body)
        if call.status >= 500:
            crashes.append((mutation.label, call))
        if call.ok or call.status >= 500:  # a crash may come after the account was written
            _keep_track(ctx, name, body)
    if crashes:
        ctx.prove(
            "DG302",
            op,
            f"{op.key} answered 5xx to {len(crashes)} invalid sign-up(s): "
            + "; ".join(label for label, _ in crashes),
            [(call, f"invalid input: {label}") for label, call in crashes[:3]],
        )


def _named(field: str, value: Any, name: str) -> Any:
    """The template's ``{name}`` placeholder replaced by a fresh account name."""
    if isinstance(value, str) and "{name}" in value and is_subject(field):
        return value.replace("{name}", name)
    return value


def _keep_track(ctx: ProbeContext, name: str, body: dict[str, Any]) -> None:
    """An invalid sign-up was accepted: delete that account too, or list it. The mutation may
    have replaced the name itself (a name breaking the schema's pattern): track the one sent."""
    secret = next((v for k, v in body.items() if is_password(k) and isinstance(v, str)), "")
    subjects = [v for k, v in body.items() if is_subject(k) and not is_email(k)]
    name = next((v for v in subjects if isinstance(v, str)), name)
    email = next((v for k, v in body.items() if is_email(k) and isinstance(v, str)), name)
    own: list[Session] = []
    track(ctx, name, own)
    session, _ = log_in(ctx, name, email if flow(ctx).by_email else name, secret)
    own.append(session)
