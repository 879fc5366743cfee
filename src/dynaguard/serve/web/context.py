"""The app's state, kept in ``app.extensions`` (the Flask extension pattern: never a global)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from dynaguard.serve.accounts import Throttle

EXTENSION = "dynaguard_serve"


@dataclass
class ServeState:
    sessions: sessionmaker[Session]
    """Where each request's ``g.db`` comes from."""
    throttle: Throttle
    """Failed logins per client address."""


def state() -> ServeState:
    found: ServeState = current_app.extensions[EXTENSION]
    return found
