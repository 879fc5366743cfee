"""Which attribute names hold secrets: used to redact evidence and to prove DG801."""

from __future__ import annotations

import re

_CONTAINS = ("password", "passwd", "secret", "apikey", "privatekey", "accesskey", "credential")
_EXACT = frozenset({"pwd", "hash", "pwhash", "passhash", "salt", "ssn", "otp", "totp", "pin"})
_TOKEN_NOT_SECRET = frozenset({"tokentype", "tokenexpiry", "tokenexpiresin"})

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
"""A JSON Web Token anywhere in a text."""


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_sensitive_name(name: str) -> bool:
    """True for ``password``, ``password_hash``, ``api_key``, ``refreshToken``, ``ssn`` and kin."""
    key = normalise(name)
    if key in _TOKEN_NOT_SECRET:
        return False
    return key in _EXACT or key.endswith("token") or any(stem in key for stem in _CONTAINS)
