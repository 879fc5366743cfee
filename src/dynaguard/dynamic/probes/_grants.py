"""The privileged fields a privilege-escalation attempt sends, each with a value that grants."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dynaguard.dynamic.markers import Markers
from dynaguard.dynamic.privileged import OWNER_FIELDS
from dynaguard.dynamic.spec.samples import properties, schema_type

WORDLIST = (
    "admin",
    "is_admin",
    "isAdmin",
    "role",
    "roles",
    "permissions",
    "groups",
    "scopes",
    "is_staff",
    "is_superuser",
    "superuser",
    "tier",
    "plan",
    "credits",
    "balance",
    "verified",
)
"""Tried on every sign-up and profile update, whatever the spec says."""
_GRANTING = re.compile(
    r"admin|role|permission|privilege|group|scope|staff|super|moderator|tier|plan|credit|balance"
    r"|level|verified",
    re.I,
)
_FLAGS = re.compile(r"admin|staff|super|verified|premium|^is[_A-Z]", re.I)
_LISTS = re.compile(r"(roles|permissions|privileges|groups|scopes)$", re.I)
_AMOUNTS = re.compile(r"credit|balance|points|quota|limit", re.I)
_WANTED = re.compile(r"admin|super|root|owner|premium|enterprise|gold|pro|unlimited", re.I)


def grants(
    body: Mapping[str, Any] | None, seen: Iterable[Mapping[str, Any]], markers: Markers
) -> dict[str, Any]:
    """Name -> value: the wordlist, and privileged-looking names of the request schema and of
    the account's responses (``seen``), each with a value typed after its schema or sample."""
    schemas = dict(properties(body or {}))
    samples: dict[str, Any] = {}
    for document in seen:
        samples.update({k: v for k, v in document.items() if _GRANTING.search(k)})
    names = [*WORDLIST, *(n for n in schemas if _GRANTING.search(n)), *samples]
    chosen: dict[str, Any] = {}
    for name in names:
        if name not in chosen and name not in OWNER_FIELDS:
            chosen[name] = _value(name, schemas.get(name) or {}, samples.get(name), markers)
    return chosen


def _value(name: str, schema: Mapping[str, Any], sample: Any, markers: Markers) -> Any:
    kind = schema_type(schema) if schema else _kind_of(sample)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return next((v for v in enum if _WANTED.search(str(v))), enum[-1])
    if kind == "boolean" or (not kind and _FLAGS.search(name) and not _AMOUNTS.search(name)):
        return True
    if kind == "array" or (not kind and _LISTS.search(name)):
        return ["admin"]
    if kind in ("integer", "number") or (not kind and _AMOUNTS.search(name)):
        return markers.number()
    return "premium" if re.search(r"tier|plan|level", name, re.I) else "admin"


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    return "string" if isinstance(value, str) else ""
