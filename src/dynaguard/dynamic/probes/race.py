"""DG401 lost update: N copies of a counter-like write released at the same instant.

One calibration request first learns what a single request does to the object (which numbers
move, by how much). Then N requests go out together (http/burst.py). If k of them answered 2xx,
each number should have moved by k times its calibrated step; less movement means some
read-modify-write cycles overwrote each other. Refused requests (409) are fine: they count out.
"""

from __future__ import annotations

from typing import Any

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import NO_BODY, ProbeContext
from dynaguard.dynamic.objects import own, plant, read
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import identity_keyed, item_writes, numeric_fields
from dynaguard.dynamic.spec.samples import properties, sample, schema_type

_COUNTER_WORDS = (
    "increment",
    "decrement",
    "deposit",
    "withdraw",
    "add",
    "credit",
    "debit",
    "like",
    "vote",
    "count",
    "bump",
    "incr",
    "adjust",
    "charge",
    "reserve",
    "claim",
)
_AMOUNT_FIELDS = ("amount", "delta", "quantity", "qty", "count", "by", "increment", "value", "step")


def _targets(api: ApiModel) -> list[Target]:
    return [t for t in item_writes(api) if _counter_like(t)]


def _counter_like(target: Target) -> bool:
    op = target.operation
    verb = op.path.rsplit("/", 1)[-1].lower()
    if any(word in verb for word in _COUNTER_WORDS):
        return True
    props = properties(op.body or {})
    return any(
        name in _AMOUNT_FIELDS and schema_type(s) in ("integer", "number")
        for name, s in props.items()
    )


@probe(
    name="race",
    proves=("DG401",),
    writes=True,
    summary="N concurrent counter updates released together: the final value misses some of them",
    targets=_targets,
)
def race(ctx: ProbeContext, target: Target) -> None:
    resource = target.resource
    assert resource is not None
    owner = ctx.sessions.owner()
    planted = own(ctx, resource, owner) if identity_keyed(resource) else plant(ctx, resource, owner)
    op = target.operation
    body: Any = sample(op.body) if op.body else NO_BODY
    before = numeric_fields(read(ctx, planted, owner).json())
    calibration = ctx.call(owner, op, path=planted.values, body=body)
    if not calibration.ok:
        raise Skip(f"a single {op.key} answered {calibration.status}")
    middle = numeric_fields(read(ctx, planted, owner).json())
    steps = {
        k: middle[k] - before[k] for k in middle.keys() & before.keys() if middle[k] != before[k]
    }
    if not steps:
        raise Skip("one request moves no number of the object: not a counter")
    calls = ctx.burst(owner, op, path=planted.values, body=body, count=ctx.options.race_requests)
    accepted = sum(1 for c in calls if c.ok)
    final = read(ctx, planted, owner)
    lost = _lost(steps, middle, numeric_fields(final.json()), accepted)
    if lost is not None:
        name, expected, actual, count = lost
        ctx.prove(
            "DG401",
            op,
            f"{len(calls)} concurrent {op.key} released together: {accepted} answered 2xx, so "
            f"'{name}' should be {_num(expected)}; it is {_num(actual)} ({count} updates lost)",
            [
                (calibration, f"one request moves '{name}' by {_num(steps[name])}"),
                (calls[0], f"1 of {len(calls)} sent together; {accepted} answered 2xx"),
                (final, f"{owner.name} reads the final value"),
            ],
        )


def _lost(
    steps: dict[str, float], middle: dict[str, float], after: dict[str, float], accepted: int
) -> tuple[str, float, float, int] | None:
    """(field, expected, actual, updates lost) for the first field that moved too little."""
    for name, step in sorted(steps.items()):
        expected = middle[name] + accepted * step
        if name in after and _short(after[name] - middle[name], accepted * step):
            return name, expected, after[name], round(abs(expected - after[name]) / abs(step))
    return None


def _short(moved: float, wanted: float) -> bool:
    """Moved less far than the accepted requests should have moved it."""
    return abs(moved) < abs(wanted) - 1e-9


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
