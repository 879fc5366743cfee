"""The static checks, one module per rule; this import list is the set of checks."""

from __future__ import annotations

from dynaguard.static.rules import (
    dg101,
    dg102,
    dg103,
    dg201,
    dg202,
    dg203,
    dg301,
    dg302,
    dg401,
    dg402,
    dg403,
    dg404,
    dg501,
    dg502,
    dg601,
    dg602,
    dg701,
    dg702,
    dg801,
)
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
    "dg201",
    "dg202",
    "dg203",
    "dg301",
    "dg302",
    "dg401",
    "dg402",
    "dg403",
    "dg404",
    "dg501",
    "dg502",
    "dg601",
    "dg602",
    "dg701",
    "dg702",
    "dg801",
]
