"""Specs as real servers write them: YAML, Swagger 2 ``formData`` and ``consumes``, OpenAPI form
and multipart bodies, Connexion's ``x-`` extensions, server variables and base paths; and the
scanner sending form bodies, mass-assignment probes included."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import yaml
from werkzeug.formparser import parse_form_data
from werkzeug.test import EnvironBuilder

from dynaguard.dynamic import Identity, Login, Role, ScanOptions, ScanResult, scan
from dynaguard.dynamic.api import build_model
from dynaguard.dynamic.errors import SpecError
from dynaguard.dynamic.http.forms import encode
from dynaguard.dynamic.spec.bodies import FORM, JSON, MULTIPART
from dynaguard.dynamic.spec.load import load_spec, parse_spec
from dynaguard.dynamic.spec.operations import ApiSpec, build_spec
from tests.dynamic.conftest import Served
from tests.dynamic.forms_app import create_app, openapi3, swagger2

IDENTITIES = (
    Identity("alice", Role.USER, headers={"X-API-Key": "alice-key"}),
    Identity("bob", Role.USER, headers={"X-API-Key": "bob-key"}),
)


def _spec(document: dict[str, Any], source: str = "spec.yaml") -> ApiSpec:
    return build_spec(parse_spec(yaml.safe_dump(document).encode(), source))


def test_yaml_is_read_by_name_and_by_content(tmp_path: Path) -> None:
    text = yaml.safe_dump(swagger2())
    for name in ("spec.yaml", "spec.yml", "spec.txt"):
        (tmp_path / name).write_text(text)
        loaded = load_spec(str(tmp_path / name), "http://x", lambda url: (404, b""))
        assert loaded.version == "2.0" and "/cards" in loaded.document["paths"]
    (tmp_path / "bad.yaml").write_text("openapi: [3.0\n")
    with pytest.raises(SpecError, match=r"bad.yaml: invalid YAML: "):
        load_spec(str(tmp_path / "bad.yaml"), "http://x", lambda url: (404, b""))


def test_a_yaml_spec_on_the_target_is_found() -> None:
    served = {"http://x/openapi.yaml": yaml.safe_dump(openapi3()).encode()}

    def fetch(url: str) -> tuple[int, bytes]:
        return (200, served[url]) if url in served else (404, b"")

    assert load_spec(None, "http://x", fetch).source == "http://x/openapi.yaml"


def test_swagger2_form_data_follows_consumes() -> None:
    spec = _spec(swagger2())
    create = spec.find("POST", "/cards")
    update = spec.find("PATCH", "/cards/{card_id}")
    assert create is not None and update is not None
    assert create.media == FORM  # the document's consumes
    assert update.media == MULTIPART  # the operation's own consumes wins
    assert set(create.body["properties"]) == {"display_name", "bio"}  # type: ignore[index]
    assert create.body_required and not update.body_required
    files = swagger2()
    files["paths"]["/cards"]["post"]["parameters"].append(
        {"name": "avatar", "in": "formData", "type": "file"}
    )
    assert _spec(files).operations[0].media == MULTIPART  # a file needs multipart


def test_openapi_form_bodies_and_server_variables() -> None:
    spec = _spec(openapi3())
    assert spec.base_path == "/api/v1"
    create = spec.find("POST", "/cards")
    update = spec.find("PATCH", "/cards/{card_id}")
    assert create is not None and update is not None
    assert (create.media, update.media) == (FORM, MULTIPART)
    assert create.body is not None and set(create.body["properties"]) == {"display_name", "bio"}
    both = openapi3()
    content = both["paths"]["/cards"]["post"]["requestBody"]["content"]
    content["application/vnd.api+json"] = {"schema": {"type": "object"}}
    assert _spec(both).find("POST", "/cards").media == JSON  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://api.example.com/v2/", "/v2"),
        ("/relative/base", "/relative/base"),
        ("relative", "/relative"),
        ("http://{host}:{port}", ""),
        ("{scheme}://example.com/{version}/x?debug=1", "/v3/x"),
    ],
)
def test_server_urls_give_their_path(url: str, base: str) -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": url, "variables": {"version": {"default": "v3"}, "host": {}}}],
        "paths": {},
    }
    assert _spec(document).base_path == base


def test_connexion_extensions_are_kept_and_tolerated() -> None:
    for spec in (_spec(swagger2()), _spec(openapi3())):
        create = spec.find("POST", "/cards")
        assert create is not None and create.operation_id == "cards.api.create"
        assert create.extensions == {"x-openapi-router-controller": "cards.api"}


def test_form_bodies_are_encoded_as_the_operation_takes_them() -> None:
    body = {"name": "a b&c", "tags": ["x", "y"], "admin": True, "n": 3, "meta": {"k": 1}}
    sent, kind = encode(body, FORM)
    assert kind == FORM
    assert parse_qsl(sent.decode()) == [
        ("name", "a b&c"), ("tags", "x"), ("tags", "y"), ("admin", "true"), ("n", "3"),
        ("meta", '{"k": 1}'),
    ]  # fmt: skip
    schema = {"properties": {"avatar": {"type": "string", "format": "binary"}}}
    sent, kind = encode({"avatar": "hi", "name": ["é", "2"], "ok": False}, MULTIPART, schema)
    assert kind.startswith("multipart/form-data; boundary=dynaguard-")
    # Read back by a real server's parser (werkzeug's, what Flask uses).
    environ = EnvironBuilder(method="POST", data=sent, content_type=kind).get_environ()
    _, form, files = parse_form_data(environ)
    assert form.getlist("name") == ["é", "2"] and form["ok"] == "false"
    upload = files["avatar"]
    try:
        assert upload.filename == "dynaguard.txt" and upload.read() == b"hi"
    finally:
        upload.close()
    assert encode([1, 2], FORM) == (b"[1, 2]", JSON)  # a malformed body is meant as sent


@pytest.fixture(params=["swagger2", "openapi3"])
def spec_maker(request: pytest.FixtureRequest) -> Callable[[], dict[str, Any]]:
    return {"swagger2": swagger2, "openapi3": openapi3}[request.param]  # type: ignore[return-value]


def _scan(vulnerable: bool, spec: dict[str, Any]) -> Iterator[ScanResult]:
    served = Served(create_app(vulnerable=vulnerable, spec=spec))
    try:
        yield scan(
            ScanOptions(
                target=served.url, identities=IDENTITIES, active=True, probes=("mass-assignment",)
            )
        )
    finally:
        served.stop()


def test_mass_assignment_through_forms_is_proven(
    spec_maker: Callable[[], dict[str, Any]],
) -> None:
    (result,) = list(_scan(True, spec_maker()))
    assert result.spec_source.endswith("/openapi.yaml")
    found = {(f.rule.id, f.endpoint.method, f.endpoint.path) for f in result.findings if f.endpoint}
    assert ("DG101", "POST", "/cards") in found, [w.message for w in result.warnings]
    assert ("DG102", "PATCH", "/cards/{card_id}") in found
    role = next(f for f in result.findings if f.rule.id == "DG101")
    assert "role (privileged)" in role.message
    forms = [r for r in result.traffic if r.method in ("POST", "PATCH") and "/api/v1/" in r.url]
    assert forms and not any(r.body.startswith(b"{") for r in forms)
    kinds = {dict(r.headers)["Content-Type"].split(";")[0] for r in forms}
    assert kinds == {FORM, MULTIPART}


def test_the_fixed_form_api_has_no_findings(spec_maker: Callable[[], dict[str, Any]]) -> None:
    (result,) = list(_scan(False, spec_maker()))
    assert result.findings == ()
    rows = {f"{r.endpoint.method} {r.endpoint.path}": r for r in result.coverage}
    assert rows["POST /cards"].status == "tested"
    assert rows["PATCH /cards/{card_id}"].status == "tested"


def test_a_json_only_spec_still_sends_json() -> None:
    spec = _spec(json.loads(json.dumps(openapi3()).replace("x-www-form-urlencoded", "json")))
    create = spec.find("POST", "/cards")
    assert create is not None and create.media == JSON
    assert encode({"a": 1}, create.media) == (b'{"a": 1}', JSON)


def test_a_login_the_spec_says_takes_a_form_is_sent_as_one() -> None:
    login = Login(
        path="/api/v1/token",
        body={"username": "alice", "password": "alice-pw"},
        header="X-API-Key",
        prefix="",
    )
    identities = (Identity("alice", Role.USER, login=login), IDENTITIES[1])
    served = Served(create_app(vulnerable=False, spec=openapi3()))
    try:
        options = ScanOptions(target=served.url, identities=identities, probes=("bola-read",))
        result = scan(options)
        json_login = replace(login, form=False)  # the config says JSON: the app refuses it
        refused = scan(replace(options, identities=(Identity("alice", login=json_login),)))
    finally:
        served.stop()
    assert [(s.name, s.ok) for s in result.identities] == [("alice", True), ("bob", True)]
    sent = next(r for r in result.traffic if r.url.endswith("/token"))
    assert sent.body == b"username=alice&password=alice-pw"
    assert not refused.identities[0].ok


def test_the_login_media_comes_from_the_spec_with_or_without_the_base_path() -> None:
    api = build_model(_spec(openapi3()))
    assert api.login_media("POST", "/api/v1/token") == FORM  # as the target sees it
    assert api.login_media("POST", "/token") == FORM  # as the spec writes it
    assert api.login_media("POST", "/auth/login") == JSON  # not in the spec: JSON
    assert api.login_media("GET", "/api/v1/token") == JSON
