"""Helpers shared by the secure tests (a plain module: conftest is not importable)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import Flask, g, request

from dynaguard.secure import DynaGuard

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

MakeTable = Callable[..., "Table"]
"""``make_table(hash_key, range_key=None, **spec)`` -> a new, uniquely named table."""


def make_app(**config: Any) -> Flask:
    """A Flask app with the extension; the ``X-User`` header plays the app's authentication."""
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    DynaGuard(app)

    @app.before_request
    def authenticate() -> None:
        g.user_id = request.headers.get("X-User")

    return app


@contextmanager
def signed_in(app: Flask, user: str | None) -> Iterator[None]:
    """An app context in which ``current_identity()`` is ``user``."""
    with app.app_context():
        g.user_id = user
        yield
