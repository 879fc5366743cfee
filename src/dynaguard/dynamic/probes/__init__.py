"""The probes: one module each; this import list *is* the set of probes (see _registry.py)."""

from __future__ import annotations

from dynaguard.dynamic.probes import (
    anonymous,
    atomicity,
    bfla,
    bola_read,
    bola_reference,
    bola_write,
    exposure,
    expression,
    key_overwrite,
    mass_assignment,
    phantom,
    race,
    stale_version,
    validation,
)
from dynaguard.dynamic.probes._registry import PROBES, Probe, Target, probe

__all__ = [
    "PROBES",
    "Probe",
    "Target",
    "anonymous",
    "atomicity",
    "bfla",
    "bola_read",
    "bola_reference",
    "bola_write",
    "exposure",
    "expression",
    "key_overwrite",
    "mass_assignment",
    "phantom",
    "probe",
    "race",
    "stale_version",
    "validation",
]
