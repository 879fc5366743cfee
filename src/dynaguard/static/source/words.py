"""Words of identifiers and strings: ``is_admin`` -> {is, admin, is_admin}; ``hasRole`` ->
{has, role, hasrole} (the authorization and route-name heuristics read names this way)."""

from __future__ import annotations

import functools
import re

WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


# NOTE: a project has tens of thousands of names (handlers, modules, path segments); a smaller
# cache thrashed on the benchmark corpus (docs/benchmarks.md).
@functools.lru_cache(maxsize=1 << 15)
def words(name: str) -> frozenset[str]:
    """``is_admin`` -> {is, admin, is_admin}; ``hasRole`` -> {has, role, hasrole}."""
    parts = {w.lower() for w in WORD.findall(name)}
    return frozenset({*parts, name.lower(), name.lower().replace("_", "")})
