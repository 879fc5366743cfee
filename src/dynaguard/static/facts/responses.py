"""What route handlers return: the whole items among the stored data a ``return`` holds (DG801).

The returns themselves are recorded while interpreting (``flow/returns.py``).
"""

from __future__ import annotations

from dynaguard.static.flow.returns import returns_of
from dynaguard.static.flow.values import STORED_BASE, Kind, Value

__all__ = ["returns_of", "whole_reads"]


def whole_reads(value: Value) -> set[int]:
    """The reads (by their label param, ``accesses.read_param``) whose whole items (not single
    attributes) the value holds.

    NOTE: params, not the read's ``Step``: read sites are interned per file position for the
    whole process, with the first ``Step`` seen, so a second analysis in one process (the ref's
    tree under ``--new-since``) would compare its reads with another tree's steps."""
    out = {p for p, k in value.labels if p <= STORED_BASE and k == Kind.BODY}
    for field in value.fields.values():
        out |= whole_reads(field)
    return out
