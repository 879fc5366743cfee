"""What a user declared about their own code (``[tool.dynaguard.models]``), as plain data.

``config.py`` validates the table and builds a :class:`Declarations`; ``declared.py`` is the model
that answers the interpreter from it. Nothing here reads a file: the analyser stays ignorant of
where the declarations came from.

A declared name is dotted (``shop.repo.OrderRepo.save``) and matches a project function or
method, a library function, or a method of a library class, when it is the whole of that thing's
dotted name or its end after a dot (``Names``): the project's modules are named from the scanned
root, so ``shop.repo.OrderRepo.save`` also matches ``src/shop/repo.py``'s ``OrderRepo.save``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Generic, TypeVar

T = TypeVar("T")


class Operation(enum.Enum):
    """The DynamoDB operation a wrapper performs (its boto3 equivalent is in ``wrappers.py``)."""

    PUT = "put"
    GET = "get"
    UPDATE = "update"
    DELETE = "delete"
    QUERY = "query"
    SCAN = "scan"
    BATCH_WRITE = "batch_write"
    TRANSACT_WRITE = "transact_write"


class Role(enum.Enum):
    """A part of the DynamoDB request that a wrapper's parameter holds (or its text fixes)."""

    ITEM = "item"
    KEY = "key"
    UPDATE = "update"
    CONDITION = "condition"
    VALUES = "values"
    TABLE = "table"


_EXPRESSIONS = frozenset({Role.CONDITION, Role.VALUES})
ROLES: Mapping[Operation, frozenset[Role]] = MappingProxyType(
    {
        Operation.PUT: frozenset({Role.ITEM, Role.TABLE, *_EXPRESSIONS}),
        Operation.GET: frozenset({Role.KEY, Role.TABLE}),
        Operation.UPDATE: frozenset({Role.KEY, Role.ITEM, Role.UPDATE, Role.TABLE, *_EXPRESSIONS}),
        Operation.DELETE: frozenset({Role.KEY, Role.TABLE, *_EXPRESSIONS}),
        Operation.QUERY: frozenset({Role.KEY, Role.TABLE, *_EXPRESSIONS}),
        Operation.SCAN: frozenset({Role.TABLE, *_EXPRESSIONS}),
        Operation.BATCH_WRITE: frozenset({Role.ITEM, Role.TABLE}),
        Operation.TRANSACT_WRITE: frozenset(Role),
    }
)
"""The parts each operation takes (an update's ``item``: the attributes it sets)."""
MAPPED = frozenset({Role.ITEM, Role.KEY, Role.VALUES})
"""Parts a wrapper may build from several parameters (``key = { order_id = 0 }``)."""
FIXABLE = frozenset({Role.UPDATE, Role.CONDITION, Role.TABLE})
"""Parts whose text a wrapper may fix itself (``attribute_not_exists(pk)``, a table name)."""

Param = int | str
"""A parameter: its 0-based position among the arguments a caller passes (``self`` and ``cls``
not counted), or its name."""


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A function that performs one DynamoDB operation with what it is given."""

    name: str
    operation: Operation
    params: Mapping[Role, Param] = field(default_factory=dict)
    """The parameter holding each part of the request."""
    fields: Mapping[Role, Mapping[str, Param]] = field(default_factory=dict)
    """For a part (``MAPPED``) the wrapper builds from several parameters: each entry's name
    (key attribute, item attribute, ``:placeholder``) -> the parameter holding its value."""
    fixed: Mapping[Role, str] = field(default_factory=dict)
    """Text the wrapper always uses for a part (``FIXABLE``): a table name, an expression."""


@dataclass(frozen=True, slots=True)
class Declarations:
    """Everything ``[tool.dynaguard.models]`` declares; empty by default."""

    wrappers: tuple[Wrapper, ...] = ()
    identity_functions: tuple[str, ...] = ()
    """Calls that return the authenticated caller's identity."""
    ownership_checks: tuple[str, ...] = ()
    """Calls that deny (raise, abort) unless the caller owns the item or key they are given."""
    authentication_decorators: tuple[str, ...] = ()
    role_decorators: tuple[str, ...] = ()
    """Decorators that check the caller's role or permission (and so authenticate too)."""
    validators: tuple[str, ...] = ()
    """Calls after which their arguments, and what they return, count as validated."""

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


class Names(Generic[T]):
    """Declared dotted names and what was declared of each, found by a name's end."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._by_last: dict[str, list[tuple[str, T]]] = {}
        for name, value in entries:
            self._by_last.setdefault(name.rpartition(".")[2], []).append((name, value))

    @property
    def last_parts(self) -> frozenset[str]:
        """The last part of every name (what a call or decorator must be spelt with)."""
        return frozenset(self._by_last)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name for entries in self._by_last.values() for name, _ in entries)

    def find(self, dotted: str) -> tuple[str, T] | None:
        """The declared name ``dotted`` ends with (at a dot), and what was declared of it."""
        for name, value in self._by_last.get(dotted.rpartition(".")[2], ()):
            if dotted == name or dotted.endswith("." + name):
                return name, value
        return None


def dotted(ref_name: str) -> str | None:
    """The dotted name of what a ref is: ``fn:shop.repo:OrderRepo.save`` ->
    ``shop.repo.OrderRepo.save``, ``ext:lib.save`` -> ``lib.save``."""
    kind, _, rest = ref_name.partition(":")
    if kind == "ext":
        return rest
    if kind in ("fn", "cls", "bound"):
        return rest.replace(":", ".")
    return None


def label(name: str) -> str:
    """How a declared function reads in a finding: ``OrderRepo.save``, ``save_order``."""
    parts = name.split(".")
    if len(parts) > 1 and parts[-2][:1].isupper():
        return ".".join(parts[-2:])
    return parts[-1]
