"""DG101 / DG102 / DG103 mass assignment: creates and updates with properties the request schema
does not allow, each carrying its own marker.

Proof: a later read as the owner (or, for an owner field, as the identity named in it) shows the
exact value sent. Arbitrary names that stick are DG101 on a create and DG102 on an update;
server-controlled names (role, is_admin, owner, the key, version, balance...) that stick are
DG103, reported on their own when arbitrary names are filtered but those are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.objects import Planted, own, plant, read
from dynaguard.dynamic.outcomes import Rejected, Skip
from dynaguard.dynamic.probes._mass import Extra, apply, extras, owner_extras, persisted
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import identity_keyed
from dynaguard.dynamic.spec.samples import sample


def _targets(api: ApiModel) -> list[Target]:
    found = []
    for resource in api.resources:
        if resource.create is not None and resource.create.body and resource.id_param:
            found.append(Target(resource.create, resource))
        found += [Target(op, resource) for op in resource.updates if op.body and resource.item_path]
    return found


@probe(
    name="mass-assignment",
    proves=("DG101", "DG102", "DG103"),
    writes=True,
    summary="extra and server-controlled properties sent with markers: read back as the owner",
    targets=_targets,
    phase=3,
)
def mass_assignment(ctx: ProbeContext, target: Target) -> None:
    resource = target.resource
    assert resource is not None
    owner = ctx.sessions.owner()
    seen = [
        p.readback.json()
        for p in ctx.cache.values()
        if isinstance(p, Planted) and p.readback and p.resource is resource
    ]
    tried = extras(ctx, target.operation, resource, seen)
    stuck: list[tuple[Extra, Call, Call]] = []
    for _, group in groupby(tried, key=lambda e: e.kind):
        stuck += _attempt(ctx, target, owner, list(group), readers=(owner,))
    other = next((s for s in ctx.sessions.authenticated if s is not owner), None)
    if other is not None:
        stuck += _attempt(
            ctx,
            target,
            owner,
            owner_extras(target.operation, other.subject),
            readers=(owner, other),
        )
    _report(ctx, target, stuck)


def _attempt(
    ctx: ProbeContext,
    target: Target,
    owner: Session,
    chosen: list[Extra],
    readers: Iterable[Session],
) -> list[tuple[Extra, Call, Call]]:
    """Send one write with ``chosen``; the extras that a reader's read-back shows."""
    if not chosen:
        return []
    resource = target.resource
    assert resource is not None
    op = target.operation
    try:
        if op is resource.create:
            planted = plant(ctx, resource, owner, extra=apply({}, chosen))
            write = planted.create
        else:
            existing = resource.singleton or identity_keyed(resource)
            planted = own(ctx, resource, owner) if existing else plant(ctx, resource, owner)
            write = ctx.call(
                owner, op, path=planted.values, body=apply(sample(op.body, ctx.markers), chosen)
            )
    except Rejected:
        return []
    if write is None or not write.ok:
        return []
    # An existing account it changed is put back at cleanup (own() took its snapshot).
    return _read_back(ctx, planted, chosen, write, readers)


def _read_back(
    ctx: ProbeContext,
    planted: Planted,
    chosen: list[Extra],
    write: Call,
    readers: Iterable[Session],
) -> list[tuple[Extra, Call, Call]]:
    for reader in readers:
        try:
            back = read(ctx, planted, reader)
        except Skip:
            continue
        found = [(e, write, back) for e in chosen if persisted(back.json(), e)]
        if found:
            return found
    return []


def _report(ctx: ProbeContext, target: Target, stuck: list[tuple[Extra, Call, Call]]) -> None:
    if not stuck:
        return
    op = target.operation
    resource = target.resource
    assert resource is not None
    arbitrary = [s for s in stuck if not s[0].privileged]
    privileged = [s for s in stuck if s[0].privileged]
    names = ", ".join(_label(e) for e, _, _ in (*arbitrary, *privileged))
    first = (arbitrary or privileged)[0]
    evidence = [
        (first[1], "the write with extra properties"),
        (first[2], f"read back by {first[2].request.identity}"),
    ]
    if arbitrary:
        rule = "DG101" if op is resource.create else "DG102"
        what = (
            "whole request body written as the item"
            if rule == "DG101"
            else "client-chosen attribute names reach the update"
        )
        ctx.prove(
            rule,
            op,
            f"{op.key}: {what}; stored properties the request schema does not allow: {names}",
            evidence,
        )
    else:
        ctx.prove(
            "DG103",
            op,
            f"{op.key} let the client set server-controlled attributes: {names}",
            evidence,
        )


def _label(extra: Extra) -> str:
    return extra.name if extra.kind in ("extra", "nested") else f"{extra.name} ({extra.kind})"
