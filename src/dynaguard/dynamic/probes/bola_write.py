"""DG201 (update, delete, action): B changes or deletes A's object.

Proof is A's own read-back after B's request: B's marker now in A's object, A's object gone, or
(an action such as ``/increment``) A's object changed in fields that do not move by themselves.
"""

from __future__ import annotations

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import NO_BODY, ProbeContext, is_identity_param
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.markers import contains, walk
from dynaguard.dynamic.objects import Planted, creation_note, own, plant, read, register_created
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import addressable, changed, identity_keyed, item_writes
from dynaguard.dynamic.spec.samples import sample


def _targets(api: ApiModel) -> list[Target]:
    deletes = [
        Target(r.delete, r)
        for r in addressable(api)
        if r.delete is not None and not identity_keyed(r)
    ]
    creates = [
        Target(r.create, r)
        for r in addressable(api)
        if r.create is not None and any(is_identity_param(p.name) for p in r.create.path_params)
    ]
    return [*item_writes(api), *deletes, *creates]


@probe(
    name="bola-write",
    proves=("DG201",),
    writes=True,
    summary="A's object updated or deleted by B: A's read-back shows B's marker or the deletion",
    targets=_targets,
)
def bola_write(ctx: ProbeContext, target: Target) -> None:
    resource = target.resource
    assert resource is not None
    owner = ctx.sessions.pair()[0]
    if target.operation is resource.create:
        _create(ctx, target)
        return
    planted = own(ctx, resource, owner) if identity_keyed(resource) else plant(ctx, resource, owner)
    if planted.readback is None or not planted.readback.ok:
        raise Skip(f"{owner.name} cannot read its own {resource.singular} back")
    op = target.operation
    if op is resource.delete:
        _delete(ctx, target, planted)
    elif op in resource.updates:
        _update(ctx, target, planted)
    else:
        _action(ctx, target, planted)


def _create(ctx: ProbeContext, target: Target) -> None:
    """B creates an item inside A's namespace (``POST /users/alice/records`` as bob)."""
    resource, op = target.resource, target.operation
    assert resource is not None
    owner, attacker = ctx.sessions.pair()
    body = sample(op.body, ctx.markers) if op.body else {}
    attack = ctx.call(
        attacker, op, path=ctx.path_values(op, owner), body=body if op.body else NO_BODY
    )
    if not attack.ok:
        return
    planted = register_created(ctx, resource, owner, attack, body)
    if planted.markers and planted.readback is not None:
        ctx.prove(
            "DG201",
            op,
            f"{attacker.name} created a {resource.singular} in {owner.name}'s namespace through "
            f"{op.key}; {owner.name}'s read-back shows it with {attacker.name}'s marker {planted.markers[0]}",
            [
                (attack, f"{attacker.name} creates it under {owner.name}"),
                (planted.readback, f"{owner.name} reads it"),
            ],
            variant="create",
        )


def _delete(ctx: ProbeContext, target: Target, planted: Planted) -> None:
    owner, attacker = ctx.sessions.pair()
    attack = ctx.call(attacker, target.operation, path=planted.values)
    after = read(ctx, planted, owner)
    gone = after.status == 404 or (
        after.ok and bool(planted.markers) and not contains(after.json(), planted.markers[0])
    )
    if attack.ok and gone:
        _prove(ctx, target, planted, attack=attack, after=after, what="deleted", variant="delete")


def _update(ctx: ProbeContext, target: Target, planted: Planted) -> None:
    owner, attacker = ctx.sessions.pair()
    body = sample(target.operation.body, ctx.markers) if target.operation.body else NO_BODY
    attack = ctx.call(attacker, target.operation, path=planted.values, body=body)
    if not attack.ok:
        return
    after = read(ctx, planted, owner)
    planted_now = [v for _, v in walk(body) if ctx.markers.owns(v) and contains(after.json(), v)]
    if planted_now:
        what = f"overwrote (now carries {planted_now[0]})"
        _prove(ctx, target, planted, attack=attack, after=after, what=what, variant="update")


def _action(ctx: ProbeContext, target: Target, planted: Planted) -> None:
    owner, attacker = ctx.sessions.pair()
    control = read(ctx, planted, owner)
    body = sample(target.operation.body) if target.operation.body else NO_BODY
    attack = ctx.call(attacker, target.operation, path=planted.values, body=body)
    if not attack.ok:
        return
    after = read(ctx, planted, owner)
    before = planted.readback.json() if planted.readback else None
    fields = changed(before, control.json(), after.json())
    if fields:
        what = f"changed ({', '.join(fields)})"
        _prove(ctx, target, planted, attack=attack, after=after, what=what, variant="action")


def _prove(
    ctx: ProbeContext,
    target: Target,
    planted: Planted,
    *,
    attack: Call,
    after: Call,
    what: str,
    variant: str,
) -> None:
    owner, attacker = ctx.sessions.pair()
    resource = target.resource
    assert resource is not None
    evidence = [(c, creation_note(planted)) for c in (planted.create,) if c is not None]
    ctx.prove(
        "DG201",
        target.operation,
        f"{attacker.name} {what} {owner.name}'s {resource.singular} {planted.key} through "
        f"{target.operation.key}; {owner.name}'s read-back shows it",
        [
            *evidence,
            (attack, f"{attacker.name} acts on it"),
            (after, f"{owner.name} reads it back"),
        ],
        variant=variant,
    )
