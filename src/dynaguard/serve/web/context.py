"""The app's state, kept in ``app.extensions`` (the Flask extension pattern: never a global)."""

from __future__ import annotations

from collections.abc import Callable
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
    validate_target: Callable[[object], str] | None = None
    """Checks a monitor target added through the API and gives its name, or raises ValueError
    naming the key at fault (the monitor's parser, handed in by the CLI: ``serve`` does not
    import ``monitor``); None: such targets cannot be added here."""


def state() -> ServeState:
    found: ServeState = current_app.extensions[EXTENSION]
    return found
