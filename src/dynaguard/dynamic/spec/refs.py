"""``$ref`` resolution inside one document (``#/components/...``, ``#/definitions/...``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dynaguard.dynamic.errors import SpecError

MAX_DEPTH = 16
"""Recursive schemas (a tree of comments) are cut here; samples never need to go deeper."""

VALUE_BUDGET = 100_000
"""Values one resolved parameter, body or response may hold, counted as a tree (what samples and
probes walk). A few refs naming each other fifty times over make 50^4 from a 20 kB spec."""

COPY_BUDGET = 1_000_000
"""Values the resolver may copy for a whole document: what resolving costs in memory."""


def pointer(parts: Iterable[Any]) -> str:
    """The JSON pointer (RFC 6901) of a node, from its keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def target(document: Mapping[str, Any], ref: str) -> Any:
    """The node a local ``$ref`` points to; LookupError says why there is none."""
    if not ref.startswith("#"):
        raise LookupError(f"external $ref {ref!r} is not supported; bundle the spec")
    node: Any = document
    for raw in ref[1:].split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and _index(part) < len(node):
            node = node[int(part)]
        else:
            raise LookupError(f"$ref {ref!r} points to nothing")
    return node


def _index(part: str) -> int:
    """A list index; anything else (``-1``, ``²``, 5,000 digits int() refuses) is past every
    list."""
    return int(part) if part.isascii() and part.isdigit() and len(part) < 10 else 2**63


class Resolver:
    """Resolves local JSON-pointer references; cycles become an empty schema, never a hang."""

    def __init__(self, document: Mapping[str, Any], source: str) -> None:
        self._document = document
        self._source = source
        # id of a node without any $ref below it -> (values in it, height): shared, not copied
        self._plain: dict[int, tuple[int, int] | None] = {}
        # (ref, depth) -> (resolved, values): an expansion no cycle cut is the same everywhere
        self._expanded: dict[tuple[str, int], tuple[Any, int]] = {}
        self._values = 0
        self._copies = 0
        self._cuts = 0
        self.where = ""
        """Pointer of what is being resolved, named when a budget runs out."""

    def lookup(self, ref: str) -> Any:
        """The node a ``$ref`` points to (RFC 6901 pointer after ``#``)."""
        try:
            return target(self._document, ref)
        except LookupError as exc:
            raise SpecError(f"{self._source}: {exc}") from None

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
        """``node`` with every reference replaced by its target. Parts without any are shared
        with the document, not copied: the result is read, never changed."""
        self._values = 0
        return self._deep(node, (), 0)

    def _deep(self, node: Any, stack: tuple[str, ...], depth: int) -> Any:
        if depth > MAX_DEPTH:
            self._spend(1, 0)
            return {}
        plain = self._plain_size(node)
        if plain is not None and plain[1] <= MAX_DEPTH - depth:
            self._spend(plain[0], 0)
            return node
        if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            return self._expand(node["$ref"], stack, depth)
        self._spend(1, 1)
        if isinstance(node, Mapping):
            return {k: self._deep(v, stack, depth + 1) for k, v in node.items()}
        return [self._deep(v, stack, depth + 1) for v in node]

    def _expand(self, ref: str, stack: tuple[str, ...], depth: int) -> Any:
        if ref in stack:
            self._cuts += 1
            self._spend(1, 0)
            return {}
        known = self._expanded.get((ref, depth))
        if known is not None:
            self._spend(known[1], 0)
            return known[0]
        cuts, values = self._cuts, self._values
        resolved = self._deep(self.lookup(ref), (*stack, ref), depth + 1)
        if self._cuts == cuts:
            self._expanded[(ref, depth)] = (resolved, self._values - values)
        return resolved

    def _plain_size(self, node: Any) -> tuple[int, int] | None:
        """(values, height) of a node that holds no ``$ref``; None when it holds one."""
        if not isinstance(node, (Mapping, list)):
            return (1, 0)
        key = id(node)
        if key not in self._plain:
            if isinstance(node, Mapping) and "$ref" in node:
                self._plain[key] = None
            else:
                children = node.values() if isinstance(node, Mapping) else node
                # NOTE: this recursion is bounded: load.py refuses documents nested deeper
                # than MAX_NESTING.
                sizes = [self._plain_size(child) for child in children]
                found = [s for s in sizes if s is not None]
                self._plain[key] = (
                    None
                    if len(found) < len(sizes)
                    else (1 + sum(s[0] for s in found), 1 + max((s[1] for s in found), default=0))
                )
        return self._plain[key]

    def _spend(self, values: int, copies: int) -> None:
        self._values += values
        self._copies += copies
        if self._values > VALUE_BUDGET:
            raise self._over(f"one of its schemas holds more than {VALUE_BUDGET:,} values")
        if self._copies > COPY_BUDGET:
            raise self._over(f"the document's schemas hold more than {COPY_BUDGET:,} values")

    def _over(self, what: str) -> SpecError:
        return SpecError(
            f"{self._source}: {self.where or '/'}: once $refs are resolved, {what} (refs naming "
            "each other over and over?); dynaguard refuses such a spec"
        )
