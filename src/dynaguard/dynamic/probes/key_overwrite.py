"""DG402 / DG502: a create with a client-chosen key that another identity already holds.

A creates an object under a fresh key; B creates one under the same key. DG402: the object at
that key now carries B's marker or B's name, as read by A or by B. DG502: B was told 2xx, yet the
object still carries A's markers and none of B's: the conflict was swallowed and reported as
success. A 409 is the fix for both.
"""

from __future__ import annotations

from typing import Any

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.markers import contains, walk
from dynaguard.dynamic.objects import Planted, plant, read, send_create
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.spec.samples import sample


def _targets(api: ApiModel) -> list[Target]:
    return [Target(r.create, r) for r in api.resources if r.client_key and r.create is not None]


@probe(
    name="key-overwrite",
    proves=("DG402", "DG502"),
    writes=True,
    summary="B creates with A's client-chosen key: the item now carries B's marker",
    targets=_targets,
)
def key_overwrite(ctx: ProbeContext, target: Target) -> None:
    resource = target.resource
    assert resource is not None and resource.client_key is not None
    owner, attacker = ctx.sessions.pair()
    victim = plant(ctx, resource, owner)
    if not victim.markers or victim.key is None or victim.readback is None:
        raise Skip(f"{owner.name}'s read-back does not show the planted markers")
    body = sample(target.operation.body, ctx.markers) if target.operation.body else {}
    body[resource.client_key] = victim.key
    attack = send_create(ctx, resource, attacker, body)
    if not attack.ok:
        return
    theirs = [v for _, v in walk(body) if ctx.markers.owns(v) and v != victim.key]
    for reader in (owner, attacker):
        after = read(ctx, victim, reader)
        how = _replaced(victim, after.json(), theirs, attacker.subject) if after.ok else None
        if how:
            ctx.prove(
                "DG402",
                target.operation,
                f"{attacker.name} created {resource.singular} '{victim.key}' that {owner.name} "
                f"already had, and replaced it: the item now carries {attacker.name}'s {how}",
                [(c, f"{owner.name} creates it") for c in (victim.create,) if c is not None]
                + [
                    (attack, f"{attacker.name} creates the same key"),
                    (after, f"read back by {reader.name}"),
                ],
            )
            return
    _swallowed(ctx, target, victim, attack, theirs)


def _replaced(victim: Planted, document: Any, theirs: list[str], attacker: str) -> str | None:
    """How the item shows it is now the attacker's: its markers instead of A's, or its name
    where A's was (``owner: bob``)."""
    assert victim.readback is not None
    mine = [m for m in victim.markers if m != victim.key]
    if (
        theirs
        and any(contains(document, m) for m in theirs)
        and not any(contains(document, m) for m in mine)
    ):
        return "marker"
    owned_by = _owner_fields(victim.readback.json(), victim.owner.subject)
    if (
        owned_by
        and isinstance(document, dict)
        and all(document.get(f) == attacker for f in owned_by)
    ):
        return f"name in {', '.join(owned_by)}"
    return None


def _swallowed(
    ctx: ProbeContext, target: Target, victim: Planted, attack: Call, theirs: list[str]
) -> None:
    owner, attacker = ctx.sessions.pair()
    after = read(ctx, victim, owner)
    mine = [m for m in victim.markers if m != victim.key]
    kept = bool(mine) and all(contains(after.json(), m) for m in mine)
    if after.ok and kept and theirs and not any(contains(after.json(), m) for m in theirs):
        ctx.prove(
            "DG502",
            target.operation,
            f"{target.operation.key} answered {attack.status} to {attacker.name}'s create of the taken "
            f"key '{victim.key}', but nothing was written: the conflict was reported as success",
            [
                (attack, f"{attacker.name} creates the taken key"),
                (after, f"{owner.name}'s item is unchanged"),
            ],
        )


def _owner_fields(document: Any, subject: str) -> list[str]:
    """Top-level attributes that hold the owner's name (``owner: alice``)."""
    return [k for k, v in document.items() if v == subject] if isinstance(document, dict) else []
