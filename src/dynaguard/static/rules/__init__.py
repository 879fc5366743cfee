"""The static checks, one module per rule; this import list is the set of checks."""

from __future__ import annotations

from dynaguard.static.rules import dg101, dg102, dg103, dg701, dg702
from dynaguard.static.rules.base import CHECKS, Check, Hit, RuleCheck, check

__all__ = [
    "CHECKS",
    "Check",
    "Hit",
    "RuleCheck",
    "check",
    "dg101",
    "dg102",
    "dg103",
    "dg701",
    "dg702",
]
