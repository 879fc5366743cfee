"""DG103 (privilege escalation): privileged fields sent on sign-up or on a profile update.

Two accounts the scan registers: a plain one (the control) and one that sends ``admin: true``,
``role: "admin"``, ``roles``, ``permissions``, ``tier``, ``credits``... (a wordlist, and the
privileged-looking names of the request schema and of the account's responses). Proof by
capability: a read the control is refused (401/403) gives the escalated account data. Proof by
read-back: the account's own record shows a value sent, where the control's does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.dynamic.accounts import (
    Account,
    is_credential_write,
    is_login,
    own_record,
    register,
    signups,
)
from dynaguard.dynamic.api import ApiModel, is_admin_operation
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.outcomes import Rejected, Skip
from dynaguard.dynamic.probes._grants import grants
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import has_data, identity_keyed
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import sample
from dynaguard.model import Severity

MAX_CANDIDATES = 40
"""Reads tried for a capability the control lacks (admin-looking ones first)."""


def _targets(api: ApiModel) -> list[Target]:
    found = [Target(op, api.resource_of(op)) for op in signups(api)[:1]]
    for resource in api.resources:
        if resource.singleton or identity_keyed(resource):
            found += [
                Target(op, resource)
                for op in resource.updates
                if op.body and not is_credential_write(op)
            ]
    return found


@probe(
    name="privilege-escalation",
    proves=("DG103",),
    writes=True,
    summary="sign-up or profile update with admin/role/tier fields (scan-registered accounts): "
    "the account can do what a plain one cannot, or the field reads back",
    targets=_targets,
    phase=3,
)
def privilege_escalation(ctx: ProbeContext, target: Target) -> None:
    op = target.operation
    control = register(ctx)
    record = own_record(ctx, control)
    seen = [record.json()] if record is not None else []
    sent = grants(op.body, seen, ctx.markers)
    escalated, write = _escalate(ctx, op, sent)
    found = _capability(ctx, control, escalated)
    if found is not None:
        read, denied, allowed = found
        ctx.prove(
            "DG103",
            op,
            f"{op.key} let a client grant itself rights: the account sent "
            f"{', '.join(sent)} and can then use {read.key}, which a plain account is refused "
            f"({denied.status})",
            [
                (write, "privileged fields sent"),
                (denied, f"the plain account {control.username} is refused"),
                (allowed, f"{escalated.username} gets data"),
            ],
            severity=Severity.CRITICAL,
        )
        return
    _read_back(ctx, op, sent=sent, control=control, escalated=escalated, write=write)


def _escalate(ctx: ProbeContext, op: Operation, sent: Mapping[str, Any]) -> tuple[Account, Call]:
    """The escalated account and the write that sent the fields."""
    if op in signups(ctx.api):
        try:
            account = register(ctx, extra=sent)
        except Rejected as exc:
            raise Rejected(f"the sign-up refused the privileged fields: {exc}") from None
        return account, account.created
    account = register(ctx)
    body = sample(op.body, ctx.markers) if op.body else {}
    body = {**(body if isinstance(body, dict) else {}), **sent}
    write = ctx.call(account.session, op, path=ctx.path_values(op, account.session), body=body)
    if not write.ok:
        raise Rejected(f"{op.key} answered {write.status} to the privileged fields")
    account.session.login()  # rights carried in the token are read at login
    return account, write


def _capability(
    ctx: ProbeContext, control: Account, escalated: Account
) -> tuple[Operation, Call, Call] | None:
    for op in _candidates(ctx):
        try:
            denied = ctx.call(control.session, op, path=ctx.path_values(op, control.session))
            if denied.status not in (401, 403):
                continue
            allowed = ctx.call(escalated.session, op, path=ctx.path_values(op, escalated.session))
        except Skip:
            continue
        if allowed.ok and has_data(allowed.json()):
            return op, denied, allowed
    return None


def _candidates(ctx: ProbeContext) -> list[Operation]:
    """Reads needing credentials that a session can fill, admin-looking ones first."""
    reads = [
        op for op in ctx.api.operations if op.method == "GET" and not op.public and not is_login(op)
    ]
    reads.sort(key=lambda op: not is_admin_operation(op))
    return reads[:MAX_CANDIDATES]


def _read_back(
    ctx: ProbeContext,
    op: Operation,
    *,
    sent: Mapping[str, Any],
    control: Account,
    escalated: Account,
    write: Call,
) -> None:
    mine, theirs = own_record(ctx, escalated), own_record(ctx, control)
    if mine is None or theirs is None:
        return
    document, plain = mine.json(), theirs.json()
    stuck = [
        name
        for name, value in sent.items()
        if isinstance(document, dict)
        and document.get(name) == value
        and type(document.get(name)) is type(value)
        and (not isinstance(plain, dict) or plain.get(name) != value)
    ]
    if stuck:
        ctx.prove(
            "DG103",
            op,
            f"{op.key} let the client set server-controlled attributes: {', '.join(stuck)} "
            "read back as sent (a plain account's record does not show them)",
            [(write, "privileged fields sent"), (mine, f"{escalated.username} reads its record")],
        )
