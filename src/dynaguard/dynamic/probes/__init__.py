"""The probes: one module each; this import list *is* the set of probes (see _registry.py)."""

from __future__ import annotations

from dynaguard.dynamic.probes import (
    account_takeover,
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
    privilege_escalation,
    race,
    sign_up,
    stale_version,
    validation,
)
from dynaguard.dynamic.probes._registry import PROBES, Probe, Target, probe

__all__ = [
    "PROBES",
    "Probe",
    "Target",
    "account_takeover",
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
    "privilege_escalation",
    "probe",
    "race",
    "sign_up",
    "stale_version",
    "validation",
]
