"""Credentials out of everything shown: evidence, curl lines, messages, errors and logs.

Known secrets (static header values, login passwords, URL userinfo, tokens and cookies obtained)
are replaced wherever they appear, in any spelling (``spelling.py``: URL-, JSON-, HTML-, base64-
or ``bytes``-escaped); sensitive headers and JSON attributes are masked whatever their value; JWTs
are masked on sight. Bodies are cut to a readable length.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import shlex
import threading
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.http.spelling import patterns
from dynaguard.dynamic.sensitive import JWT, is_sensitive_name
from dynaguard.model import Exchange, Rule

REDACTED = "<redacted>"
"""What replaces a credential in every output (documented in docs/scan.md)."""
BODY_LIMIT = 2_000
"""Characters of a body kept in evidence."""
SHORTEST = 4
"""Shorter values are not masked: they would mask half the report and protect nothing."""
_WIDEST = 80
"""Most characters one character of a secret takes in a spelling ``spelling.py`` matches (four
UTF-8 bytes behind sixteen backslashes each)."""
_ROUNDS = 4
"""Replacing one secret can make another appear around the marker; a few rounds settle it."""

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

T = TypeVar("T")


class Redactor:
    """Masks the scan's credentials; thread-safe, learns secrets as identities log in."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._headers: set[str] = set(_SENSITIVE_HEADERS)
        self._lock = threading.Lock()
        self._patterns: list[re.Pattern[str]] = []
        """Two per secret (spelling.py), longest secret first: one that contains another goes
        whole."""

    def add_secret(self, value: str) -> None:
        """Mask ``value`` from now on, and its parts a server may repeat alone: the token of
        ``Bearer <token>``, the ``user:password`` and password of ``Basic <base64>``, and the
        value without surrounding whitespace (``key\\n`` sent, ``key`` echoed)."""
        found = {value, value.strip(), *_parts(value.strip())}
        found |= {v.strip() for v in found}  # a Basic pair ``user:pass\r`` echoed without it
        with self._lock:
            self._secrets |= {v for v in found if len(v) >= SHORTEST}
            ordered = sorted(self._secrets, key=lambda s: (-len(s), s))
            self._patterns = [compiled for s in ordered for compiled in _compiled(s)]

    def add_header(self, name: str) -> None:
        with self._lock:
            self._headers.add(name.lower())

    def sensitive_header(self, name: str) -> bool:
        return name.lower() in self._headers

    def text(self, text: str) -> str:
        with self._lock:
            patterns = self._patterns
        for _ in range(_ROUNDS):
            replaced = 0
            for found in patterns:
                text, count = found.subn(REDACTED, text)
                replaced += count
            if not replaced:
                break
        return JWT.sub(REDACTED, text)

    def deep(self, value: T) -> T:
        """``value`` with every string inside it redacted: dataclasses (findings, events,
        reports), tuples, lists and mappings, keys included. Catalogue rules are the project's
        own text and fingerprints are digests (baselines need them intact): both stay as they
        are."""
        result: T = self._deep(value)
        return result

    def _deep(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Rule):
            return value
        if is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: self._deep(getattr(value, f.name))
                for f in fields(value)
                if f.init and f.name != "fingerprint"
            }
            return replace(value, **changes)
        if isinstance(value, tuple):
            return tuple(self._deep(v) for v in value)
        if isinstance(value, list):
            return [self._deep(v) for v in value]
        if isinstance(value, Mapping):
            return {self._deep(k): self._deep(v) for k, v in value.items()}
        return value

    def _window(self, limit: int) -> int:
        """Characters of a text to redact so that its first ``limit`` are clean: a secret that
        straddles the cut is still whole in the window."""
        with self._lock:
            longest = max((len(s) for s in self._secrets), default=0)
        return limit + longest * _WIDEST

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
        text = _masked(raw.decode("utf-8", errors="replace"))
        # Only what is shown is redacted: a 1 MB body would take seconds.
        shown = self.text(text[: self._window(limit)])
        if len(text) > limit:
            return f"{shown[:limit]}... ({len(text) - limit} more characters)"
        return shown

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


@functools.lru_cache(maxsize=256)
def _compiled(secret: str) -> tuple[re.Pattern[str], ...]:
    # Cached: identities log in again and again, and each compile takes milliseconds.
    return tuple(re.compile(source) for source in patterns(secret))


def without_userinfo(url: str) -> str:
    """``url`` with anything before its last ``@`` masked, for errors about URLs that may not
    even parse (``http://user:pa/ss@host``)."""
    if "@" not in url:
        return url
    scheme, sep, _ = url.partition("://")
    return (f"{scheme}://" if sep else "") + f"{REDACTED}@" + url.rpartition("@")[2]


def _parts(value: str) -> set[str]:
    """What ``<scheme> <token>`` holds: the token, and a Basic token's pair and password."""
    scheme, _, token = value.partition(" ")
    if not token:
        return set()
    parts = {token.strip()}
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(token, validate=True).decode("utf-8")
        except ValueError:
            return parts
        parts |= {pair, pair.partition(":")[2]}
    return parts


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
