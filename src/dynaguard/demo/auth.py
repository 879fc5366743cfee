"""Real JWT bearer authentication for both twins, and the demo users.

Tokens are HS256 JWTs signed with a random per-process secret (unless the app is given one), so a
token minted for one twin also works on the other twin served by the same process. Get one with
``POST /auth/token {"username": "alice", "password": "alice-demo-pw"}`` or, in Python,
``issue_token(app, "alice")``.

Authentication is not among the weaknesses the twins show (apart from one route the vulnerable twin
forgot to protect), so it is shared.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec

import jwt
from botocore.exceptions import ClientError
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.security import check_password_hash, generate_password_hash

from dynaguard.demo.db import now, table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

P = ParamSpec("P")

ALGORITHM = "HS256"
TOKEN_TTL = 3600
SECRET_KEY = "DEMO_JWT_SECRET"
"""Flask config key holding the signing secret."""

PROCESS_SECRET = secrets.token_urlsafe(48)
"""The default signing secret: random, and the same for every app in this process."""


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A user seeded into every twin, with a documented demo password."""

    username: str
    password: str
    role: str
    display_name: str
    email: str


DEMO_USERS: Mapping[str, DemoUser] = {
    user.username: user
    for user in (
        DemoUser("alice", "alice-demo-pw", "user", "Alice", "alice@example.com"),
        DemoUser("bob", "bob-demo-pw", "user", "Bob", "bob@example.com"),
        DemoUser("admin", "admin-demo-pw", "admin", "Admin", "admin@example.com"),
    )
}

bp = Blueprint("auth", __name__)


def signing_secret(app_or_secret: Flask | str) -> str:
    """The secret an app signs with, or the secret itself."""
    if isinstance(app_or_secret, Flask):
        return str(app_or_secret.config[SECRET_KEY])
    return app_or_secret


def issue_token(
    app_or_secret: Flask | str, username: str, *, role: str | None = None, ttl: int = TOKEN_TTL
) -> str:
    """A bearer token for ``username``; the role defaults to the demo user's (else ``user``)."""
    if role is None:
        demo = DEMO_USERS.get(username)
        role = demo.role if demo else "user"
    issued = int(time.time())
    claims = {"sub": username, "role": role, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, signing_secret(app_or_secret), algorithm=ALGORITHM)


def error(status: int, code: str, message: str) -> tuple[Response, int]:
    """A JSON error in the same shape as dynaguard.secure's: ``{"error", "message", "details"}``."""
    return jsonify({"error": code, "message": message, "details": {}}), status


def auth_required(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Reject requests without a valid bearer token; put the identity in ``g.user_id``/``g.role``."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        claims = _verified_claims(request.headers.get("Authorization", ""))
        if claims is None:
            response, status = error(401, "unauthenticated", "a valid bearer token is required")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response, status
        g.user_id = claims["sub"]
        g.role = claims.get("role", "user")
        return view(*args, **kwargs)

    return wrapper


def _verified_claims(header: str) -> dict[str, Any] | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_secret(current_app),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp"]},
        )
    except jwt.InvalidTokenError:
        return None
    return claims if isinstance(claims.get("sub"), str) else None


@bp.post("/auth/token")
def token() -> ResponseReturnValue:
    """Exchange a username and password for a bearer token (the role comes from the user item)."""
    body = request.get_json(silent=True)
    fields = body if isinstance(body, dict) else {}
    username, password = fields.get("username"), fields.get("password")
    if not (isinstance(username, str) and isinstance(password, str) and 0 < len(username) <= 64):
        return error(400, "bad_request", "username and password (strings) are required")
    item = table("users").get_item(Key={"username": username}).get("Item") or {}
    stored = item.get("password_hash")
    if not isinstance(stored, str) or not check_password_hash(stored, password):
        return error(401, "unauthenticated", "unknown user or wrong password")
    role = str(item.get("role", "user"))
    access = issue_token(current_app, username, role=role)
    return {"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL, "role": role}


@functools.cache
def _demo_password_hash(password: str) -> str:
    # Hashing is deliberately slow; every app in a process seeds the same three users.
    return generate_password_hash(password)


def seed_demo_users(users: Table) -> None:
    """Create the demo users that do not exist yet (never overwrite a changed one)."""
    for user in DEMO_USERS.values():
        item = {
            "username": user.username,
            "password_hash": _demo_password_hash(user.password),
            "role": user.role,
            "display_name": user.display_name,
            "email": user.email,
            "created_at": now(),
        }
        try:
            users.put_item(Item=item, ConditionExpression="attribute_not_exists(username)")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
