"""The vulnerable twin: the API written the way it often is, each weakness marked in the source.

The first line of every statement that commits a weakness ends with an ``expect`` comment naming
the rule ids of DESIGN.md (see docs/twins.md), so that ``dynaguard code`` can be compared with them.
"""

from __future__ import annotations

from flask import Flask

from dynaguard.demo.vulnerable import admin, handles, records, search, transfers, users


def register(app: Flask) -> None:
    """Add the vulnerable twin's routes to ``app``."""
    for module in (users, admin, records, transfers, handles, search):
        app.register_blueprint(module.bp)
