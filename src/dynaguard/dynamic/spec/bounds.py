"""What a parsed document may be before anything reads it: JSON values only, nested at most
MAX_NESTING deep, no recursive YAML alias, and YAML aliases adding at most ALIAS_BUDGET values.

Walks without recursion, so a hostile document cannot exhaust the stack while being checked. A
quick walk finds whether anything is wrong or shared (a YAML ``*alias``); only then does the
careful one run, which names the place and counts shared nodes as often as they are used.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from dynaguard.dynamic.errors import SpecError
from dynaguard.dynamic.spec.refs import pointer

MAX_NESTING = 128
"""Deeper documents are refused: real specs nest a few dozen levels, and $refs are resolved
only 16 deep (refs.MAX_DEPTH)."""

ALIAS_BUDGET = 100_000
"""Values YAML aliases may add to a document (a "billion laughs" adds 10^9 from 1 kB)."""

_SCALARS = (str, int, float, bool, type(None))
_JSON_SCALARS = frozenset(_SCALARS)

_Path: TypeAlias = tuple[Any, "_Path"] | None
"""A node's keys from the root, innermost first, shared with its parent's."""


def check_bounds(document: Any, source: str) -> None:
    """Raise SpecError naming the first place where ``document`` leaves its bounds."""
    if not _plain(document):
        _check(document, source)


def _plain(document: Any) -> bool:
    """Nothing shared, nothing too deep, only JSON keys and values (any JSON document)."""
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or depth >= MAX_NESTING:
            return False
        seen.add(id(node))
        if type(node) is dict:
            if not all(type(key) is str and _text(key) for key in node):
                return False
            children = node.values()
        else:
            children = node
        for child in children:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind not in _JSON_SCALARS or (kind is str and not _text(child)):
                return False
    return True


def _text(value: str) -> bool:
    """Not holding a lone surrogate (JSON's ``"\ud800"``), which no URL or header can carry."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(document: Any, source: str) -> None:
    sizes: dict[int, int] = {}  # id -> values in the subtree, counted as a tree
    walked = 0  # values the document really holds, each shared one once
    # (node, depth, its path as (key, parent's path), children done?): a post-order walk
    stack: list[tuple[Any, int, _Path, bool]] = [(document, 0, None, False)]
    open_nodes: set[int] = set()
    while stack:
        node, depth, path, done = stack.pop()
        if done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(_size(child, sizes) for child in _children(node))
            continue
        walked += 1
        if not isinstance(node, (dict, list)):
            _check_scalar(node, path, source)
            continue
        if id(node) in open_nodes:
            raise SpecError(f"{source}: {_where(path)}: a YAML alias that contains itself")
        if id(node) in sizes:
            continue
        if depth >= MAX_NESTING:
            raise SpecError(
                f"{source}: {_where(path)}: nested deeper than {MAX_NESTING} levels; "
                "dynaguard refuses such a spec"
            )
        open_nodes.add(id(node))
        stack.append((node, depth, path, True))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise SpecError(f"{source}: {_where(path)}: key {key!r} is not a string")
            if isinstance(key, str) and not _text(key):
                raise SpecError(f"{source}: {_where(path)}: key {key!r} holds a lone surrogate")
            stack.append((child, depth + 1, (key, path), False))
    total = _size(document, sizes)
    if total - walked > ALIAS_BUDGET:
        raise SpecError(
            f"{source}: YAML aliases expand the document from {walked:,} to {total:,} values "
            f"(more than {ALIAS_BUDGET:,} added); dynaguard refuses such a spec"
        )


def _children(node: Any) -> list[Any]:
    return list(node.values()) if isinstance(node, dict) else list(node)


def _size(node: Any, sizes: dict[int, int]) -> int:
    return sizes[id(node)] if isinstance(node, (dict, list)) else 1


def _check_scalar(value: Any, path: _Path, source: str) -> None:
    if not isinstance(value, _SCALARS):
        kind = type(value).__name__
        raise SpecError(
            f"{source}: {_where(path)}: a YAML {kind} is not a JSON value; quote it as a string"
        )
    if isinstance(value, str) and not _text(value):
        raise SpecError(f"{source}: {_where(path)}: {value[:40]!r} holds a lone surrogate")


def _where(path: _Path) -> str:
    """The pointer, its middle elided when it is long (a deep nesting's is thousands long)."""
    keys: list[Any] = []
    while path is not None:
        key, path = path
        keys.append(key)
    keys.reverse()
    if len(keys) > 12:
        return f"{pointer(keys[:6])}/...{pointer(keys[-3:])} ({len(keys)} levels)"
    return pointer(keys) or "/"
