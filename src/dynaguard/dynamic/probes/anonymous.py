"""DG203: data answered to an anonymous request.

Proof: the anonymous response carries a marker an identity planted, or is the same non-empty data
an identity gets from an operation the spec says needs credentials (or that names the identity).
Operations the spec marks public (``security: []``) are never probed.
"""

from __future__ import annotations

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.markers import contains
from dynaguard.dynamic.objects import own, seed
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import has_data


def _targets(api: ApiModel) -> list[Target]:
    return [
        Target(op, api.resource_of(op))
        for op in api.operations
        if op.method == "GET" and not op.public
    ]


@probe(
    name="anonymous",
    proves=("DG203",),
    writes=False,
    summary="a read that needs credentials answered anonymously: an identity's marker or data",
    targets=_targets,
    phase=1,
)
def anonymous(ctx: ProbeContext, target: Target) -> None:
    op, resource = target.operation, target.resource
    owners = ctx.sessions.users or ctx.sessions.admins
    if not owners:
        raise Skip("needs an authenticated identity to compare with")
    owner = owners[0]
    planted = seed(ctx, [owner])
    if resource is not None and op is resource.read and resource.id_param:
        values = own(ctx, resource, owner).values
    else:
        values = ctx.path_values(op, owner)
    mine = ctx.call(owner, op, path=values)
    anon = ctx.call(ctx.sessions.anonymous, op, path=values)
    if not anon.ok or not has_data(anon.json()):
        return
    leaked = [m for p in planted for m in p.markers if contains(anon.json(), m)]
    if leaked:
        why = f"the marker {leaked[0]} that {owner.name} planted"
    elif (
        mine.ok
        and anon.json() == mine.json()
        and (op.security or contains(mine.json(), owner.subject))
    ):
        why = f"the same data {owner.name} gets with credentials"
    else:
        return
    ctx.prove(
        "DG203",
        op,
        f"{op.key} answered an anonymous request with {why}",
        [(anon, "no credentials sent"), (mine, f"{owner.name}'s view, for comparison")],
    )
