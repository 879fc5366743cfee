"""The extra properties mass-assignment probes send, each with its own marker value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.dynamic.api import Resource
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.privileged import NUMERIC, OWNER_FIELDS, PRIVILEGED
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import properties, schema_type


@dataclass(frozen=True, slots=True)
class Extra:
    """One property the request schema does not allow, and the unique value sent in it."""

    name: str
    value: Any
    kind: str
    """``extra`` (arbitrary name), ``nested`` (inside an object property), ``privileged``,
    ``key`` (the object's key attribute), ``observed`` (seen in responses) or ``owner``."""

    @property
    def privileged(self) -> bool:
        return self.kind not in ("extra", "nested")


def extras(
    ctx: ProbeContext, op: Operation, resource: Resource, seen: Iterable[Any]
) -> list[Extra]:
    """Every extra property to try on ``op``, except owner fields (see :func:`owner_extras`)."""
    allowed = set(properties(op.body or {}))
    found: list[Extra] = []
    if not open_schema(op.body or {}):
        found.append(Extra(f"dg_extra_{ctx.markers.number()}", ctx.markers.new(), "extra"))
        found += _nested(ctx, op)
    for name in PRIVILEGED:
        value = ctx.markers.number() if name in NUMERIC else ctx.markers.new()
        found.append(Extra(name, value, "privileged"))
    if resource.id_param and resource.id_param not in allowed and resource.client_key is None:
        found.append(Extra(resource.id_param, ctx.markers.new(), "key"))
    for name, sample_value in _observed(resource, seen).items():
        if name not in {e.name for e in found} and name not in OWNER_FIELDS:
            numeric = isinstance(sample_value, (int, float)) and not isinstance(sample_value, bool)
            found.append(
                Extra(name, ctx.markers.number() if numeric else ctx.markers.new(), "observed")
            )
    return [e for e in found if e.name not in allowed]


def owner_extras(op: Operation, other_subject: str) -> list[Extra]:
    allowed = set(properties(op.body or {}))
    return [Extra(n, other_subject, "owner") for n in OWNER_FIELDS if n not in allowed]


def apply(body: Mapping[str, Any], chosen: Iterable[Extra]) -> dict[str, Any]:
    merged = dict(body)
    for extra in chosen:
        if extra.kind == "nested":
            parent, child = extra.name.split(".", 1)
            merged[parent] = {**(merged.get(parent) or {}), child: extra.value}
        else:
            merged[extra.name] = extra.value
    return merged


def persisted(document: Any, extra: Extra) -> bool:
    """The read-back stores exactly the value sent, under the name sent."""
    node = document
    for part in extra.name.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return bool(node == extra.value and type(node) is type(extra.value))


def open_schema(schema: Mapping[str, Any]) -> bool:
    """The spec says any property goes: arbitrary names are then by design, not a weakness."""
    extra = schema.get("additionalProperties")
    return extra is True or (isinstance(extra, Mapping) and bool(extra)) or not properties(schema)


def _nested(ctx: ProbeContext, op: Operation) -> list[Extra]:
    found = []
    for name, schema in properties(op.body or {}).items():
        if schema_type(schema) == "object" and properties(schema) and not open_schema(schema):
            found.append(
                Extra(f"{name}.dg_nested_{ctx.markers.number()}", ctx.markers.new(), "nested")
            )
    return found


def _observed(resource: Resource, seen: Iterable[Any]) -> dict[str, Any]:
    """Field names of the resource's responses: its read schema and bodies already read."""
    names: dict[str, Any] = {}
    for op in (resource.read, resource.create):
        for status, schema in op.responses.items() if op else ():
            if status.startswith("2"):
                names.update({k: None for k in properties_all(schema)})
    for document in seen:
        if isinstance(document, dict):
            names.update({k: v for k, v in document.items() if not isinstance(v, (dict, list))})
    return names


def properties_all(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Properties including read-only ones (responses describe what the server sets)."""
    from dynaguard.dynamic.spec.samples import merged

    props = merged(schema).get("properties") or {}
    return dict(props) if isinstance(props, Mapping) else {}
