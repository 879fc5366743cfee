"""The API as resources: which operation creates, reads, updates, deletes or acts on what.

Probes reason about objects, not paths: "A creates a record, B reads it" needs to know that
``POST /records`` creates what ``GET /records/{record_id}`` reads, and which field is its id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from dynaguard.dynamic.spec.bodies import JSON
from dynaguard.dynamic.spec.operations import ApiSpec, Operation
from dynaguard.dynamic.spec.samples import properties

_PARAM = re.compile(r"^\{([^}]+)\}$")
IDENTITY_NAME = re.compile(  # a parameter or attribute that names a user
    r"(user|owner|account|member|customer|profile)([_-]?(id|name|key))?|username|uid|sub|me", re.I
)
_WORD = re.compile("[a-z]+")
_GENERIC_KEYS = frozenset({"id", "key", "uuid", "name"})
"""Path parameters too generic to pair with a body field by suffix (``owner_id`` is no ``{id}``)."""
_ADMIN_WORDS = re.compile(
    r"(^|[^a-z])(admin|administrator|staff|superuser|internal)([^a-z]|$)", re.I
)


@dataclass(frozen=True, slots=True, eq=False)
class Resource:
    """A kind of object and the operations on it (any of them may be missing)."""

    collection: str
    """``/records``: where objects are created and listed."""
    item_path: str | None = None
    """``/records/{record_id}``, or the singleton's own path (``/profile``)."""
    id_param: str | None = None
    """``record_id``; None for singletons."""
    create: Operation | None = None
    list: Operation | None = None
    read: Operation | None = None
    updates: tuple[Operation, ...] = ()
    delete: Operation | None = None
    actions: tuple[Operation, ...] = ()
    """Operations on one object other than CRUD: ``POST /records/{record_id}/increment``."""
    client_key: str | None = None
    """Body property of ``create`` that chooses the object's key (``handle``), if any."""

    @property
    def singleton(self) -> bool:
        return self.id_param is None and self.item_path is not None

    @property
    def singular(self) -> str:
        last = self.collection.rstrip("/").rsplit("/", 1)[-1]
        return singular(last)

    def operations(self) -> tuple[Operation, ...]:
        ops = [self.create, self.list, self.read, *self.updates, self.delete, *self.actions]
        return tuple(op for op in ops if op is not None)


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def param_name(segment: str) -> str | None:
    match = _PARAM.match(segment)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class ApiModel:
    """The spec's operations grouped into resources."""

    spec: ApiSpec
    resources: tuple[Resource, ...]
    _owners: dict[int, Resource] = field(init=False, repr=False, compare=False)
    """id of an operation -> its (first) resource: probes ask for every operation."""
    _referable: _Referable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        owners: dict[int, Resource] = {}
        for resource in self.resources:
            for op in resource.operations():
                owners.setdefault(id(op), resource)
        object.__setattr__(self, "_owners", owners)
        object.__setattr__(self, "_referable", _Referable.of(self.resources))

    @property
    def operations(self) -> tuple[Operation, ...]:
        return self.spec.operations

    def login_media(self, method: str, path: str) -> str:
        """How the spec's operation at a login path (relative to the target, base path or not)
        takes its body: JSON when the spec has no such operation."""
        for op in self.operations:
            if op.method == method and path in (op.path, self.spec.base_path + op.path):
                return op.media
        return JSON

    def resource_of(self, op: Operation) -> Resource | None:
        return self._owners.get(id(op))

    def by_id_param(self, name: str) -> Resource | None:
        return next((r for r in self.resources if r.id_param == name), None)

    def references(self, op: Operation) -> list[tuple[str, Resource]]:
        """Body or query fields of ``op`` that name another object: ``from_record_id`` ->
        records (the ids an attacker swaps in for body and query BOLA)."""
        names = [*properties(op.body or {}), *(p.name for p in op.query_params)]
        found = []
        for name in names:
            resource = self._referable.first(name)
            if resource is not None:
                found.append((name, resource))
        return found


@dataclass(frozen=True, slots=True)
class _Referable:
    """The resources a field can name, indexed: a field refers to the first resource whose id
    parameter it is (``record_id``, not ``id``) or ends with (``from_record_id``), or whose
    singular it is, after a ``word_`` and before ``_id`` or ``_key`` (``from_record``). An index,
    not a test of every resource for every field: that is quadratic in a spec's size."""

    resources: tuple[Resource, ...]
    by_param: dict[str, int]
    by_stem: dict[str, int]

    @staticmethod
    def of(resources: Iterable[Resource]) -> _Referable:
        # Ids of accounts (``username``) name people, not objects: filled, never swapped.
        referable = tuple(
            r
            for r in resources
            if r.id_param and r.item_path and not IDENTITY_NAME.fullmatch(r.id_param)
        )
        by_param: dict[str, int] = {}
        by_stem: dict[str, int] = {}
        for index, resource in enumerate(referable):
            if resource.id_param != "id":
                by_param.setdefault(resource.id_param or "", index)
            by_stem.setdefault(resource.singular, index)
        return _Referable(referable, by_param, by_stem)

    def first(self, name: str) -> Resource | None:
        suffixes = [name[i + 1 :] for i, char in enumerate(name) if char == "_"]
        hits = [self.by_param.get(p) for p in (name, *suffixes)]
        hits += [self.by_stem.get(stem) for stem in _stems(name)]
        found = [hit for hit in hits if hit is not None]
        return self.resources[min(found)] if found else None


