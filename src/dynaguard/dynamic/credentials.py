"""Every credential a scan holds before it sends a request, handed to its one :class:`Redactor`.

Identity headers (names and values), the secret values of login bodies and the userinfo of the
target and spec URLs. What the scan obtains later (tokens, session cookies) the sessions add as
they log in (``auth.py``); the engine passes everything it emits, returns or raises through the
same redactor (``engine.py``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from dynaguard.dynamic.auth import SUBJECT_FIELDS
from dynaguard.dynamic.http.redact import Redactor
from dynaguard.dynamic.sensitive import is_sensitive_name, normalise
from dynaguard.dynamic.settings import ScanOptions

_NAMES = frozenset(normalise(n) for n in (*SUBJECT_FIELDS, "grant_type", "scope", "client_id"))
"""Login body fields that name the account or the flow; every other string in a login body is
taken for a secret (``pass``, ``pin``, ``otp_code``: names are no guide)."""


def redactor_for(options: ScanOptions) -> Redactor:
    """A redactor that already knows every credential ``options`` carry."""
    redactor = Redactor()
    for url in (options.target, options.spec or ""):
        for secret in userinfo(url):
            redactor.add_secret(secret)
    for identity in options.identities:
        for name, value in identity.headers.items():
            redactor.add_header(name)
            redactor.add_secret(value)
        if identity.login is not None:
            for secret in login_secrets(identity.login.body):
                redactor.add_secret(secret)
    return redactor


def userinfo(url: str) -> set[str]:
    """The credentials in ``scheme://user:password@host``: ``user:password`` as written and
    decoded (httpx sends it base64-encoded in a Basic header) and the password; a user alone
    (``https://TOKEN@host``) is the credential itself."""
    info, at, _ = urlsplit(url).netloc.rpartition("@")
    if not at:
        return set()
    user, colon, password = info.partition(":")
    pair = f"{unquote(user)}:{unquote(password)}"
    # The Basic header's value is a credential in its own right: a server may encode it again.
    found = {info, pair, base64.b64encode(pair.encode("utf-8", "surrogatepass")).decode()}
    if colon:
        found |= {password, unquote(password)}
    return found


def login_secrets(body: Mapping[str, Any]) -> Iterator[str]:
    """The values of a login body that are secrets: strings outside the naming fields, and
    numbers under a sensitive name (``"pin": 1234``)."""
    for name, value in body.items():
        yield from _secrets(value, str(name))


def _secrets(value: Any, key: str) -> Iterator[str]:
    if isinstance(value, Mapping):
        yield from login_secrets(value)
    elif isinstance(value, list):
        for item in value:
            yield from _secrets(item, key)
    elif normalise(key) in _NAMES:
        return
    elif isinstance(value, str):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool) and is_sensitive_name(key):
        yield str(value)
