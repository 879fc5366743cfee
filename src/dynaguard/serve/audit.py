"""The audit log: one row per thing a person or a token did. Rows are only ever added."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dynaguard.serve.store import schema


def record(
    session: Session, actor: str, action: str, project_id: int | None, **detail: Any
) -> None:
    """Add an entry in the caller's transaction, so it is kept exactly when the change is."""
    session.add(
        schema.AuditEntry(
            at=schema.utc_now(), actor=actor, action=action, project_id=project_id, detail=detail
        )
    )
