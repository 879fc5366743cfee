"""DG501: one operation, several writes, no transaction (``POST /transfers`` debits, then credits).

The owner sends the operation with a valid source object and a destination that does not exist,
so the second write must fail. Proof: the operation reports failure (4xx/5xx) while the owner's
read-back of the source shows it changed anyway: half of the operation stayed applied.
"""

from __future__ import annotations

import re
from typing import Any

from dynaguard.dynamic.api import ApiModel, Resource
from dynaguard.dynamic.context import ProbeContext, is_identity_param
from dynaguard.dynamic.objects import plant, read
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import changed
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import properties, sample

_DESTINATION = re.compile(r"^(to|target|dest|destination|recipient|receiver)([_-]|$)", re.I)


def _fields(api: ApiModel, op: Operation) -> tuple[tuple[str, Resource], str] | None:
    """(source field and its resource, destination field) when the body names both."""
    refs = [(n, r) for n, r in api.references(op) if n in properties(op.body or {})]
    sources = [(n, r) for n, r in refs if not _DESTINATION.match(n)]
    destinations = [n for n, _ in refs if _DESTINATION.match(n)]
    return (sources[0], destinations[0]) if sources and destinations else None


def _targets(api: ApiModel) -> list[Target]:
    return [Target(op) for op in api.operations if op.writes and not op.public and _fields(api, op)]


@probe(
    name="atomicity",
    proves=("DG501",),
    writes=True,
    summary="a multi-item write whose second half fails: the first half stays applied",
    targets=_targets,
)
def atomicity(ctx: ProbeContext, target: Target) -> None:
    op = target.operation
    found = _fields(ctx.api, op)
    assert found is not None
    (source_field, resource), destination = found
    owner = ctx.sessions.owner()
    source = plant(ctx, resource, owner)
    if source.readback is None or not source.readback.ok:
        raise Skip(f"{owner.name} cannot read its own {resource.singular} back")
    control = read(ctx, source, owner)
    body = _body(op, owner.subject)
    body[source_field] = source.key
    body[destination] = f"{ctx.markers.new()}_missing"
    call = ctx.call(owner, op, body=body)
    if call.ok:
        return  # the operation claims success: nothing half-done to prove here
    after = read(ctx, source, owner)
    fields = changed(source.readback.json(), control.json(), after.json())
    if fields:
        ctx.prove(
            "DG501",
            op,
            f"{op.key} to a {destination} that does not exist answered {call.status}, yet "
            f"{owner.name}'s {resource.singular} changed ({', '.join(fields)}): the writes are "
            "not one transaction",
            [
                (source.readback, "before"),
                (call, "the operation fails"),
                (after, "after: changed anyway"),
            ],
        )


def _body(op: Operation, subject: str) -> dict[str, Any]:
    value = sample(op.body) if op.body else {}
    body = dict(value) if isinstance(value, dict) else {}
    for name in properties(op.body or {}):
        if is_identity_param(name) or name.endswith(("_owner", "_user", "_username")):
            body[name] = subject
    return body
