"""DG201 (identifier in a body or query string): ``POST /transfers {"from_record_id": ...}``.

B sends A's object id where the API expects B's own (source fields, never destination fields:
sending to someone else is often legitimate). Proof: A's read-back changed in fields that do not
move by themselves (writes), or B's response carries A's marker (reads).
"""

from __future__ import annotations

import re
from typing import Any

from dynaguard.dynamic.api import ApiModel, Resource
from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.context import NO_BODY, ProbeContext, is_identity_param
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.markers import contains
from dynaguard.dynamic.objects import Planted, own, plant, read
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import changed
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import properties, sample

_PERSON = re.compile(r"(^|_)(owner|user|username|recipient|account)$", re.I)
_DESTINATION = re.compile(r"^(to|target|dest|destination|recipient|receiver)([_-]|$)", re.I)


def _targets(api: ApiModel) -> list[Target]:
    return [Target(op, api.resource_of(op)) for op in api.operations if _victim_field(api, op)]


def _victim_field(api: ApiModel, op: Operation) -> tuple[str, Resource] | None:
    if op.public:
        return None  # sign-up and login name accounts, not objects to steal
    refs = [(n, r) for n, r in api.references(op) if not _DESTINATION.match(n)]
    own_resource = api.resource_of(op)
    refs = [(n, r) for n, r in refs if r is not own_resource or op is not r.create]
    return refs[0] if refs else None


@probe(
    name="bola-reference",
    proves=("DG201",),
    writes=False,
    summary="A's object id sent by B in a body or query field: A's object changed or leaked",
    targets=_targets,
    phase=2,
)
def bola_reference(ctx: ProbeContext, target: Target) -> None:
    op = target.operation
    found = _victim_field(ctx.api, op)
    assert found is not None
    name, resource = found
    owner, attacker = ctx.sessions.pair()
    victim = plant(ctx, resource, owner) if op.writes else own(ctx, resource, owner)
    if victim.readback is None or not victim.readback.ok or victim.key is None:
        raise Skip(f"{owner.name} has no readable {resource.singular} to reference")
    in_query = name in {p.name for p in op.query_params}
    body = _body(ctx, op, name, victim.key, attacker) if not in_query else NO_BODY
    query = {name: victim.key} if in_query else None
    control = read(ctx, victim, owner)
    attack = _attack(ctx, op, (owner, attacker), body, query)
    if attack is None:
        return
    proof, evidence = _effect(ctx, op, victim, control, attack)
    if proof:
        ctx.prove(
            "DG201",
            op,
            f"{attacker.name} put {owner.name}'s {resource.singular} id in '{name}' and {op.key} {proof}",
            evidence,
            variant=f"reference:{name}",
        )


def _attack(
    ctx: ProbeContext, op: Operation, pair: tuple[Session, Session], body: Any, query: Any
) -> Call | None:
    """The caller's own namespace first; then A's (``/users/alice/transfers`` as bob)."""
    owner, attacker = pair
    for values in _namespaces(ctx, op, owner, attacker):
        attack = ctx.call(attacker, op, path=values, body=body, query=query)
        if attack.ok:
            return attack
    return None


def _effect(
    ctx: ProbeContext, op: Operation, victim: Planted, control: Call, attack: Call
) -> tuple[str, list[tuple[Call, str]]]:
    """What the attack did to A's object: changed fields (writes) or a leaked marker (reads)."""
    owner, attacker = victim.owner.name, attack.request.identity
    assert victim.readback is not None
    if op.writes:
        after = read(ctx, victim, victim.owner)
        fields = changed(victim.readback.json(), control.json(), after.json())
        proof = (
            f"changed {owner}'s {victim.resource.singular} ({', '.join(fields)})" if fields else ""
        )
        return proof, [
            (attack, f"{attacker} names {owner}'s id"),
            (after, f"{owner} reads it back"),
        ]
    leaked = [m for m in victim.markers if contains(attack.json(), m)]
    proof = f"returned {owner}'s marker {leaked[0]}" if leaked else ""
    return proof, [(victim.readback, f"{owner} reads it"), (attack, f"{attacker} names its id")]


def _namespaces(
    ctx: ProbeContext, op: Operation, owner: Session, attacker: Session
) -> list[dict[str, str]]:
    mine = ctx.path_values(op, attacker)
    theirs = ctx.path_values(op, owner)
    return [mine] if mine == theirs else [mine, theirs]


def _body(ctx: ProbeContext, op: Operation, name: str, victim_key: str, attacker: Session) -> Any:
    """A valid body naming the victim's object in ``name`` and the attacker's everywhere else."""
    body = sample(op.body) if op.body else {}
    for field in properties(op.body or {}):
        if is_identity_param(field) or _PERSON.search(field):
            body[field] = attacker.subject
    for field, resource in ctx.api.references(op):
        if field in properties(op.body or {}) and field != name:
            body[field] = own(ctx, resource, attacker).key
    body[name] = victim_key
    return body
