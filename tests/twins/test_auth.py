"""The shared authentication: real HS256 JWTs, demo users, and a server that stops cleanly."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from flask import Flask

from dynaguard.demo import DEMO_USERS, create_app, issue_token, serve, tables
from dynaguard.demo.auth import PROCESS_SECRET
from dynaguard.lab import Lab, delete_tables
from tests.twins.twin_helpers import Twin


@pytest.mark.parametrize("username", sorted(DEMO_USERS))
def test_demo_users_get_tokens_with_their_documented_passwords(twin: Twin, username: str) -> None:
    user = DEMO_USERS[username]
    response = twin.request(
        "POST", "/auth/token", json={"username": username, "password": user.password}
    )
    assert response.status_code == 200
    claims = jwt.decode(response.json()["access_token"], twin.secret, algorithms=["HS256"])
    assert (claims["sub"], claims["role"]) == (username, user.role)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "alice", "password": "wrong"}, 401),
        ({"username": "nobody", "password": "whatever"}, 401),
        ({"username": "alice"}, 400),
        ({"username": "", "password": "x"}, 400),
    ],
)
def test_token_route_refuses_bad_credentials(twin: Twin, body: dict[str, str], status: int) -> None:
    response = twin.request("POST", "/auth/token", json=body)
    assert response.status_code == status
    assert response.json()["error"] in {"unauthenticated", "bad_request"}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-jwt",
        "Basic YWxpY2U6YWxpY2UtZGVtby1wdw==",
        f"Bearer {issue_token('another-secret-0123456789abcdef0123456789', 'alice')}",
    ],
    ids=["garbage", "basic", "foreign-secret"],
)
def test_protected_routes_refuse_invalid_tokens(twin: Twin, header: str) -> None:
    response = twin.http.get("/users/alice", headers={"Authorization": header})
    assert response.status_code == 401


def test_expired_token_is_refused(twin: Twin) -> None:
    token = issue_token(twin.secret, "alice", ttl=-1)
    assert (
        twin.http.get("/users/alice", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )


def test_issue_token_takes_an_app_or_a_secret(lab: Lab) -> None:
    prefix = "auth_default_"
    app = create_app("vulnerable", dynamodb=lab.resource(), table_prefix=prefix)
    delete_tables(lab.client(), [spec.name for spec in tables(prefix)])
    # No secret given: the process-wide one, so one token serves every twin of this process.
    assert isinstance(app, Flask) and app.config["DEMO_JWT_SECRET"] == PROCESS_SECRET
    claims = jwt.decode(issue_token(app, "admin"), PROCESS_SECRET, algorithms=["HS256"])
    assert claims["role"] == "admin" and claims["exp"] > time.time()
    assert (
        jwt.decode(issue_token(PROCESS_SECRET, "carol"), PROCESS_SECRET, algorithms=["HS256"])[
            "role"
        ]
        == "user"
    )


def test_create_app_rejects_an_unknown_kind(lab: Lab) -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        create_app("insecure", dynamodb=lab.resource())  # type: ignore[arg-type]


def test_served_app_stops_and_releases_its_port() -> None:
    app = Flask("probe")
    app.add_url_rule("/ping", "ping", lambda: "pong")
    with serve(app) as running:
        assert running.url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{running.url}/ping").text == "pong"
    running.stop()  # a second stop is harmless
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{running.url}/ping", timeout=1.0)
