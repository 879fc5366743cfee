"""The Flask extension: strict bodies, identity loaders, and JSON errors with the right status."""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, g
from pydantic import BaseModel, ConfigDict

from dynaguard.secure import (
    BadRequest,
    ConfigurationError,
    Conflict,
    DynaGuard,
    Forbidden,
    Input,
    KeyStr,
    NotFound,
    OwnedTable,
    SecureError,
    Unauthenticated,
    current_identity,
    flask_login_identity,
    g_identity,
    jwt_identity,
    parse_body,
    to_item,
)

from .secure_support import make_app, signed_in

if TYPE_CHECKING:
    from .secure_support import MakeTable


class Profile(Input):
    name: str
    age: int | None = None


class Address(Input):
    city: str


class Person(Input):
    name: str
    address: Address


def echo_app(**config: Any) -> Flask:
    app = make_app(**config)

    @app.post("/profile")
    def profile() -> dict[str, Any]:
        return parse_body(Profile).model_dump()

    @app.post("/person")
    def person() -> dict[str, Any]:
        return parse_body(Person).model_dump()

    return app


def test_unknown_fields_are_rejected_and_listed() -> None:
    client = echo_app().test_client()
    response = client.post("/profile", json={"name": "a", "role": "admin", "is_admin": True})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request"
    assert sorted(body["details"]["unknown_fields"]) == ["is_admin", "role"]
    assert "role" in body["message"]


def test_nested_unknown_fields_are_listed_with_their_path() -> None:
    client = echo_app().test_client()
    response = client.post("/person", json={"name": "a", "address": {"city": "x", "owner": "b"}})
    assert response.status_code == 400
    assert response.get_json()["details"]["unknown_fields"] == ["address.owner"]


def test_drop_mode_drops_unknown_fields() -> None:
    client = echo_app(DYNAGUARD_UNKNOWN_FIELDS="drop").test_client()
    response = client.post("/profile", json={"name": " a ", "role": "admin"})
    assert response.status_code == 200
    assert response.get_json() == {"name": "a", "age": None}
    nested = client.post("/person", json={"name": "a", "address": {"city": "x", "owner": "b"}})
    assert nested.get_json() == {"name": "a", "address": {"city": "x"}}


def test_drop_mode_still_reports_invalid_fields() -> None:
    client = echo_app(DYNAGUARD_UNKNOWN_FIELDS="drop").test_client()
    response = client.post("/profile", json={"age": "old", "role": "admin"})
    assert response.status_code == 400
    details = response.get_json()["details"]
    assert "unknown_fields" not in details
    assert sorted(e["field"] for e in details["errors"]) == ["age", "name"]


@pytest.mark.parametrize(
    ("data", "content_type", "message"),
    [
        (b'{"name": ', "application/json", "not valid JSON"),
        (b"[1, 2]", "application/json", "JSON object"),
        (b"null", "application/json", "JSON object"),
        (b"name=a", "application/x-www-form-urlencoded", "must be JSON"),
    ],
)
def test_malformed_bodies_are_a_bad_request(data: bytes, content_type: str, message: str) -> None:
    response = echo_app().test_client().post("/profile", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.is_json
    assert message in response.get_json()["message"]


def test_validation_errors_are_field_level() -> None:
    response = echo_app().test_client().post("/profile", json={"name": "a", "age": "x"})
    assert response.status_code == 400
    errors = response.get_json()["details"]["errors"]
    assert [(e["field"], e["type"]) for e in errors] == [("age", "int_parsing")]


def test_parse_body_needs_a_model_that_forbids_extras() -> None:
    class Loose(BaseModel):
        model_config = ConfigDict(extra="allow")
        name: str

    with pytest.raises(TypeError, match="forbid extra"):
        parse_body(Loose, data={"name": "a"})


def test_parse_body_works_outside_a_request() -> None:
    assert parse_body(Profile, data={"name": "a"}).name == "a"
    with pytest.raises(BadRequest):
        parse_body(Profile, data={"name": "a", "x": 1})


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (BadRequest("b", details={"f": 1}), 400, "bad_request"),
        (Unauthenticated(), 401, "unauthenticated"),
        (Forbidden(), 403, "forbidden"),
        (NotFound(), 404, "not_found"),
        (Conflict(details={"expected_version": 2}), 409, "conflict"),
        (SecureError(), 500, "error"),
    ],
)
def test_errors_render_as_json(error: SecureError, status: int, code: str) -> None:
    app = make_app()

    # An app's own HTML handlers for the same codes must not capture the library's errors.
    @app.errorhandler(404)
    @app.errorhandler(409)
    def html(_: Exception) -> tuple[str, int]:
        return "<h1>oops</h1>", 418

    @app.get("/boom")
    def boom() -> str:
        raise error

    response = app.test_client().get("/boom")
    assert response.status_code == status
    assert response.get_json() == {
        "error": code,
        "message": error.message,
        "details": error.details,
    }


