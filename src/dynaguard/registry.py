"""A small typed registry keyed by id (NOTE: the shape follows schemathesis' Registry[T]).

Imports nothing from the project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class DuplicateIdError(ValueError):
    """Two entries claimed the same id."""


class Registry(Generic[T]):
    """Entries registered under unique string ids, iterated in id order."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._entries: dict[str, T] = {}

    def add(self, key: str, entry: T) -> T:
        if key in self._entries:
            raise DuplicateIdError(f"{self._kind} {key!r} is registered twice")
        self._entries[key] = entry
        return entry

    def register(self, key: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def decorate(entry: T) -> T:
            return self.add(key, entry)

        return decorate

    def get(self, key: str) -> T | None:
        return self._entries.get(key)

    def __getitem__(self, key: str) -> T:
        return self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(self._entries[k] for k in sorted(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[str]:
        return sorted(self._entries)
