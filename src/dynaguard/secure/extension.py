"""The Flask extension: ``DynaGuard(app)`` or ``DynaGuard().init_app(app)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dynaguard.secure.errors import BUILTIN_ERRORS, ConfigurationError, SecureError
from dynaguard.secure.identity import loader_from_config
from dynaguard.secure.settings import EXTENSION_KEY, IdentityLoader, Settings, UnknownFields

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.wrappers import Response

CONFIG_DEFAULTS = {
    "DYNAGUARD_UNKNOWN_FIELDS": "reject",
    "DYNAGUARD_IDENTITY": "g:user_id",
}


class DynaGuard:
    """Hardening for a Flask + DynamoDB app: JSON errors, identity, strict request bodies.

    Like every Flask extension it never stores the app; per-app settings live in
    ``app.extensions["dynaguard"]``, read from ``app.config`` when ``init_app`` runs, so set
    ``DYNAGUARD_*`` keys before calling it.
    """

    def __init__(self, app: Flask | None = None, *, identity_loader: IdentityLoader | None = None):
        self._identity_loader = identity_loader
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        for key, value in CONFIG_DEFAULTS.items():
            app.config.setdefault(key, value)
        app.extensions[EXTENSION_KEY] = Settings(
            unknown_fields=_unknown_fields(app.config["DYNAGUARD_UNKNOWN_FIELDS"]),
            identity_loader=self._identity_loader
            or loader_from_config(app.config["DYNAGUARD_IDENTITY"]),
        )
        # One handler per class: Flask files a handler under its class's status code, so the base
        # class alone would catch only 500s. Unregistered subclasses still answer JSON (get_response).
        for error_class in BUILTIN_ERRORS:
            app.register_error_handler(error_class, _render_error)


def _render_error(error: SecureError) -> Response:
    return error.get_response()


def _unknown_fields(value: object) -> UnknownFields:
    if value in ("reject", "drop"):
        return value
    raise ConfigurationError(f"DYNAGUARD_UNKNOWN_FIELDS must be 'reject' or 'drop', not {value!r}")
