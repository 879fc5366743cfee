"""Credentials out of everything shown: evidence, curl lines and logs.

Known secrets (static header values, login passwords, tokens obtained) are replaced wherever they
appear; sensitive headers and JSON attributes are masked whatever their value; JWTs are masked on
sight. Bodies are cut to a readable length.
"""

from __future__ import annotations

import json
import re
import shlex
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.sensitive import JWT, is_sensitive_name
from dynaguard.model import Exchange

REDACTED = "<redacted>"
BODY_LIMIT = 2_000
"""Characters of a body kept in evidence."""

_SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-access-token",
        "x-csrf-token",
    }
)


class Redactor:
    """Masks the scan's credentials; thread-safe, learns secrets as identities log in."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._headers: set[str] = set(_SENSITIVE_HEADERS)
        self._lock = threading.Lock()

    def add_secret(self, value: str) -> None:
        # Short values ("1", "a") would mask half the report and protect nothing.
        if len(value) >= 4:
            with self._lock:
                self._secrets.add(value)
                for part in value.split(" ", 1)[1:]:  # "Bearer abc": the token alone too
                    if len(part) >= 4:
                        self._secrets.add(part)

    def add_header(self, name: str) -> None:
        with self._lock:
            self._headers.add(name.lower())

    def sensitive_header(self, name: str) -> bool:
        return name.lower() in self._headers

    def text(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return JWT.sub(REDACTED, text)

    def headers(self, pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        return tuple((k, REDACTED if self.sensitive_header(k) else self.text(v)) for k, v in pairs)

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        query = [
            (k, REDACTED if is_sensitive_name(k) else v) for k, v in parse_qsl(parts.query, True)
        ]
        clean = urlunsplit(parts._replace(query=urlencode(query, safe="<>")))
        return self.text(clean)

    def body(self, raw: bytes, limit: int = BODY_LIMIT) -> str:
        text = self.text(_masked(raw.decode("utf-8", errors="replace")))
        if len(text) > limit:
            return f"{text[:limit]}... ({len(text) - limit} more characters)"
        return text

    def exchange(self, call: Call, note: str = "") -> Exchange:
        """The call as redacted, truncated evidence with a curl line to reproduce it."""
        request, response = call.request, call.response
        return Exchange(
            method=request.method,
            url=self.url(request.url),
            request_headers=self.headers(request.headers),
            request_body=self.body(request.body),
            status=call.status,
            response_body=self.body(response.body) if response else call.error,
            identity=request.identity,
            note=note,
            curl=self.curl(call),
        )

    def curl(self, call: Call) -> str:
        """``curl`` with credentials replaced by ``$DG_<IDENTITY>_<HEADER>`` variables."""
        request = call.request
        parts = ["curl", "-X", request.method, shlex.quote(self.url(request.url))]
        for name, value in request.headers:
            if name.lower() in ("user-agent", "accept", "content-length"):
                continue
            if self.sensitive_header(name) or self.text(value) != value:
                parts += ["-H", f'"{name}: ${{{_variable(request.identity, name)}}}"']
            else:
                parts += ["-H", shlex.quote(f"{name}: {value}")]
        if request.body:
            parts += ["--data-raw", shlex.quote(self.body(request.body, limit=4_000))]
        return " ".join(parts)


def _variable(identity: str, header: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", f"DG_{identity}_{header}".upper())


def _masked(text: str) -> str:
    """JSON with sensitive attributes' values masked; other text as it is."""
    try:
        return json.dumps(_mask(json.loads(text)), ensure_ascii=False)
    except ValueError:
        return text


def _mask(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                f"{REDACTED} ({len(v)} characters)"
                if is_sensitive_name(k) and isinstance(v, str) and v
                else _mask(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_mask(v) for v in node]
    return node
