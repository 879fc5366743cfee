"""Objects the probes work on: planted with markers (active scans) or found (read-only scans).

Every planted object is registered for cleanup the moment it exists, and is read back as its
owner before any probe relies on it: a marker the owner cannot see proves nothing later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dynaguard.dynamic.api import Resource
from dynaguard.dynamic.auth import SUBJECT_FIELDS, Session
from dynaguard.dynamic.context import ProbeContext, is_identity_param
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.markers import contains, walk
from dynaguard.dynamic.outcomes import Blocked, Rejected, Skip
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import sample

_ID_FIELDS = ("id", "key", "uuid")
_DENIED = (401, 403, 404)


@dataclass(frozen=True, slots=True, eq=False)
class Planted:
    """An object owned by ``owner``: how to address it and what was planted in it."""

    resource: Resource
    owner: Session
    key: str | None
    """Value of the resource's id parameter (None for a singleton)."""
    values: Mapping[str, str] = field(default_factory=dict)
    """Path parameter values of the object's item path."""
    body: Mapping[str, Any] = field(default_factory=dict)
    """What was sent to create (or mark) it."""
    markers: tuple[str, ...] = ()
    """Markers the owner's read-back shows (empty for objects found, not planted)."""
    create: Call | None = None
    readback: Call | None = None


def own(ctx: ProbeContext, resource: Resource, owner: Session) -> Planted:
    """The owner's object of this resource, shared by the probes that only read it."""
    key = (resource.collection, owner.name)
    with ctx.cache_lock:
        if key not in ctx.cache:
            ctx.cache[key] = _own(ctx, resource, owner)
        found: Planted = ctx.cache[key]
        return found


def _own(ctx: ProbeContext, resource: Resource, owner: Session) -> Planted:
    if resource.singleton or (resource.id_param and is_identity_param(resource.id_param)):
        return adopt(ctx, resource, owner)
    if ctx.active and resource.create is not None:
        return plant(ctx, resource, owner)
    return discover(ctx, resource, owner)


def seed(ctx: ProbeContext, owners: Iterable[Session]) -> list[Planted]:
    """Each owner's object of every addressable resource, where one can be had."""
    found = []
    for resource in ctx.api.resources:
        if not resource.id_param:
            continue
        for owner in owners:
            try:
                found.append(own(ctx, resource, owner))
            except (Skip, Blocked):
                continue
    return found


def plant(
    ctx: ProbeContext,
    resource: Resource,
    owner: Session,
    *,
    extra: Mapping[str, Any] | None = None,
    key: str | None = None,
) -> Planted:
    """Create a fresh object with markers in every free-text field, then read it back."""
    create = resource.create
    if create is None:
        raise Skip(f"no operation creates {resource.collection}")
    body = dict(sample(create.body, ctx.markers)) if create.body else {}
    if resource.client_key:
        body[resource.client_key] = key or ctx.markers.new()
    body.update(extra or {})
    call = send_create(ctx, resource, owner, body)
    if 400 <= call.status < 500:
        raise Rejected(f"{create.key} answered {call.status} to {owner.name}")
    if not call.ok:
        raise Skip(f"{create.key} answered {call.status or call.error} to a valid request")
    return register_created(ctx, resource, owner, call, body)


def send_create(ctx: ProbeContext, resource: Resource, owner: Session, body: Any) -> Call:
    """Send the resource's create with ``body`` as ``owner``; 401/403/404 means Blocked."""
    create = resource.create
    assert create is not None
    create_key = (
        body.get(resource.client_key) if resource.client_key and isinstance(body, dict) else None
    )
    call = ctx.call(
        owner,
        create,
        key=None if create_key is None else str(create_key),
        body=body if create.body else None,
    )
    if call.status in _DENIED:
        raise Blocked(f"{create.key} answered {call.status} to {owner.name}")
    return call


def register_created(
    ctx: ProbeContext, resource: Resource, owner: Session, call: Call, body: Any
) -> Planted:
    """An object the create ``call`` made: its key found, its deletion registered, read back."""
    markers = tuple(v for _, v in _strings(body) if ctx.markers.owns(v))
    client_key = (
        body.get(resource.client_key) if resource.client_key and isinstance(body, dict) else None
    )
    object_key = str(client_key) if client_key is not None else key_from(call, resource)
    if object_key is None:
        try:
            object_key = _key_from_list(ctx, resource, owner, markers)
        except Skip as exc:  # an interrupt too: what was created must still be reported
            where = f"{resource.singular} created by {owner.name} at {resource.collection}"
            ctx.cleanup.add(f"{where} with markers {', '.join(markers) or 'none'}: {exc}", None)
            raise
    values = _item_values(ctx, resource, owner, object_key)
    _register_delete(ctx, resource, owner, values, object_key)
    planted = Planted(resource, owner, object_key, values, body, (), call, None)
    readback = read(ctx, planted, owner)
    seen = tuple(m for m in markers if contains(readback.json(), m))
    return Planted(resource, owner, object_key, values, body, seen, call, readback)


