"""Projects and their upload tokens (shown once, kept as SHA-256, revocable)."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from dynaguard.serve import audit
from dynaguard.serve.store import schema

TOKEN_PREFIX = "dgu_"
"""Upload tokens start with this, so secret scanners and people recognise them."""
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
"""A project name: safe in URLs and file names, never mistaken for markup."""


class InvalidName(ValueError):
    """A project name that does not match ``NAME``."""


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise InvalidName(
            f"project name {name[:100]!r} is not valid: letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, at most 100 characters"
        )
    return name


def find(session: Session, name: str) -> schema.Project | None:
    return session.scalars(select(schema.Project).where(schema.Project.name == name)).first()


def create(session: Session, name: str, actor: str) -> schema.Project:
    project = schema.Project(name=check_name(name), created_at=schema.utc_now())
    session.add(project)
    session.flush()
    audit.record(session, actor, "project.create", project.id, name=name)
    return project


def token_hash(token: str) -> str:
    # NOTE: a fast hash is enough here: tokens are 256 random bits, nothing to guess; passwords,
    # which people choose, get argon2 (accounts.py).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, project: schema.Project, name: str, actor: str) -> str:
    """A new upload token for ``project``; the caller shows it once, only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = schema.UploadToken(
        project_id=project.id,
        name=name[:200],
        token_hash=token_hash(token),
        created_at=schema.utc_now(),
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "token.issue", project.id, token_id=row.id, name=row.name)
    return token


def revoke_token(session: Session, token_id: int, actor: str) -> bool:
    row = session.get(schema.UploadToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = schema.utc_now()
    audit.record(session, actor, "token.revoke", row.project_id, token_id=row.id, name=row.name)
    return True


def project_for_token(session: Session, token: str) -> schema.Project | None:
    """The project an unrevoked token uploads to, or None."""
    row = session.scalars(
        select(schema.UploadToken).where(
            schema.UploadToken.token_hash == token_hash(token),
            schema.UploadToken.revoked_at.is_(None),
        )
    ).first()
    return session.get(schema.Project, row.project_id) if row else None


def tokens(session: Session, project_id: int) -> list[schema.UploadToken]:
    return list(
        session.scalars(
            select(schema.UploadToken)
            .where(schema.UploadToken.project_id == project_id)
            .order_by(schema.UploadToken.id)
        )
    )
