"""Who is calling: identity loaders and ``current_identity``.

Keys of owned items are derived from this identity, never from client input alone (DG201).
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import g

from dynaguard.secure.errors import ConfigurationError, Unauthenticated
from dynaguard.secure.settings import IdentityLoader, current_settings

# Loader kind -> (module imported lazily, package to install).
_OPTIONAL = {
    "flask_login": ("flask_login", "Flask-Login"),
    "jwt": ("flask_jwt_extended", "Flask-JWT-Extended"),
}


def current_identity() -> str:
    """The authenticated identity of the current request, via the configured loader.

    Raises ``Unauthenticated`` (401) when the loader finds none.
    """
    loader = current_settings(required=True).identity_loader
    if loader is None:  # pragma: no cover - init_app always sets one
        raise ConfigurationError("DynaGuard has no identity loader")
    identity = loader()
    if identity is None or identity == "":
        raise Unauthenticated()
    return identity


def g_identity(attr: str = "user_id") -> IdentityLoader:
    """A loader reading ``flask.g.<attr>``, set by the app's own authentication (e.g. a decorator)."""

    def load() -> str | None:
        return _as_identity(getattr(g, attr, None), f"g.{attr}")

    return load


def flask_login_identity() -> str | None:
    """Flask-Login's ``current_user.get_id()`` when the user is authenticated."""
    flask_login = _require("flask_login")
    user = flask_login.current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return _as_identity(user.get_id(), "current_user.get_id()")


def jwt_identity() -> str | None:
    """Flask-JWT-Extended's ``get_jwt_identity()``; an invalid token raises its own errors."""
    jwt = _require("jwt")
    jwt.verify_jwt_in_request(optional=True)
    return _as_identity(jwt.get_jwt_identity(), "get_jwt_identity()")


def loader_from_config(value: object) -> IdentityLoader:
    """The loader named by ``DYNAGUARD_IDENTITY``: ``g:<attr>``, ``flask_login`` or ``jwt``."""
    if isinstance(value, str) and value.startswith("g:") and value[2:].isidentifier():
        return g_identity(value[2:])
    if value == "flask_login":
        _check_installed("flask_login")
        return flask_login_identity
    if value == "jwt":
        _check_installed("jwt")
        return jwt_identity
    raise ConfigurationError(
        f"DYNAGUARD_IDENTITY must be 'g:<attribute>', 'flask_login' or 'jwt', not {value!r}"
    )


def _as_identity(value: object, source: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    # An integer primary key is common; bool is an int too but never an identity.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ConfigurationError(f"{source} must be a string identity, not {type(value).__name__}")


def _check_installed(kind: str) -> None:
    # Fail at init_app, not on the first request, when the configured library is absent.
    _require(kind)


def _require(kind: str) -> Any:
    # Imported lazily: both libraries are optional and most apps use only one of them.
    try:
        return importlib.import_module(_OPTIONAL[kind][0])
    except ImportError as exc:
        raise _missing(kind) from exc


def _missing(kind: str) -> ConfigurationError:
    package = _OPTIONAL[kind][1]
    return ConfigurationError(
        f"identity loader {kind!r} needs {package}, which is not installed: pip install {package}"
    )
