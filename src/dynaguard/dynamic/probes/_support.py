"""Helpers several probes share: comparing read-backs, and choosing targets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dynaguard.dynamic.api import ApiModel, Resource
from dynaguard.dynamic.context import is_identity_param
from dynaguard.dynamic.probes._registry import Target

DENIED = (401, 403, 404)


def changed(before: Any, control: Any, after: Any) -> list[str]:
    """Top-level fields that differ between ``before`` and ``after`` but not between ``before``
    and ``control`` (a second read before acting: fields that move by themselves are ignored)."""
    if not all(isinstance(d, dict) for d in (before, control, after)):
        return [] if before == after or before != control else ["(body)"]
    names = set(before) | set(after)
    drifting = {n for n in names if before.get(n) != control.get(n)}
    return sorted(n for n in names - drifting if before.get(n) != after.get(n))


def numeric_fields(document: Any) -> dict[str, float]:
    """Top-level numbers of an object (booleans are not numbers here)."""
    if not isinstance(document, dict):
        return {}
    return {
        k: float(v)
        for k, v in document.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def addressable(api: ApiModel) -> Iterable[Resource]:
    """Resources whose objects have their own path (``/records/{record_id}``)."""
    return (r for r in api.resources if r.id_param and r.item_path)


def identity_keyed(resource: Resource) -> bool:
    return bool(resource.id_param and is_identity_param(resource.id_param))


def item_writes(api: ApiModel) -> Iterable[Target]:
    """Updates and actions on one object of an addressable, readable resource."""
    for resource in addressable(api):
        if resource.read is None and resource.list is None:
            continue
        for op in (*resource.updates, *resource.actions):
            yield Target(op, resource)


def has_data(document: Any) -> bool:
    """Some non-empty value somewhere: ``[]``, ``{}`` and ``{"items": []}`` carry no data."""
    if isinstance(document, list):
        return bool(document)
    if isinstance(document, dict):
        return any(
            has_data(v) if isinstance(v, (list, dict)) else v not in (None, "", 0, False)
            for v in document.values()
        )
    return False