def adopt(ctx: ProbeContext, resource: Resource, owner: Session) -> Planted:
    """The owner's existing object (a profile, ``/users/{own id}``), marked by an update; cleanup
    puts back whatever the scan changed in it."""
    key = None if resource.singleton else owner.subject
    values = _item_values(ctx, resource, owner, key)
    planted = Planted(resource, owner, key, values)
    before = read(ctx, planted, owner)
    if before.status in _DENIED:
        raise Blocked(f"{resource.item_path} answered {before.status} to its owner {owner.name}")
    update = resource.updates[0] if resource.updates else None
    if ctx.active and before.ok:
        # Before any write: the state cleanup restores (any probe may change it, not only this).
        ctx.existing.watch(resource, owner, values, before.json())
    if not ctx.active or update is None or not update.body or not before.ok:
        return Planted(resource, owner, key, values, readback=before)
    body = _keeping_login(sample(update.body, ctx.markers), owner)
    if not body:
        return Planted(resource, owner, key, values, readback=before)
    call = ctx.call(owner, update, path=values, body=body)
    if not call.ok:
        return Planted(resource, owner, key, values, readback=before)
    after = read(ctx, planted, owner)
    seen = tuple(v for _, v in _strings(body) if ctx.markers.owns(v) and contains(after.json(), v))
    return Planted(resource, owner, key, values, body, seen, call, after)


def _keeping_login(body: Any, owner: Session) -> Any:
    """``body`` without what the owner logs in with or is named by (a username, an email, a
    password): marking those in its own account would end its session for the rest of the scan
    (a token naming the old username, a login that no longer matches)."""
    if not isinstance(body, dict):
        return body
    login = owner.identity.login if owner.identity else None
    kept = {*SUBJECT_FIELDS, *(login.body if login else ())}
    return {k: v for k, v in body.items() if k not in kept and "password" not in k.lower()}


def discover(ctx: ProbeContext, resource: Resource, owner: Session) -> Planted:
    """An object the owner lists (read-only scans create nothing)."""
    if resource.list is None or resource.id_param is None:
        raise Skip(f"read-only scan: no way to find an object of {resource.collection}")
    listing = ctx.call(owner, resource.list)
    for item in items_of(listing.json()):
        key = _id_of(item, resource)
        if key is not None:
            values = _item_values(ctx, resource, owner, key)
            readback = read(ctx, Planted(resource, owner, key, values), owner)
            if ctx.active:  # probes may write to it: cleanup puts it back
                ctx.existing.watch(
                    resource, owner, values, readback.json() if readback.ok else None
                )
            return Planted(resource, owner, key, values, readback=readback)
    raise Skip(f"{owner.name} has no object in {resource.list.key} to test with")


def read(ctx: ProbeContext, planted: Planted, session: Session) -> Call:
    """Read the object as ``session``: its read operation, else the collection listing."""
    resource = planted.resource
    op = resource.read or resource.list
    if op is None:
        raise Skip(f"no operation reads {resource.collection}")
    return ctx.call(session, op, path=planted.values if op is resource.read else None)


def creation_note(planted: Planted) -> str:
    """Evidence note for the request that planted the markers."""
    created = planted.create is not None and planted.create.request.method == "POST"
    return f"{planted.owner.name} {'creates it' if created else 'writes markers into it'}"


def items_of(document: Any) -> list[dict[str, Any]]:
    """The objects of a listing: a JSON array, or the first array inside an object."""
    if isinstance(document, dict):
        document = next((v for v in document.values() if isinstance(v, list)), [])
    return [i for i in document if isinstance(i, dict)] if isinstance(document, list) else []


def _id_of(item: Mapping[str, Any], resource: Resource) -> str | None:
    singular = resource.singular
    names = (resource.id_param, f"{singular}_id", f"{singular}Id", f"{singular}id", *_ID_FIELDS)
    for name in names:
        value = item.get(name) if name else None
        if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
            return str(value)
    return None


def key_from(call: Call, resource: Resource) -> str | None:
    document = call.json()
    if isinstance(document, dict):
        nested = [v for v in document.values() if isinstance(v, dict)]
        for candidate in (document, *nested):
            found = _id_of(candidate, resource)
            if found is not None:
                return found
    location = call.response.header("location") if call.response else None
    return location.rstrip("/").rsplit("/", 1)[-1] if location else None


def _key_from_list(
    ctx: ProbeContext, resource: Resource, owner: Session, markers: tuple[str, ...]
) -> str:
    if resource.list is not None and markers:
        for item in items_of(ctx.call(owner, resource.list).json()):
            if contains(item, markers[0]) and (found := _id_of(item, resource)):
                return found
    raise Skip(f"cannot tell the id of the {resource.singular} just created")


def _item_values(
    ctx: ProbeContext, resource: Resource, owner: Session, key: str | None
) -> dict[str, str]:
    op = resource.read or (resource.updates[0] if resource.updates else None) or resource.delete
    return ctx.path_values(op, owner, key) if op is not None else {}


def _register_delete(
    ctx: ProbeContext, resource: Resource, owner: Session, values: Mapping[str, str], key: str
) -> None:
    label = f"{resource.singular} {key} created by {owner.name} at {resource.collection}"
    delete = resource.delete
    if delete is None:
        ctx.cleanup.add(label + " (the API has no delete)", None)
        return

    # The owner first; after an owner-changing probe another identity may own it now.
    ctx.cleanup.add(
        label, lambda: deleted(ctx, delete, values, (owner, *ctx.sessions.authenticated))
    )


def deleted(
    ctx: ProbeContext, delete: Operation, values: Mapping[str, str], sessions: Iterable[Session]
) -> bool:
    """Send ``delete`` as each session in turn until one answers 2xx (or 404: already gone)."""
    for session in sessions:
        status = ctx.call(session, delete, path=values).status
        if 200 <= status < 300 or status == 404:
            return True
    return False


def _strings(body: Any) -> list[tuple[str, str]]:
    return [(path, value) for path, value in walk(body) if isinstance(value, str)]
