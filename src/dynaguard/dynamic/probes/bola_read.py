"""DG201 (read): B reads A's object.

Proof: B's response carries a marker A planted (and A's read-back shows it), while an anonymous
caller cannot read it (data anyone can read is DG203's business, or public by design). A
read-only scan plants nothing: it takes an object from A's listing and needs B to get exactly A's
view of it, for an object B's own listing does not show, or that names A and not B.
"""

from __future__ import annotations

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.markers import contains
from dynaguard.dynamic.objects import Planted, creation_note, items_of, own
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import addressable, identity_keyed


def _targets(api: ApiModel) -> list[Target]:
    # Accounts (/users/{username}) are often readable by design: their private attributes are
    # DG801's business, proven by what the response carries rather than by who could read it.
    return [
        Target(r.read, r) for r in addressable(api) if r.read is not None and not identity_keyed(r)
    ]


@probe(
    name="bola-read",
    proves=("DG201",),
    writes=False,
    summary="A's object read by B: A's planted marker in B's response",
    targets=_targets,
    phase=1,
)
def bola_read(ctx: ProbeContext, target: Target) -> None:
    assert target.resource is not None
    owner, attacker = ctx.sessions.pair()
    planted = own(ctx, target.resource, owner)
    mine = planted.readback
    if mine is None or not mine.ok:
        raise Skip(f"{owner.name} cannot read its own {target.resource.singular}")
    stolen = ctx.call(attacker, target.operation, path=planted.values)
    if not stolen.ok or _anyone_can_read(ctx, target, planted):
        return
    # A marker that is the object's key proves nothing: B sent it in the URL and got it echoed.
    markers = [m for m in planted.markers if m != planted.key]
    if markers:
        leaked = [m for m in markers if contains(stolen.json(), m)]
        if not leaked:
            return
        how = f"the marker {leaked[0]} that {owner.name} planted"
    elif (
        not planted.markers
        and stolen.json() == mine.json()
        and mine.json()
        and _private(ctx, planted, attacker)
    ):
        how = f"exactly what {owner.name} reads (an object {attacker.name} does not own)"
    else:
        return
    evidence = [(c, creation_note(planted)) for c in (planted.create,) if c is not None]
    ctx.prove(
        "DG201",
        target.operation,
        f"{attacker.name} read {owner.name}'s {target.resource.singular} {planted.key}: "
        f"the response carries {how}",
        [*evidence, (mine, f"{owner.name} reads it back"), (stolen, f"{attacker.name} reads it")],
        variant="read",
    )


def _anyone_can_read(ctx: ProbeContext, target: Target, planted: Planted) -> bool:
    anonymous = ctx.call(ctx.sessions.anonymous, target.operation, path=planted.values)
    mine = planted.readback.json() if planted.readback else None
    return anonymous.ok and (
        any(contains(anonymous.json(), m) for m in planted.markers) or anonymous.json() == mine
    )


def _private(ctx: ProbeContext, planted: Planted, attacker: Session) -> bool:
    """Without markers: the object is A's, not B's, by B's own listing or by whom it names."""
    resource = planted.resource
    if resource.list is not None:
        listing = ctx.call(attacker, resource.list).json()
        ids = {str(v) for item in items_of(listing) for v in item.values()}
        if planted.key is not None and planted.key not in ids:
            return True
    document = planted.readback.json() if planted.readback else None
    return contains(document, planted.owner.subject) and not contains(document, attacker.subject)
