"""Who may do what: login sessions, upload tokens, CSRF, and the headers every answer carries.

Pages and most of the API need a logged-in session; a request with ``Authorization: Bearer``
is judged by that token alone (its session cookie ignored), may only upload to and read the
triage of its own project, and needs no CSRF token because a browser never sends it by itself.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Response, abort, g, jsonify, redirect, request, session, url_for

from dynaguard.serve import accounts, projects
from dynaguard.serve.store import schema

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""No script at all, nothing from another origin, forms only to this server."""
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"

F = TypeVar("F", bound=Callable[..., Any])


def csrf_token() -> str:
    """The session's CSRF token (made on first use); forms carry it in a hidden field."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Before every request: a state-changing request by cookie must carry the CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or bearer_token() is not None:
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        abort(400, description="missing or wrong CSRF token: reload the page and try again")


def secure_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_user() -> str | None:
    found = session_user()
    return found.username if found is not None else None


def session_user() -> schema.User | None:
    """The logged-in user, looked up once per request: a user disabled since logging in is
    logged out at their next request."""
    if bearer_token() is not None:
        return None
    if "session_user" not in g:
        name = session.get("user")
        g.session_user = accounts.active(g.db, name) if isinstance(name, str) else None
    found: schema.User | None = g.session_user
    return found


def login_required(view: F) -> F:
    """Pages redirect to the login form; the API answers 401."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if request.path.startswith("/api/"):
                return jsonify(error="log in, or send an upload token where one is accepted"), 401
            return redirect(url_for("pages.login", next=request.path))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def admin_required(view: F) -> F:
    """``login_required``, and the user must be an admin (403 otherwise)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = session_user()
        if user is not None and not user.admin:
            abort(403, description="only an admin may manage users")
        return view(*args, **kwargs)

    return login_required(cast(F, wrapper))


def token_project() -> schema.Project | None:
    """The project of the request's upload token, or None (no token, unknown or revoked)."""
    token = bearer_token()
    return projects.project_for_token(g.db, token) if token else None
