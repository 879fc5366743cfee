"""Free-form bodies: a handler that stores whatever names its body has (``for k, v in
body.items()``) names no field, so the spec derived from its code (``dynaguard scan --source``)
gives its body no property, and a probe has nowhere to put a marker or an invalid value.

Before the probes run, such a body borrows the fields the owner's own object shows when read
(its profile, or the first object its listing shows): the names the API stores and answers with,
typed by their values. Keys, identities, privileged, server-controlled and secret names are left
out: the probes send those on purpose (mass assignment) and must not send them as ordinary fields.
Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dynaguard.catalogue.dg103 import OWNERSHIP, SERVER_CONTROLLED
from dynaguard.catalogue.dg103 import normalise as server_name
from dynaguard.dynamic.api import ApiModel, Resource, build_model
from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.context import ProbeContext
from dynaguard.dynamic.objects import items_of
from dynaguard.dynamic.outcomes import Skip
from dynaguard.dynamic.privileged import is_privileged
from dynaguard.dynamic.sensitive import is_sensitive_name
from dynaguard.dynamic.spec.samples import type_of

FREE_FORM = "x-dynaguard-free-form"
"""The body-schema extension ``dynaguard code --emit-openapi`` sets on a body the handler reads
without naming a field of it (static/openapi.py writes it; the two engines share no module)."""
_SERVER = frozenset(server_name(n) for n in (*SERVER_CONTROLLED, *OWNERSHIP))
_SET_BY_SERVER = ("id", "key", "uuid", "at")
"""Last words of keys and of timestamps (``record_id``, ``updated_at``)."""


def is_free_form(schema: Mapping[str, Any] | None) -> bool:
    return bool(schema and schema.get(FREE_FORM) is True and not schema.get("properties"))


def with_borrowed_fields(ctx: ProbeContext) -> ApiModel:
    """``ctx.api`` with each free-form body given the fields its resource's object shows
    (unchanged when there is none, or no object to read)."""
    api = ctx.api
    if not any(is_free_form(op.body) for op in api.operations) or not ctx.sessions.users:
        return api
    owner = ctx.sessions.owner()
    shown: dict[int, dict[str, Any]] = {}
    for op in api.operations:
        resource = api.resource_of(op)
        if is_free_form(op.body) and resource is not None:
            document = _owners_object(ctx, resource, owner)
            fields = _fields(document, resource, {p.name for p in op.path_params})
            if fields:
                shown[id(op)] = {**(op.body or {}), "type": "object", "properties": fields}
    if not shown:
        return api
    ops = tuple(replace(op, body=shown[id(op)]) if id(op) in shown else op for op in api.operations)
    return build_model(replace(api.spec, operations=ops))


def _owners_object(ctx: ProbeContext, resource: Resource, owner: Session) -> Any:
    """The owner's own object as the API answers it, or None."""
    for op in (resource.read, resource.list):
        if op is None:
            continue
        try:
            call = ctx.call(owner, op, path=ctx.path_values(op, owner))
        except Skip:
            continue  # a path parameter the owner cannot fill (``{record_id}``)
        if not call.ok:
            continue
        document = call.json()
        if op is resource.list:
            listed = items_of(document)
            document = listed[0] if listed else None
        if isinstance(document, dict):
            return document
    return None


def _fields(document: Any, resource: Resource, path_params: set[str]) -> dict[str, Any]:
    """Scalar attributes a client could plausibly send, typed by their values."""
    if not isinstance(document, dict):
        return {}
    skipped = {*path_params, resource.id_param or ""}
    return {
        name: {"type": type_of(value)}
        for name, value in sorted(document.items())
        if isinstance(value, (str, int, float, bool))
        and name not in skipped
        and not _keeps_out(name)
    }


def _keeps_out(name: str) -> bool:
    words = name.lower().replace("-", "_").split("_")
    return (
        is_privileged(name)
        or is_sensitive_name(name)
        or server_name(name) in _SERVER
        or words[-1] in _SET_BY_SERVER
    )


__all__ = ["FREE_FORM", "is_free_form", "with_borrowed_fields"]
