"""The extension's per-app settings, validated once by ``init_app``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flask import current_app, has_app_context

from dynaguard.secure.errors import ConfigurationError

EXTENSION_KEY = "dynaguard"
"""Key of the settings in ``app.extensions``."""

UnknownFields = Literal["reject", "drop"]
IdentityLoader = Callable[[], "str | None"]
"""Returns the authenticated identity of the current request, or None when there is none."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What ``DynaGuard.init_app`` read from ``app.config``."""

    unknown_fields: UnknownFields = "reject"
    """``DYNAGUARD_UNKNOWN_FIELDS``: reject request bodies with unknown fields (400) or drop them."""
    identity_loader: IdentityLoader | None = None
    """The loader chosen by the constructor or by ``DYNAGUARD_IDENTITY``."""


DEFAULT_SETTINGS = Settings()


def current_settings(*, required: bool = False) -> Settings:
    """The settings of the current app; defaults outside an app, unless ``required``."""
    if not has_app_context():
        if required:
            raise ConfigurationError("dynaguard needs a Flask application context here")
        return DEFAULT_SETTINGS
    settings = current_app.extensions.get(EXTENSION_KEY)
    if isinstance(settings, Settings):
        return settings
    if required:
        raise ConfigurationError(
            "DynaGuard is not initialised on this app: call DynaGuard(app) or init_app(app)"
        )
    return DEFAULT_SETTINGS
