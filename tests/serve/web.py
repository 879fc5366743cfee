"""Helpers for the web tests: an app on a migrated database, logged-in clients, CSRF tokens."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from werkzeug.test import TestResponse

from dynaguard.serve import accounts
from dynaguard.serve.store.database import sessions
from dynaguard.serve.web import create_app

PASSWORD = "correct horse battery staple"
BASE = "https://localhost"
"""Secure cookies are sent back only over HTTPS, so the test client speaks it."""
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def make_app(engine: Engine) -> Flask:
    with sessions(engine).begin() as session:
        accounts.ensure_admin(session, PASSWORD)
    app = create_app(engine, secure_cookies=True)
    app.config["TESTING"] = True
    return app


def csrf(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path, base_url=BASE).get_data(as_text=True)
    found = _CSRF.search(page)
    assert found, page
    return found.group(1)


def login(client: FlaskClient, path: str = "/login", password: str = PASSWORD) -> TestResponse:
    """Post the login form (with its CSRF token) to ``path``."""
    data = {"username": "admin", "password": password, "csrf": csrf(client)}
    return client.post(path, data=data, base_url=BASE)


def logged_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    response = login(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def new_project(client: FlaskClient, name: str = "shop") -> str:
    """Create a project through the API; its first upload token."""
    response = client.post(
        "/api/v1/projects",
        json={"name": name},
        headers={"X-CSRF-Token": csrf(client, "/")},
        base_url=BASE,
    )
    assert response.status_code == 201, response.get_json()
    token: str = response.get_json()["token"]
    return token
