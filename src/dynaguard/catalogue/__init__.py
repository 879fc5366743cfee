"""The rule catalogue: one module per rule, metadata declared once.

The import list below *is* the catalogue (a rule exists once an engine implements it and it has
true and false fixtures). Ids are stable and listed in ../shared/DESIGN.md.
"""

from __future__ import annotations

from dynaguard.catalogue import (
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
from dynaguard.catalogue._registry import CATALOGUE
from dynaguard.model import Rule

__all__ = [
    "CATALOGUE",
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
    "get_rule",
    "matches",
    "parse_selectors",
    "select_rules",
]


def get_rule(rule_id: str) -> Rule:
    """The rule with this id; raises KeyError naming the id."""
    rule = CATALOGUE.get(rule_id.upper())
    if rule is None:
        raise KeyError(rule_id)
    return rule


def matches(rule: Rule, selectors: tuple[str, ...]) -> bool:
    """True when a selector names the rule's id or a prefix of it (``DG1``, ``DG10``)."""
    return any(rule.id.startswith(s.upper()) for s in selectors)


def parse_selectors(selectors: tuple[str, ...]) -> tuple[str, ...]:
    """``--select`` / ``--ignore`` values, upper-cased; a ValueError names the first that is not
    a rule id or category, or that selects no rule (a typo must not silently select nothing)."""
    for selector in selectors:
        if not selector.upper().startswith("DG") or not selector[2:].isdigit():
            raise ValueError(f"{selector!r} is not a rule id or category (e.g. DG101, DG1)")
        if not any(rule.id.startswith(selector.upper()) for rule in CATALOGUE):
            raise ValueError(f"{selector!r} names no rule (`dynaguard rules` lists them)")
    return tuple(s.upper() for s in selectors)


def select_rules(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    """Rules chosen by ``--select`` (all when empty) minus ``--ignore``."""
    chosen = [r for r in CATALOGUE if not select or matches(r, select)]
    return tuple(r for r in chosen if not matches(r, ignore))
