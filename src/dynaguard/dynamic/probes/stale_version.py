"""DG404: a write carrying a stale version is accepted.

The owner writes once with the current version (which must then change), and again with the
old one and a new marker. Proof: the owner's read-back shows the second marker: the server trusted
a version the client made up instead of checking it in a condition.
"""

from __future__ import annotations

from typing import Any

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.markers import contains, walk
from dynaguard.dynamic.objects import own, plant, read
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import identity_keyed, item_writes
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import properties, sample

_VERSION_FIELDS = (
    "version",
    "expected_version",
    "_version",
    "rev",
    "revision",
    "lock_version",
    "version_number",
    "etag",
)


def version_field(op: Operation) -> str | None:
    props = properties(op.body or {})
    return next((name for name in _VERSION_FIELDS if name in props), None)


def _targets(api: ApiModel) -> list[Target]:
    return [t for t in item_writes(api) if version_field(t.operation) is not None]


@probe(
    name="stale-version",
    proves=("DG404",),
    writes=True,
    summary="an update with an outdated version: the owner's read-back shows it was applied",
    targets=_targets,
)
def stale_version(ctx: ProbeContext, target: Target) -> None:
    resource, op = target.resource, target.operation
    assert resource is not None
    field = version_field(op)
    assert field is not None
    owner = ctx.sessions.owner()
    planted = own(ctx, resource, owner) if identity_keyed(resource) else plant(ctx, resource, owner)
    stored = "version" if field == "expected_version" else field
    first = read(ctx, planted, owner).json()
    old = first.get(stored) if isinstance(first, dict) else None
    if old is None:
        raise Skip(f"the read-back shows no '{stored}'")
    current = ctx.call(owner, op, path=planted.values, body={**_body(ctx, op), field: old})
    now = read(ctx, planted, owner).json()
    if not current.ok or not isinstance(now, dict) or now.get(stored) == old:
        raise Skip(f"a write with the current version did not move '{stored}' ({current.status})")
    stale_body = {**_body(ctx, op), field: old}
    stale = ctx.call(owner, op, path=planted.values, body=stale_body)
    after = read(ctx, planted, owner)
    markers = [v for _, v in walk(stale_body) if ctx.markers.owns(v)]
    if stale.ok and any(contains(after.json(), m) for m in markers):
        ctx.prove(
            "DG404",
            op,
            f"{op.key} accepted {field}={old!r} after the version had moved to "
            f"{now.get(stored)!r}: the stale write overwrote the newer one",
            [
                (current, "write with the current version"),
                (stale, "write with the stale version"),
                (after, f"{owner.name} reads back the stale write's marker"),
            ],
        )


def _body(ctx: ProbeContext, op: Operation) -> dict[str, Any]:
    value = sample(op.body, ctx.markers)
    return dict(value) if isinstance(value, dict) else {}
