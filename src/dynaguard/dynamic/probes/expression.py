"""DG701: request values that become expression syntax.

Query parameters that name an attribute (``?field=title``, ``?sort_by=``) get values that close
the expression and widen it (``title, :q) OR NOT contains(title``). Proof: the other identity's
planted marker in the answer (the filter no longer holds), or a 5xx where the valid value is fine.
Update bodies get field names with expression syntax; a value written to another attribute than
the one named is DG701. A crash on such names alone is DG302 (malformed input), and names from
the body reaching an update are DG102 (see the catalogue), so neither is reported as DG701.
"""

from __future__ import annotations

from typing import Any

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.markers import contains, paths_of
from dynaguard.dynamic.objects import Planted, own, plant, read, seed
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.probes._mass import properties_all
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._support import identity_keyed
from dynaguard.dynamic.spec.operations import Operation, Param
from dynaguard.dynamic.spec.samples import sample

_NAME_PARAMS = frozenset(
    {
        "field",
        "fields",
        "attribute",
        "attr",
        "sort",
        "sort_by",
        "order_by",
        "orderby",
        "column",
        "projection",
        "select",
        "filter_field",
        "search_field",
    }
)
_SYNTAX_NAMES = ("dg#x", "dg:x", "dg.x", "dgx = :dgx, dgy", "dgx)")


def name_param(api: ApiModel, op: Operation, attributes: set[str] | None = None) -> Param | None:
    """A query parameter whose value is an attribute name (``attributes``: the API's, when
    known already: every operation's responses are read to find them)."""
    for param in op.query_params:
        enum = param.schema.get("enum") or ()
        if param.name.lower() in _NAME_PARAMS:
            return param
        if enum:
            attributes = _attributes(api) if attributes is None else attributes
            if set(map(str, enum)) <= attributes:
                return param
    return None


def _attributes(api: ApiModel) -> set[str]:
    return {n for o in api.operations for s in o.responses.values() for n in _names(s)}


def _names(schema: Any) -> set[str]:
    found = set(properties_all(schema))
    items = schema.get("items") if isinstance(schema, dict) else None
    for sub in [*(v for v in properties_all(schema).values()), items]:
        if isinstance(sub, dict):
            found |= set(properties_all(sub)) | set(properties_all(sub.get("items") or {}))
    return found


def _targets(api: ApiModel) -> list[Target]:
    attributes = _attributes(api)
    queries = [
        Target(op, api.resource_of(op)) for op in api.operations if name_param(api, op, attributes)
    ]
    bodies = [Target(op, r) for r in api.resources if r.item_path for op in r.updates if op.body]
    return [*queries, *bodies]


@probe(
    name="expression",
    proves=("DG701",),
    writes=False,
    summary="expression syntax in attribute-name parameters and field names: a leak, a 5xx or a stray write",
    targets=_targets,
    phase=3,
)
def expression(ctx: ProbeContext, target: Target) -> None:
    param = name_param(ctx.api, target.operation)
    if param is not None:
        _query(ctx, target.operation, param)
    else:
        _body(ctx, target)


def _query(ctx: ProbeContext, op: Operation, param: Param) -> None:
    users = ctx.sessions.users
    if not users:
        raise Skip("needs an authenticated non-admin identity")
    owner, caller = users[0], users[-1]
    planted = [p for p in seed(ctx, [owner]) if p.markers] if caller is not owner else []
    valid = str(
        param.example or (param.schema.get("enum") or [param.schema.get("default") or "id"])[0]
    )
    control = ctx.call(caller, op, query={param.name: valid})
    if control.status >= 500 or control.status == 0:
        raise Skip(f"{op.key} fails ({control.status}) with a valid {param.name}")
    for value in _injections(op, param, valid):
        call = ctx.call(caller, op, query={param.name: value})
        leaked = [
            m
            for p in planted
            for m in p.markers
            if contains(call.json(), m) and not contains(control.json(), m)
        ]
        if call.ok and leaked:
            what = f"returned {owner.name}'s marker {leaked[0]} to {caller.name}"
            _prove(ctx, op, param, value, calls=(control, call), what=what)
            return
    for value in (f"{valid}#", f"{valid})", f"{valid}:"):
        call = ctx.call(caller, op, query={param.name: value})
        if call.status >= 500:
            what = f"answered {call.status} (the valid value: {control.status})"
            _prove(ctx, op, param, value, calls=(control, call), what=what)
            return


def _injections(op: Operation, param: Param, valid: str) -> list[str]:
    others = [p.name for p in op.query_params if p.name != param.name] or ["v"]
    found = []
    for placeholder in others:
        found += [
            f"{valid}, :{placeholder}) OR NOT contains({valid}",
            f"{valid}, :{placeholder}) OR contains({valid}",
        ]
    return [
        *found,
        f"{valid}) OR attribute_exists({valid}",
        f"{valid} OR attribute_exists({valid})",
    ]


def _prove(
    ctx: ProbeContext,
    op: Operation,
    param: Param,
    value: str,
    *,
    calls: tuple[Call, Call],
    what: str,
) -> None:
    control, call = calls
    ctx.prove(
        "DG701",
        op,
        f"{op.key}: the value of '{param.name}' became expression syntax: {param.name}={value!r} {what}",
        [
            (
                control,
                f"{param.name}={control.request.url.rsplit(param.name + '=', 1)[-1]} (valid)",
            ),
            (call, "the injected value"),
        ],
        variant=f"query:{param.name}",
    )


def _body(ctx: ProbeContext, target: Target) -> None:
    resource, op = target.resource, target.operation
    assert resource is not None
    owner = ctx.sessions.owner()
    existing = resource.singleton or identity_keyed(resource)
    planted = own(ctx, resource, owner) if existing else plant(ctx, resource, owner)
    for name in _SYNTAX_NAMES:
        value = sample(op.body, ctx.markers)
        body = {**(value if isinstance(value, dict) else {}), name: ctx.markers.new()}
        call = ctx.call(owner, op, path=planted.values, body=body)
        if call.status >= 500:
            ctx.prove(
                "DG302",
                op,
                f"{op.key} answered {call.status} to a field named {name!r} (attribute-name syntax)",
                [(call, f"field name {name!r}")],
            )
        elif call.ok and (after := _strayed(ctx, planted, body[name], name)) is not None:
            ctx.prove(
                "DG701",
                op,
                f"{op.key}: the value sent under {name!r} was written to another attribute",
                [(call, f"field name {name!r}"), (after, "read back as the owner")],
                variant="body",
            )
            return


def _strayed(ctx: ProbeContext, planted: Planted, marker: str, name: str) -> Call | None:
    back = read(ctx, planted, planted.owner)
    document = back.json()
    literal = isinstance(document, dict) and document.get(name) == marker
    return back if paths_of(document, marker) and not literal else None