def test_error_details_with_decimals_serialise() -> None:
    from decimal import Decimal

    body = Conflict(details={"current_version": Decimal(3), "x": Decimal("1.5")}).get_response()
    assert body.get_json() == {
        "error": "conflict",
        "message": Conflict.default_message,
        "details": {"current_version": 3, "x": "1.5"},
    }


def test_a_route_without_identity_is_401(make_table: MakeTable) -> None:
    app = make_app()
    notes = OwnedTable(make_table("owner", "id"), owner_attribute="owner", sort_attribute="id")

    @app.get("/notes/<note_id>")
    def get_note(note_id: str) -> dict[str, Any]:
        return notes.get(note_id)

    @app.post("/notes")
    def create_note() -> tuple[dict[str, Any], int]:
        return notes.create(to_item(parse_body(Profile), version=1)), 201

    client = app.test_client()
    assert client.get("/notes/x").status_code == 401
    created = client.post("/notes", json={"name": "n"}, headers={"X-User": "alice"})
    assert created.status_code == 201
    note_id = created.get_json()["id"]
    assert client.get(f"/notes/{note_id}", headers={"X-User": "alice"}).status_code == 200
    stolen = client.get(f"/notes/{note_id}", headers={"X-User": "bob"})
    assert (stolen.status_code, stolen.get_json()["error"]) == (404, "not_found")


def test_current_identity_via_g_and_custom_attribute() -> None:
    app = make_app()
    with signed_in(app, "alice"):
        assert current_identity() == "alice"
    other = Flask(__name__)
    other.config["DYNAGUARD_IDENTITY"] = "g:account"
    DynaGuard(other)
    with other.app_context():
        g.account = 42
        assert current_identity() == "42"
        g.account = ""
        with pytest.raises(Unauthenticated):
            current_identity()


def test_constructor_loader_wins_over_config() -> None:
    app = Flask(__name__)
    DynaGuard(app, identity_loader=lambda: "svc")
    with app.app_context():
        assert current_identity() == "svc"


def test_init_app_never_stores_the_app() -> None:
    ext = DynaGuard(identity_loader=g_identity("uid"))
    first, second = Flask("a"), Flask("b")
    ext.init_app(first)
    ext.init_app(second)
    assert "dynaguard" in first.extensions
    assert "dynaguard" in second.extensions
    assert first not in vars(ext).values()
    assert first.config["DYNAGUARD_UNKNOWN_FIELDS"] == "reject"


def test_current_identity_needs_the_extension() -> None:
    with Flask(__name__).app_context(), pytest.raises(ConfigurationError, match="init_app"):
        current_identity()


@pytest.mark.parametrize(
    ("key", "value"),
    [("DYNAGUARD_UNKNOWN_FIELDS", "ignore"), ("DYNAGUARD_IDENTITY", "session")],
)
def test_bad_config_fails_at_init(key: str, value: str) -> None:
    app = Flask(__name__)
    app.config[key] = value
    with pytest.raises(ConfigurationError, match=key):
        DynaGuard(app)


@pytest.mark.parametrize(
    ("setting", "module", "package"),
    [
        ("flask_login", "flask_login", "Flask-Login"),
        ("jwt", "flask_jwt_extended", "Flask-JWT-Extended"),
    ],
)
def test_missing_identity_library_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, setting: str, module: str, package: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail, installed or not
    app = Flask(__name__)
    app.config["DYNAGUARD_IDENTITY"] = setting
    with pytest.raises(ConfigurationError, match=f"pip install {package}"):
        DynaGuard(app)
    loader = flask_login_identity if setting == "flask_login" else jwt_identity
    with Flask(__name__).test_request_context(), pytest.raises(ConfigurationError, match=package):
        loader()


def test_flask_login_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in module with Flask-Login's public surface; the real library is optional.
    user = types.SimpleNamespace(is_authenticated=True, get_id=lambda: "alice")
    monkeypatch.setitem(sys.modules, "flask_login", types.SimpleNamespace(current_user=user))
    app = Flask(__name__)
    app.config["DYNAGUARD_IDENTITY"] = "flask_login"
    DynaGuard(app)
    with app.test_request_context():
        assert current_identity() == "alice"
        user.is_authenticated = False
        with pytest.raises(Unauthenticated):
            current_identity()


def test_jwt_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    def verify_jwt_in_request(*, optional: bool) -> None:
        calls.append(optional)

    stub = types.SimpleNamespace(
        verify_jwt_in_request=verify_jwt_in_request, get_jwt_identity=lambda: "bob"
    )
    monkeypatch.setitem(sys.modules, "flask_jwt_extended", stub)
    app = Flask(__name__)
    app.config["DYNAGUARD_IDENTITY"] = "jwt"
    DynaGuard(app)
    with app.test_request_context():
        assert current_identity() == "bob"
    assert calls == [True]


def test_key_strings_are_non_empty_and_bounded() -> None:
    class Ref(Input):
        id: KeyStr

    assert parse_body(Ref, data={"id": " k "}).id == "k"
    for bad in ("", "   ", "x" * 1025):
        with pytest.raises(BadRequest):
            parse_body(Ref, data={"id": bad})
