"""Who the scan acts as: identities with static headers or a login request, and ``${ENV}``."""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dynaguard.dynamic.errors import ScanConfigError

ANONYMOUS = "anonymous"
"""The implicit identity that sends no credentials."""

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""A header name (RFC 9110 token)."""
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")
"""A header value dynaguard sends: printable ASCII, spaces and tabs."""


class Role(enum.Enum):
    """What an identity is allowed to do in the target API."""

    USER = "user"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Login:
    """A request that exchanges credentials for a token, repeated when the token expires (401)."""

    path: str
    """Path of the login operation on the target, e.g. ``/auth/token``."""
    method: str = "POST"
    """HTTP method of the login request."""
    body: Mapping[str, Any] = field(default_factory=dict)
    """JSON body sent, e.g. ``{"username": "alice", "password": "..."}`` (``${ENV}`` expanded)."""
    token: str | None = None
    """Where the token is in the JSON response: a JSON pointer (``/access_token``) or a dotted
    path (``data.token``); ``None`` tries ``access_token``, ``token``, ``id_token``, ``jwt``."""
    cookie: str | None = None
    """Take this cookie from the response instead of a body token (cookie sessions)."""
    header: str = "Authorization"
    """Header that carries the token on later requests."""
    prefix: str = "Bearer "
    """Text put before the token in that header."""
    form: bool | None = None
    """Send the body as a URL-encoded form (OAuth2's password flow) rather than JSON; ``None``:
    as the spec's login operation takes it, JSON when the spec does not say."""


@dataclass(frozen=True, slots=True)
class Identity:
    """One account the scan uses; two non-admin identities are needed to prove BOLA."""

    name: str
    """Name shown in evidence, e.g. ``alice``."""
    role: Role = Role.USER
    """``user`` or ``admin``."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Static headers sent with every request (Bearer, API key, Basic, Cookie)."""
    login: Login | None = None
    """Login request, when the identity logs in instead of (or as well as) static headers."""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def expand_env(value: str, key: str, env: Mapping[str, str] | None = None) -> str:
    """Replace ``${VAR}`` by the variable's value; a missing variable is an error naming both."""
    environ = os.environ if env is None else env

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ScanConfigError(f"{key}: environment variable {name} is not set")
        return environ[name]

    return _ENV_REF.sub(substitute, value)


def expand_tree(value: Any, key: str, env: Mapping[str, str] | None = None) -> Any:
    """``expand_env`` over every string of a JSON-like value (login bodies are nested)."""
    if isinstance(value, str):
        return expand_env(value, key, env)
    if isinstance(value, Mapping):
        return {k: expand_tree(v, f"{key}.{k}", env) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_tree(v, f"{key}[{i}]", env) for i, v in enumerate(value)]
    return value


def check_header_name(name: str, key: str) -> None:
    """A header name is a token: a space, a colon or a line break would forge another header."""
    if not _TOKEN.fullmatch(name):
        raise ScanConfigError(
            f"{key}: {name!r} is not a header name (letters, digits and !#$%&'*+-.^_`|~)"
        )


def check_header_value(value: str, key: str, written: str) -> None:
    """A CR or LF would end the header and start one the user never wrote; other control
    characters and non-ASCII text are refused by HTTP libraries mid-scan. The value (``written``
    before ``${ENV}`` expansion) is a credential: the error never shows it."""
    if _FIELD_VALUE.fullmatch(value):
        return
    names = ", ".join(f"${{{name}}}" for name in _ENV_REF.findall(written))
    expanded = f" (as {names} expands)" if names else ""
    raise ScanConfigError(
        f"{key}: the header value{expanded} has a line break, a control character or "
        "non-ASCII text (the value is not shown)"
    )


def check_name(name: str, key: str) -> str:
    if not _NAME.fullmatch(name) or name == ANONYMOUS:
        raise ScanConfigError(
            f"{key}: identity name {name!r} must be 1-40 letters, digits, '_', '.' or '-' "
            f"and not {ANONYMOUS!r}"
        )
    return name


def parse_identity_flag(text: str, env: Mapping[str, str] | None = None) -> Identity:
    """``NAME:ROLE:HEADER=VALUE`` (``--identity``); VALUE may contain ``:`` and ``${ENV}``."""
    key = "--identity"
    parts = text.split(":", 2)
    if len(parts) != 3 or "=" not in parts[2]:
        raise ScanConfigError(f"{key} {_shown(text)}: expected NAME:ROLE:HEADER=VALUE")
    name, role, header = parts
    try:
        parsed_role = Role(role.lower())
    except ValueError:
        raise ScanConfigError(f"{key} {name}: role {role!r} is not 'user' or 'admin'") from None
    header_name, _, value = header.partition("=")
    if not header_name.strip():
        raise ScanConfigError(f"{key} {name}: the header name is empty")
    check_header_name(header_name.strip(), f"{key} {name}")
    expanded = expand_env(value, f"{key} {name}", env)
    check_header_value(expanded, f"{key} {name}", value)
    return Identity(
        name=check_name(name, key),
        role=parsed_role,
        headers={header_name.strip(): expanded},
    )


def _shown(text: str) -> str:
    # The flag carries a credential: name only what precedes the header value.
    return repr(text.split("=", 1)[0] + ("=..." if "=" in text else ""))
