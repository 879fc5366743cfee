"""Sessions: an identity's credentials, its login (repeated on 401) and what names it.

A session also learns the identity's *subjects* (login name, JWT ``sub``): values the API may
use as owner ids, needed to fill ``/users/{user_id}`` and to plant "another identity's" owner.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.dynamic.http.client import Call, HttpClient
from dynaguard.dynamic.http.forms import encode
from dynaguard.dynamic.http.redact import Redactor
from dynaguard.dynamic.identity import ANONYMOUS, Identity, Login, Role
from dynaguard.dynamic.spec.bodies import FORM, JSON

_TOKEN_FIELDS = ("access_token", "token", "id_token", "jwt", "accessToken", "idToken")
SUBJECT_FIELDS = ("username", "user", "login", "email", "user_id", "userId", "name")
"""Login body fields that name the account (its owner id), not a credential."""
_ID_FIELDS = ("user_id", "userId", "userid", "uid")
_SUBJECT_CLAIMS = ("sub", "username", "user_id", "uid", "email", "preferred_username")


@dataclass(frozen=True, slots=True)
class IdentityStatus:
    """Whether an identity really authenticates, and why we think so."""

    name: str
    ok: bool
    detail: str


class Session:
    """Acts as one identity (or as nobody): headers for each request, login and refresh."""

    def __init__(
        self,
        identity: Identity | None,
        http: HttpClient,
        redactor: Redactor,
        *,
        login_media: str = JSON,
    ) -> None:
        self.identity = identity
        self._login_media = login_media
        """How the spec says the login operation takes its body (``Login.form`` overrides)."""
        self._http = http
        self._redactor = redactor
        self._token_headers: dict[str, str] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self.subjects: list[str] = [identity.name] if identity else []
        self.status: IdentityStatus | None = None
        # The redactor knows these headers already (credentials.py); they may name the subject.
        for value in (identity.headers if identity else {}).values():
            self._learn_from_jwt(value)

    @property
    def name(self) -> str:
        return self.identity.name if self.identity else ANONYMOUS

    @property
    def role(self) -> Role | None:
        return self.identity.role if self.identity else None

    @property
    def subject(self) -> str:
        """The value the API most likely stores as this identity's owner id."""
        return self.subjects[0] if self.subjects else self.name

    def headers(self) -> dict[str, str]:
        static = dict(self.identity.headers) if self.identity else {}
        with self._lock:
            return {**static, **self._token_headers}

    def login(self) -> Call | None:
        """Run the login request, if any; returns the call (None when there is no login)."""
        login = self.identity.login if self.identity else None
        if login is None:
            return None
        self._learn_from_body(login.body)
        form = login.form if login.form is not None else self._login_media != JSON
        body, media = encode(dict(login.body), FORM if form else JSON)
        headers = dict(self.identity.headers) if self.identity else {}
        call = self._http.send(
            login.method,
            self._http.target + login.path,
            body=body,
            identity=self.name,
            headers={**headers, "Content-Type": media},
        )
        token = _extract(call, login)
        if token:
            # A session cookie travels in Cookie whatever the defaults say about bearer tokens.
            header, prefix = ("Cookie", "") if login.cookie else (login.header, login.prefix)
            self._redactor.add_header(header)
            self._redactor.add_secret(token)
            if login.cookie:
                self._redactor.add_secret(token.partition("=")[2])  # the value echoed alone
            self._learn_from_jwt(token)
            self._learn_from_answer(call.json())
            with self._lock:
                self._token_headers = {header: prefix + token}
                self._generation += 1
        return call

    def refresh(self, generation: int) -> bool:
        """Log in again after a 401, once per token generation (parallel 401s share one login)."""
        if self.identity is None or self.identity.login is None:
            return False
        with self._lock:
            if self._generation != generation:
                return True  # another thread already refreshed
        call = self.login()
        return call is not None and call.ok

    @property
    def generation(self) -> int:
        with self._lock:
            return self._generation

    def _learn_from_body(self, body: Mapping[str, Any]) -> None:
        for field in SUBJECT_FIELDS:
            value = body.get(field)
            if isinstance(value, str) and value and value not in self.subjects:
                self.subjects.insert(0, value)
                break

    def _learn_from_answer(self, document: Any) -> None:
        """The account's id in a login answer (``{"access_token": ..., "user_id": 7}``): what
        ``/users/{user_id}`` takes, often a number where the login name is text."""
        if not isinstance(document, dict):
            return
        found = next((document[f] for f in _ID_FIELDS if document.get(f) is not None), None)
        if isinstance(found, (str, int)) and not isinstance(found, bool) and str(found):
            if str(found) in self.subjects:
                self.subjects.remove(str(found))
            self.subjects.insert(0, str(found))

    def _learn_from_jwt(self, value: str) -> None:
        claims = jwt_claims(value.rsplit(" ", maxsplit=1)[-1])
        for claim in reversed(_SUBJECT_CLAIMS):
            found = claims.get(claim)
            if isinstance(found, (str, int)) and str(found) not in self.subjects:
                self.subjects.insert(0, str(found))


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (it is our own identity's token); {} if not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


def _extract(call: Call, login: Login) -> str | None:
    if not call.ok or call.response is None:
        return None
    if login.cookie:
        for name, value in call.response.headers:
            if name.lower() == "set-cookie" and value.startswith(login.cookie + "="):
                return value.split(";", 1)[0]
        return None
    document = call.json()
    if login.token:
        found = _follow(document, login.token)
        return str(found) if isinstance(found, (str, int)) and found != "" else None
    for field in _TOKEN_FIELDS:
        if isinstance(document, dict) and isinstance(document.get(field), str):
            return str(document[field])
    return None


def _follow(document: Any, where: str) -> Any:
    """A JSON pointer (``/data/token``) or a dotted path (``data.token``)."""
    parts = where.lstrip("/").split("/") if where.startswith("/") else where.split(".")
    node = document
    for raw in parts:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
