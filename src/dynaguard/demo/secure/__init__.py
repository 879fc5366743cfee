"""The secure twin: the same API, each weakness fixed with ``dynaguard.secure``."""

from __future__ import annotations

from flask import Flask

from dynaguard.demo.secure import admin, handles, records, search, transfers, users
from dynaguard.secure import DynaGuard


def register(app: Flask) -> None:
    """Add the secure twin's routes to ``app``, behind the DynaGuard extension."""
    # The shared auth decorator sets g.user_id, DynaGuard's default identity source.
    DynaGuard(app)
    for module in (users, admin, records, transfers, handles, search):
        app.register_blueprint(module.bp)
