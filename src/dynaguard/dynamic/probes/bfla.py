"""DG202 BFLA: an operation meant for admins (by tags, path, id, scopes or ``x-admin``) used by a
plain user.

Proof for reads: the user's response carries another identity's planted marker, or is the same
non-empty data the admin gets. For writes on an object: the owner's read-back shows the effect.
A status code alone never counts: an admin route that answers 200 with nothing proves nothing.
"""

from __future__ import annotations

from typing import Any

from dynaguard.dynamic.api import ApiModel, is_admin_operation
from dynaguard.dynamic.context import NO_BODY, ProbeContext
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.markers import contains
from dynaguard.dynamic.objects import Planted, plant, read, seed
from dynaguard.dynamic.outcomes import Blocked, Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import DENIED, changed, has_data
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import sample


def _targets(api: ApiModel) -> list[Target]:
    return [Target(op, api.resource_of(op)) for op in api.operations if is_admin_operation(op)]


@probe(
    name="bfla",
    proves=("DG202",),
    writes=False,
    summary="admin-only operation called by a user: another identity's data returned or effect seen",
    targets=_targets,
    phase=1,
)
def bfla(ctx: ProbeContext, target: Target) -> None:
    if not ctx.sessions.users:
        raise Skip("needs an authenticated non-admin identity")
    if target.operation.writes:
        _write(ctx, target)
    else:
        _read(ctx, target)


def _read(ctx: ProbeContext, target: Target) -> None:
    op = target.operation
    planted = _seed(ctx)
    admin_view = ctx.call(ctx.sessions.admins[0], op) if ctx.sessions.admins else None
    for user in ctx.sessions.users:
        call = ctx.call(user, op)
        if not call.ok or not has_data(call.json()):
            continue
        theirs = [
            p
            for p in planted
            if p.owner is not user and any(contains(call.json(), m) for m in p.markers)
        ]
        if theirs:
            why = f"{theirs[0].owner.name}'s marker {theirs[0].markers[0]}"
        elif (same := _same_as_admin(ctx, op, admin_view, call)) is not None:
            admin_view = same
            why = f"the same data the admin {same.request.identity} gets"
        else:
            continue
        evidence = [(c, "the admin's view") for c in (admin_view,) if c is not None and c.ok]
        ctx.prove(
            "DG202",
            op,
            f"{user.name} (role user) called the admin operation {op.key} and got {why}",
            [(call, f"{user.name} calls it"), *evidence],
        )
        return
    if admin_view is not None and admin_view.status in DENIED:
        raise Blocked(f"{op.key} answered {admin_view.status} to the admin too")


def _same_as_admin(
    ctx: ProbeContext, op: Operation, admin_view: Call | None, call: Call
) -> Call | None:
    """The admin's read the user's answer equals: the one before the user's call, or one after
    it (other probes' objects may join a listing between the two)."""
    if admin_view is None or not admin_view.ok:
        return None
    if admin_view.json() == call.json():
        return admin_view
    again = ctx.call(ctx.sessions.admins[0], op)
    return again if again.ok and again.json() == call.json() else None


def _seed(ctx: ProbeContext) -> list[Planted]:
    """Every user's objects, so an admin listing has someone else's marker to leak."""
    return [p for p in seed(ctx, ctx.sessions.users) if p.markers]


def _write(ctx: ProbeContext, target: Target) -> None:
    resource = target.resource
    if resource is None or resource.id_param is None or resource.create is None:
        raise Skip("cannot observe the effect of this admin write on any object")
    owner, attacker = ctx.sessions.pair()
    victim = plant(ctx, resource, owner)
    if victim.readback is None or not victim.readback.ok:
        raise Skip(f"{owner.name} cannot read its own {resource.singular} back")
    control = read(ctx, victim, owner)
    body: Any = sample(target.operation.body, ctx.markers) if target.operation.body else NO_BODY
    attack = ctx.call(attacker, target.operation, path=victim.values, body=body)
    if not attack.ok:
        return
    after = read(ctx, victim, owner)
    fields = (
        ["(deleted)"]
        if after.status == 404
        else changed(victim.readback.json(), control.json(), after.json())
    )
    if fields:
        ctx.prove(
            "DG202",
            target.operation,
            f"{attacker.name} (role user) called the admin operation {target.operation.key} on "
            f"{owner.name}'s {resource.singular}: {', '.join(fields)}",
            [(attack, f"{attacker.name} calls it"), (after, f"{owner.name} reads it back")],
        )
