"""What route handlers return: the whole items among the stored data a ``return`` holds (DG801).

The returns themselves are recorded while interpreting (``flow/returns.py``).
"""

from __future__ import annotations

from dynaguard.static.flow.accesses import read_site
from dynaguard.static.flow.returns import returns_of
from dynaguard.static.flow.values import STORED_BASE, Kind, Step, Value

__all__ = ["returns_of", "whole_reads"]


def whole_reads(value: Value) -> set[Step]:
    """The read sites whose whole items (not single attributes) the value holds."""
    out = {
        site
        for p, k in value.labels
        if p <= STORED_BASE and k == Kind.BODY and (site := read_site(p)) is not None
    }
    for field in value.fields.values():
        out |= whole_reads(field)
    return out
