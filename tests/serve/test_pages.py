"""The pages: login (argon2, throttled, fixation-safe), cookies, CSRF on every form, and each
page rendered from stored scans with no script."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from tests.serve.reports import as_json, dynamic, static
from tests.serve.web import BASE, PASSWORD, csrf, logged_in, login, make_app, new_project

A = static("DG101", "app/users.py", "create_user", "table.put_item(Item=body)")
B = static("DG201", "app/users.py", "get_user", "table.get_item(Key=key)")


@pytest.fixture
def app(engine: Engine) -> Flask:
    return make_app(engine)


def _post(client: FlaskClient, path: str, data: dict[str, str], form_page: str) -> tuple[int, str]:
    response = client.post(path, data={**data, "csrf": csrf(client, form_page)}, base_url=BASE)
    return response.status_code, response.get_data(as_text=True)


def test_session_cookie_flags(app: Flask) -> None:
    cookie = login(app.test_client()).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_wrong_passwords_are_throttled(app: Flask) -> None:
    client = app.test_client()
    statuses = [
        _post(client, "/login", {"username": "admin", "password": "nope"}, "/login")[0]
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    good = _post(client, "/login", {"username": "admin", "password": PASSWORD}, "/login")
    assert good[0] == 429  # even the right password waits out the window


def test_forms_without_the_csrf_token_are_refused(app: Flask) -> None:
    client = logged_in(app)
    response = client.post("/projects", data={"name": "shop"}, base_url=BASE)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    no_login = app.test_client().post("/login", data={"username": "admin", "password": PASSWORD})
    assert no_login.status_code == 400


def test_login_redirects_only_to_local_paths(app: Flask) -> None:
    response = login(app.test_client(), "/login?next=//evil.example/x")
    assert response.headers["Location"] == "/"


def test_a_new_project_shows_its_token_once(app: Flask) -> None:
    client = logged_in(app)
    status, page = _post(client, "/projects", {"name": "shop"}, "/")
    assert status == 201
    token = re.search(r"dgu_[A-Za-z0-9_-]+", page)
    assert token is not None
    assert token.group(0) not in client.get("/projects/shop", base_url=BASE).get_data(as_text=True)


def test_pages_show_scans_charts_findings_and_a_findings_life(app: Flask) -> None:
    client = logged_in(app)
    token = new_project(client)
    upload = {"Authorization": f"Bearer {token}"}
    proof = dynamic("DG801", "GET", "/users/{id}")
    for n, findings in enumerate([(A, B), (A, proof), (A, B, proof)]):
        client.post(
            f"/api/v1/projects/shop/scans?label=run-{n}",
            data=as_json(*findings),
            headers=upload,
            base_url=BASE,
        )
    project = client.get("/projects/shop", base_url=BASE).get_data(as_text=True)
    assert project.count("<svg") == 2
    assert "run-2" in project and "<script" not in project
    listing = client.get("/projects/shop/findings?state=reopened", base_url=BASE)
    text = listing.get_data(as_text=True)
    assert "1 finding." in text
    finding_id = re.search(r"/projects/shop/findings/(\d+)", text)
    assert finding_id is not None
    path = f"/projects/shop/findings/{finding_id.group(1)}"
    life = client.get(path, base_url=BASE).get_data(as_text=True)
    assert [m for m in re.findall(r"state-(\w+)\">", life)][1:] == ["new", "fixed", "reopened"]
    status, _ = _post(
        client,
        f"{path}/triage",
        {"kind": "accepted_risk", "reason": "internal only", "expires": "2999-01-01"},
        path,
    )
    assert status == 302
    marked = client.get(path, base_url=BASE).get_data(as_text=True)
    assert "accepted risk" in marked and "until 2999-01-01" in marked


def test_a_finding_and_its_proof_uploaded_apart_show_as_one(app: Flask) -> None:
    client = logged_in(app)
    token = new_project(client)
    upload = {"Authorization": f"Bearer {token}"}
    proof = dynamic("DG101", "POST", "/create_user")
    for label, text in (("code", as_json(A)), ("scan", as_json(proof, target="http://h:1"))):
        client.post(
            f"/api/v1/projects/shop/scans?label={label}", data=text, headers=upload, base_url=BASE
        )
    listing = client.get("/projects/shop/findings", base_url=BASE).get_data(as_text=True)
    assert "1 finding." in listing and 'class="confirmed"' in listing
    (path,) = set(re.findall(r"/projects/shop/findings/\d+", listing))
    page = client.get(path, base_url=BASE).get_data(as_text=True)
    assert "confirmed: app/users.py:10, proven on POST /create_user" in page
    assert "joined with" in page and proof.fingerprint in page
    assert "Life of the proof" in page
    project = client.get("/projects/shop", base_url=BASE).get_data(as_text=True)
    assert "<td>code</td>" in project and "<td>API</td>" in project
