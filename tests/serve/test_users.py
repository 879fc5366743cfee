"""Users beyond the first admin, on SQLite and PostgreSQL: an admin creates them, each logs in
with their own password, their marks and the audit log name them, and a disabled user is out."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dynaguard.serve.store import schema
from tests.serve.reports import as_json, static
from tests.serve.web import BASE, csrf, logged_in, make_app, new_project

A = static("DG101", "app/users.py", "create_user", "table.put_item(Item=body)")
ANA = "ana-has-a-long-password"


@pytest.fixture
def app(engine: Engine) -> Flask:
    return make_app(engine)


def _as(app: Flask, username: str, password: str) -> FlaskClient:
    client = app.test_client()
    data = {"username": username, "password": password, "csrf": csrf(client)}
    assert client.post("/login", data=data, base_url=BASE).status_code == 302
    return client


def _json(client: FlaskClient, method: str, path: str, body: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.open(
        path, method=method, json=body, headers={"X-CSRF-Token": csrf(client, "/")}, base_url=BASE
    )
    return response.status_code, response.get_json()


def test_each_user_logs_in_as_themselves_and_is_named_as_the_author(
    app: Flask, engine: Engine
) -> None:
    admin = logged_in(app)
    status, created = _json(admin, "POST", "/api/v1/users", {"username": "ana", "password": ANA})
    assert (status, created["admin"], "password" not in created) == (201, False, True)
    status, generated = _json(admin, "POST", "/api/v1/users", {"username": "bo"})
    assert status == 201 and len(generated["password"]) >= 12
    token = new_project(admin)
    admin.post(
        "/api/v1/projects/shop/scans",
        data=as_json(A),
        headers={"Authorization": f"Bearer {token}"},
        base_url=BASE,
    )
    ana, bo = _as(app, "ana", ANA), _as(app, "bo", generated["password"])
    url = "/api/v1/projects/shop/findings/1/triage"
    assert _json(ana, "POST", url, {"kind": "accepted_risk", "reason": "internal"})[0] == 201
    assert _json(bo, "DELETE", url, None)[0] == 200
    with Session(engine) as session:
        marks = session.scalars(select(schema.TriageMark)).all()
        entries = session.execute(
            select(schema.AuditEntry.actor, schema.AuditEntry.action).order_by(schema.AuditEntry.id)
        ).all()
    assert [m.author for m in marks] == ["ana"]
    assert [tuple(e) for e in entries if e.action.startswith(("triage", "user"))] == [
        ("server", "user.create"),
        ("admin", "user.create"),
        ("admin", "user.create"),
        ("ana", "triage.mark"),
        ("bo", "triage.revoke"),
    ]
    page = ana.get("/projects/shop/findings/1", base_url=BASE).get_data(as_text=True)
    assert "by ana" not in page and "ana: accepted risk" in page


def test_only_admins_manage_users(app: Flask) -> None:
    admin = logged_in(app)
    _json(admin, "POST", "/api/v1/users", {"username": "ana", "password": ANA})
    ana = _as(app, "ana", ANA)
    assert _json(ana, "POST", "/api/v1/users", {"username": "eve", "password": ANA})[0] == 403
    assert ana.get("/users", base_url=BASE).status_code == 403
    assert _json(ana, "PUT", "/api/v1/users/admin/password", {"password": ANA})[0] == 403
    assert "/users" not in ana.get("/", base_url=BASE).get_data(as_text=True)
    assert 'href="/users"' in admin.get("/", base_url=BASE).get_data(as_text=True)
    listed = admin.get("/api/v1/users", base_url=BASE).get_json()["users"]
    assert [(u["username"], u["admin"]) for u in listed] == [("admin", True), ("ana", False)]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"username": "<b>", "password": ANA}, 400, "is not valid"),
        ({"username": "ana", "password": "short"}, 400, "at least 12 characters"),
        ({"username": "admin", "password": ANA}, 409, "exists"),
        ({"username": "ana", "admin": "yes"}, 400, "'admin' must be true or false"),
    ],
)
def test_bad_users_are_refused_naming_why(
    app: Flask, body: dict[str, object], status: int, message: str
) -> None:
    code, answer = _json(logged_in(app), "POST", "/api/v1/users", body)
    assert code == status and message in answer["error"]


def test_a_disabled_user_is_logged_out_and_cannot_log_in(app: Flask) -> None:
    admin = logged_in(app)
    _json(admin, "POST", "/api/v1/users", {"username": "ana", "password": ANA})
    ana = _as(app, "ana", ANA)
    assert ana.get("/api/v1/projects", base_url=BASE).status_code == 200
    status, answer = _json(admin, "DELETE", "/api/v1/users/ana", None)
    assert (status, answer["disabled"]) == (200, True)
    assert ana.get("/api/v1/projects", base_url=BASE).status_code == 401
    again = app.test_client()
    data = {"username": "ana", "password": ANA, "csrf": csrf(again)}
    assert again.post("/login", data=data, base_url=BASE).status_code == 401
    assert _json(admin, "DELETE", "/api/v1/users/admin", None)[0] == 400  # not oneself


def test_users_change_their_own_password_with_the_current_one(app: Flask) -> None:
    admin = logged_in(app)
    _json(admin, "POST", "/api/v1/users", {"username": "ana", "password": ANA})
    ana = _as(app, "ana", ANA)
    new = "ana-chose-another-password"
    wrong = {"password": new, "current_password": "not it at all"}
    assert _json(ana, "PUT", "/api/v1/users/ana/password", wrong)[0] == 403
    right = {"password": new, "current_password": ANA}
    assert _json(ana, "PUT", "/api/v1/users/ana/password", right)[0] == 200
    _as(app, "ana", new)
    # The page form does the same.
    page = ana.post(
        "/account",
        data={"current_password": new, "password": ANA, "csrf": csrf(ana, "/account")},
        base_url=BASE,
    )
    assert "your password was changed" in page.get_data(as_text=True)
    _as(app, "ana", ANA)


def test_an_admin_creates_users_through_the_page(app: Flask) -> None:
    admin = logged_in(app)
    page = admin.post(
        "/users", data={"username": "bo", "csrf": csrf(admin, "/users")}, base_url=BASE
    )
    assert page.status_code == 201
    text = page.get_data(as_text=True)
    assert "User bo created" in text and "shown only this once" in text
