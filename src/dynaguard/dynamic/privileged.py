"""Attribute names a server should control: planted by the mass-assignment probes, and put back
first when the scan changed them on an object it did not create."""

from __future__ import annotations

import re

from dynaguard.dynamic.api import IDENTITY_NAME

PRIVILEGED = (
    "role",
    "is_admin",
    "admin",
    "tier",
    "version",
    "balance",
    "credit",
    "verified",
    "status",
    "created_at",
)
"""Server-controlled names worth trying on every write (DESIGN.md, DG103)."""
NUMERIC = frozenset({"version", "balance", "credit"})
OWNER_FIELDS = ("owner", "owner_id", "user_id", "created_by")
"""Names that may hold the owning identity: sent with *another* identity's id."""
_GRANTS = re.compile(r"role|admin|owner|permission|scope|group|privilege|superuser|staff", re.I)


def is_privileged(name: str) -> bool:
    """Grants rights or names an owner: ``role``, ``is_admin``, ``owner_id``, ``permissions``..."""
    return (
        name in PRIVILEGED
        or name in OWNER_FIELDS
        or bool(IDENTITY_NAME.fullmatch(name))
        or bool(_GRANTS.search(name))
    )