def _stems(name: str) -> set[str]:
    """What a resource's singular may be for ``name`` to name it (see _Referable)."""
    cores = [name, *(name[: -len(end)] for end in ("_id", "_key") if name.endswith(end))]
    stems = set(cores)
    for core in cores:
        head, underscore, rest = core.partition("_")
        if underscore and _WORD.fullmatch(head):
            stems.add(rest)
    return stems


def is_admin_operation(op: Operation) -> bool:
    """Meant for admins by its tags, path, id, summary, scopes or an ``x-admin`` style flag."""
    if any(_ADMIN_WORDS.search(t) for t in (*op.tags, *op.scopes)):
        return True
    if any(op.extensions.get(k) for k in ("x-admin", "x-admin-only")):
        return True
    roles = op.extensions.get("x-roles") or op.extensions.get("x-required-roles")
    if isinstance(roles, list) and roles and all(_ADMIN_WORDS.search(str(r)) for r in roles):
        return True
    return any(_ADMIN_WORDS.search(s) for s in op.path.split("/")) or bool(
        _ADMIN_WORDS.search(op.operation_id.replace("_", " "))
    )


def build_model(spec: ApiSpec) -> ApiModel:
    ops = spec.operations
    by_path: dict[str, dict[str, Operation]] = {}
    for op in ops:
        by_path.setdefault(op.path, {})[op.method] = op
    resources = [*_item_resources(by_path), *_singletons(by_path)]
    draft = ApiModel(spec, tuple(_unclaimed_actions(resources)))
    # An operation naming other objects in its body (``/users/{u}/transfers``) acts on those
    # objects, not on the item its path hangs under.
    return ApiModel(
        spec,
        tuple(
            replace(r, actions=tuple(op for op in r.actions if not draft.references(op)))
            for r in draft.resources
        ),
    )


def _unclaimed_actions(resources: list[Resource]) -> Iterable[Resource]:
    """``POST /users/{username}/records`` creates records; it is not an action on a user."""
    claimed = {id(op) for r in resources for op in r.operations() if op not in r.actions}
    for resource in resources:
        actions = tuple(op for op in resource.actions if id(op) not in claimed)
        yield replace(resource, actions=actions) if actions != resource.actions else resource


def _item_resources(by_path: Mapping[str, Mapping[str, Operation]]) -> Iterable[Resource]:
    actions = _actions(by_path)
    for path, methods in sorted(by_path.items()):
        head, _, last = path.rpartition("/")
        name = param_name(last)
        if name is None or not head:
            continue
        collection = _collection(head, by_path)
        coll_ops = by_path.get(collection, {})
        create = coll_ops.get("POST")
        put = methods.get("PUT")
        if create is None and put is not None:
            create = put  # PUT /handles/{handle} with no POST: the client chooses the key
        updates = tuple(
            op for m, op in sorted(methods.items()) if m in ("PUT", "PATCH") and op is not create
        )
        yield Resource(
            collection=collection,
            item_path=path,
            id_param=name,
            create=create,
            list=coll_ops.get("GET"),
            read=methods.get("GET"),
            updates=updates,
            delete=methods.get("DELETE"),
            actions=tuple(actions.get(path, ())),
            client_key=name if create is put and put is not None else _client_key(create, name),
        )


def _collection(head: str, by_path: Mapping[str, Mapping[str, Operation]]) -> str:
    """The collection an item path hangs under: ``/users`` for ``/user/{id}`` when only the
    plural has operations (Flask-RESTful APIs often name items in the singular)."""
    if head in by_path:
        return head
    stem, _, word = head.rpartition("/")
    plurals = [word + "s", word + "es"] + ([word[:-1] + "ies"] if word.endswith("y") else [])
    return next((f"{stem}/{p}" for p in plurals if f"{stem}/{p}" in by_path), head)


def _actions(by_path: Mapping[str, Mapping[str, Operation]]) -> dict[str, list[Operation]]:
    """Path -> the operations on its sub-paths without a parameter (``/{id}/increment``)."""
    found: dict[str, list[Operation]] = {}
    for path, methods in sorted(by_path.items()):
        head, _, verb = path.rpartition("/")
        if param_name(verb) is None:
            found.setdefault(head, []).extend(op for m, op in sorted(methods.items()) if m != "GET")
    return found


def _client_key(create: Operation | None, id_param: str) -> str | None:
    if create is None or create.method != "POST":
        return None
    props = properties(create.body or {})
    if id_param in props:
        return id_param
    if id_param in _GENERIC_KEYS:
        return None
    # ``/books/{book_title}`` created with ``title``, or ``/books/{title}`` with ``book_title``.
    related = [p for p in props if p.endswith("_" + id_param) or id_param.endswith("_" + p)]
    return related[0] if len(related) == 1 else None


def _singletons(by_path: Mapping[str, Mapping[str, Operation]]) -> Iterable[Resource]:
    items = {
        _collection(p.rpartition("/")[0], by_path)
        for p in by_path
        if param_name(p.rpartition("/")[2])
    }
    for path, methods in sorted(by_path.items()):
        if path in items or "GET" not in methods or param_name(path.rpartition("/")[2]):
            continue
        updates = tuple(op for m, op in sorted(methods.items()) if m in ("PUT", "PATCH"))
        if updates or "POST" in methods:
            yield Resource(
                collection=path,
                item_path=path if updates else None,
                create=methods.get("POST"),
                list=methods.get("GET") if not updates else None,
                read=methods.get("GET") if updates else None,
                updates=updates,
                delete=methods.get("DELETE"),
            )
