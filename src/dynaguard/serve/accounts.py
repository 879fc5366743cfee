"""Dashboard users: argon2id password hashes, the first admin and the users admins create,
login throttling. Triage marks and the audit log name the user who acted, so each person logs
in as themselves; a disabled user can no longer log in, and what they did stays theirs."""

from __future__ import annotations

import re
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
MIN_PASSWORD = 12
"""Characters a chosen password must have at least."""
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
"""A user name: what a mark's author and the audit log show, so never markup."""
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
        schema.User(
            username=ADMIN,
            password_hash=_HASHER.hash(chosen),
            created_at=schema.utc_now(),
            admin=True,
        )
    )
    audit.record(session, "server", "user.create", None, username=ADMIN, admin=True)
    return None if password else chosen


class AccountError(ValueError):
    """A user that cannot be created or changed; the message says why."""


def find(session: Session, username: str) -> schema.User | None:
    return session.scalars(select(schema.User).where(schema.User.username == username)).first()


def active(session: Session, username: str) -> schema.User | None:
    """The user, if it exists and is not disabled (checked on every request of a session)."""
    user = find(session, username)
    return user if user is not None and user.disabled_at is None else None


def users(session: Session) -> list[schema.User]:
    return list(session.scalars(select(schema.User).order_by(schema.User.username)))


def create(
    session: Session, username: str, password: str | None, actor: str, *, admin: bool = False
) -> tuple[schema.User, str | None]:
    """A new user; the generated password to show once when none was given."""
    if not USERNAME.fullmatch(username):
        raise AccountError(
            f"user name {username[:100]!r} is not valid: letters, digits, '.', '_', '@' and '-', "
            "starting with a letter or digit, at most 100 characters"
        )
    if find(session, username) is not None:
        raise AccountError(f"a user named {username!r} exists")
    chosen = password if password else secrets.token_urlsafe(18)
    _check_password(chosen)
    user = schema.User(
        username=username,
        password_hash=_HASHER.hash(chosen),
        created_at=schema.utc_now(),
        admin=admin,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", None, username=username, admin=admin)
    return user, None if password else chosen


def set_password(session: Session, user: schema.User, password: str, actor: str) -> None:
    _check_password(password)
    user.password_hash = _HASHER.hash(password)
    audit.record(session, actor, "user.password", None, username=user.username)


def disable(session: Session, user: schema.User, actor: str) -> None:
    if user.username == actor:
        raise AccountError("you cannot disable your own account")
    if user.disabled_at is None:
        user.disabled_at = schema.utc_now()
        audit.record(session, actor, "user.disable", None, username=user.username)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError("a password may have at most 1024 characters")


def verify(session: Session, username: str, password: str) -> bool:
    """The password is the user's, and the user is not disabled (the same work either way)."""
    user = find(session, username)
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None or user.disabled_at is not None:
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
