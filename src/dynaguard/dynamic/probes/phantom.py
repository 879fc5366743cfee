"""DG403: an update of an id that does not exist creates it.

Proof: the item is absent before (the owner's read is 404), the update answers 2xx, and the
owner's read afterwards finds the item (a phantom the API should have refused with 404). For a
delete, the read before shows there is nothing to delete, and the delete still reports success.
"""

from __future__ import annotations

import uuid
from typing import Any

from dynaguard.dynamic.api import ApiModel, Resource
from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.context import NO_BODY, ProbeContext
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import addressable, item_writes
from dynaguard.dynamic.spec.samples import sample


def _targets(api: ApiModel) -> list[Target]:
    writes = [
        t
        for t in item_writes(api)
        if t.resource is not None
        and t.resource.read is not None
        and t.operation is not t.resource.create
    ]
    deletes = [
        Target(r.delete, r) for r in addressable(api) if r.delete is not None and r.read is not None
    ]
    return [*writes, *deletes]


@probe(
    name="phantom",
    proves=("DG403",),
    writes=True,
    summary="update of an id that does not exist: the item exists afterwards (or a delete succeeds)",
    targets=_targets,
)
def phantom(ctx: ProbeContext, target: Target) -> None:
    resource, op = target.resource, target.operation
    assert resource is not None and resource.read is not None
    owner = ctx.sessions.owner()
    key = _unused_key(ctx, resource)
    values = ctx.path_values(resource.read, owner, key)
    before = ctx.call(owner, resource.read, path=values)
    if before.status != 404:
        raise Skip(f"a read of an unknown id answered {before.status}, not 404")
    body: Any = sample(op.body, ctx.markers) if op.body else NO_BODY
    write = ctx.call(owner, op, path=values, body=body)
    if op is not resource.delete:
        _register_cleanup(ctx, resource, owner, key, values)
    after = ctx.call(owner, resource.read, path=values)
    if op is resource.delete:
        if write.ok and after.status == 404:
            what = f"answered {write.status}: it reports deleting an item that never existed"
            evidence = [(before, "the id does not exist"), (write, "the delete reports success")]
            ctx.prove(
                "DG403",
                op,
                f"{op.key} on the non-existent id '{key}' {what}",
                evidence,
                variant="delete",
            )
        return
    if after.ok and write.ok:
        evidence = [
            (before, "the id does not exist"),
            (write, "the update"),
            (after, "the item now exists"),
        ]
        ctx.prove(
            "DG403",
            op,
            f"{op.key} on the non-existent id '{key}' answered {write.status} and created it",
            evidence,
        )


def _unused_key(ctx: ProbeContext, resource: Resource) -> str:
    """An id nobody has: a fresh UUID where the spec wants one, else a marker."""
    assert resource.read is not None
    param = next((p for p in resource.read.path_params if p.name == resource.id_param), None)
    uuid_wanted = param is not None and param.schema.get("format") == "uuid"
    return str(uuid.uuid4()) if uuid_wanted else f"{ctx.markers.new()}_phantom"


def _register_cleanup(
    ctx: ProbeContext, resource: Resource, owner: Session, key: str, values: dict[str, str]
) -> None:
    """Registered before the scan knows whether the write created the item (an interrupt may
    come in between): cleanup looks first, and only an item that is there is deleted or listed."""
    read, delete = resource.read, resource.delete
    assert read is not None

    def undo() -> bool:
        if ctx.call(owner, read, path=values).status == 404:
            return True
        if delete is None:
            return False
        return ctx.call(owner, delete, path=values).status in (200, 202, 204, 404)

    label = f"phantom {resource.singular} {key} at {resource.collection}"
    ctx.cleanup.add(label + ("" if delete else " (the API has no delete)"), undo)
