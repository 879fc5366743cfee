"""The catalogue registry; rule modules call :func:`declare` once each."""

from __future__ import annotations

from dynaguard.model import Rule
from dynaguard.registry import Registry

CATALOGUE: Registry[Rule] = Registry("rule")


def declare(rule: Rule) -> Rule:
    """Register a rule of the catalogue and return it (one call per rule module)."""
    return CATALOGUE.add(rule.id, rule)
