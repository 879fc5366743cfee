"""Dashboard users: argon2id password hashes, the first admin, login throttling."""

from __future__ import annotations

import secrets
import time
from collections import deque
from threading import Lock

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dynaguard.serve import audit
from dynaguard.serve.store import schema

ADMIN = "admin"
# NOTE: argon2-cffi's defaults are RFC 9106's low-memory profile (argon2id, 64 MiB, t=3).
_HASHER = PasswordHasher()
# A hash to verify against when the user does not exist, so both cases take as long.
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


def ensure_admin(session: Session, password: str | None) -> str | None:
    """Create ``admin`` when there are no users; returns the password to show when it was
    generated here (``None`` when a user existed or the password was given)."""
    if session.scalar(select(func.count()).select_from(schema.User)):
        return None
    chosen = password or secrets.token_urlsafe(18)
    session.add(
        schema.User(username=ADMIN, password_hash=_HASHER.hash(chosen), created_at=schema.utc_now())
    )
    audit.record(session, "server", "user.create", None, username=ADMIN)
    return None if password else chosen


def verify(session: Session, username: str, password: str) -> bool:
    user = session.scalars(select(schema.User).where(schema.User.username == username)).first()
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return True


class Throttle:
    """At most ``limit`` failed logins per client address in ``window`` seconds (in memory:
    one server process; behind several workers each keeps its own count)."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = Lock()

    def blocked(self, client: str) -> bool:
        with self._lock:
            return len(self._recent(client)) >= self.limit

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(time.monotonic())

    def _recent(self, client: str) -> deque[float]:
        entries = self._failures.setdefault(client, deque())
        while entries and entries[0] < time.monotonic() - self.window:
            entries.popleft()
        return entries
