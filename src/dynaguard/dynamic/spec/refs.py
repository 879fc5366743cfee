"""``$ref`` resolution inside one document (``#/components/...``, ``#/definitions/...``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.dynamic.errors import SpecError

MAX_DEPTH = 16
"""Recursive schemas (a tree of comments) are cut here; samples never need to go deeper."""


class Resolver:
    """Resolves local JSON-pointer references; cycles become an empty schema, never a hang."""

    def __init__(self, document: Mapping[str, Any], source: str) -> None:
        self._document = document
        self._source = source

    def lookup(self, ref: str) -> Any:
        """The node a ``$ref`` points to (RFC 6901 pointer after ``#``)."""
        if not ref.startswith("#"):
            raise SpecError(
                f"{self._source}: external $ref {ref!r} is not supported; bundle the spec"
            )
        node: Any = self._document
        for raw in ref[1:].split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise SpecError(f"{self._source}: $ref {ref!r} points to nothing")
        return node

    def shallow(self, node: Any) -> Any:
        """Follow ``$ref`` chains at the top of ``node`` only."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                return {}
            seen.add(ref)
            node = self.lookup(ref)
        return node

    def deep(self, node: Any) -> Any:
        """A copy of ``node`` with every reference replaced by its target."""
        return self._deep(node, (), 0)

    def _deep(self, node: Any, stack: tuple[str, ...], depth: int) -> Any:
        if depth > MAX_DEPTH:
            return {}
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if isinstance(ref, str):
                if ref in stack:
                    return {}
                return self._deep(self.lookup(ref), (*stack, ref), depth + 1)
            return {k: self._deep(v, stack, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self._deep(v, stack, depth + 1) for v in node]
        return node
