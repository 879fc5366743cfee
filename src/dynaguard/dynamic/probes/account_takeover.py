"""DG201 (account takeover): B changes A's password or email through a write on A's account.

There is nothing to read back (a password is never shown), so the proof is the effect: A logs
in, through the login flow, with the value B set. A and B are accounts the scan registered
itself (``accounts.py``): a configured identity's credentials are never changed. A login with a
wrong password must fail first, or a login that accepts anything would prove nothing.
"""

from __future__ import annotations

from typing import Any

from dynaguard.dynamic.accounts import (
    Account,
    email_of,
    flow,
    is_credential_write,
    is_email,
    is_password,
    log_in,
    new_password,
    own_record,
    register,
)
from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import ProbeContext, is_identity_param
from dynaguard.dynamic.markers import contains
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.spec.samples import properties, sample
from dynaguard.model import Severity


def _targets(api: ApiModel) -> list[Target]:
    return [
        Target(op, api.resource_of(op))
        for op in api.operations
        if is_credential_write(op) and _names_account(op)
    ]


def _names_account(op: Any) -> bool:
    """The account is chosen by the request: a path parameter or a body field naming a user."""
    names = [p.name for p in op.path_params] + list(properties(op.body or {}))
    return any(is_identity_param(n) for n in names)


@probe(
    name="account-takeover",
    proves=("DG201",),
    writes=True,
    summary="B sets A's password or email (scan-registered accounts): A logs in with B's value",
    targets=_targets,
    credentials=True,
)
def account_takeover(ctx: ProbeContext, target: Target) -> None:
    found = flow(ctx)
    victim, attacker = register(ctx), register(ctx)
    control_password = new_password()
    ctx.redactor.add_secret(control_password)
    if log_in(ctx, victim.username, victim.login_name, control_password)[1] is not None:
        raise Skip(f"{found.login.path} lets {victim.username} in with a wrong password")
    op = target.operation
    password, login_name, email, body = _attack_body(ctx, op, victim)
    if password == victim.password and not email:
        raise Skip(f"{op.key} sets no password or email")
    values = {
        p.name: victim.username if is_identity_param(p.name) else str(p.example)
        for p in op.path_params
    }
    attack = ctx.call(attacker.session, op, path=values, body=body)
    if not attack.ok:
        return
    if password != victim.password or login_name != victim.login_name:
        what, (_, effect) = "password", log_in(ctx, victim.username, login_name, password)
        if password == victim.password:
            what = "login email"
        shown = f"logged in as {victim.username} with it"
    else:  # an email the login does not use: the victim's own record shows it
        what, effect = "email", own_record(ctx, victim)
        if effect is not None and not contains(effect.json(), email):
            effect = None
        shown = f"{victim.username}'s own record shows it"
    if effect is None:
        return
    ctx.prove(
        "DG201",
        op,
        f"{attacker.username} set the {what} of {victim.username} through {op.key}, then "
        f"{shown} (account takeover; both accounts were registered by the scan)",
        [
            (victim.created, f"the scan registers {victim.username}"),
            (attack, f"{attacker.username} changes {victim.username}'s {what}"),
            (effect, f"{victim.username} logs in with it" if what != "email" else "read back"),
        ],
        variant="takeover",
        severity=Severity.CRITICAL,
    )


def _attack_body(ctx: ProbeContext, op: Any, victim: Account) -> tuple[str, str, str, Any]:
    """The write's body with new credentials: the password, login name and email it sets
    (the victim's own, and "", where it sets none), and the body."""
    password, login_name, email = victim.password, victim.login_name, ""
    body = sample(op.body, ctx.markers) if op.body else {}
    if not isinstance(body, dict):
        return password, login_name, email, body
    for name in properties(op.body or {}):
        if is_password(name):
            password = password if password != victim.password else new_password()
            ctx.redactor.add_secret(password)
            body[name] = password
        elif is_email(name):
            email = body[name] = email_of(ctx.markers.new())
            login_name = email if flow(ctx).by_email else login_name
        elif is_identity_param(name):
            body[name] = victim.username
    return password, login_name, email, body
