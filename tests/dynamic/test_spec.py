"""Reading API descriptions: OpenAPI 3.0/3.1, Swagger 2.0, $ref, discovery, samples, resources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dynaguard.dynamic.api import build_model, is_admin_operation
from dynaguard.dynamic.errors import SpecError
from dynaguard.dynamic.markers import Markers
from dynaguard.dynamic.spec.load import load_spec, parse_spec
from dynaguard.dynamic.spec.operations import build_spec
from dynaguard.dynamic.spec.samples import sample
from tests.dynamic.notes_spec import SPEC as NOTES

TWINS_SPEC = Path(__file__).resolve().parents[2] / "src" / "dynaguard" / "demo" / "openapi.json"

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "pets", "version": "1"},
    "basePath": "/api/v1",
    "definitions": {
        "Pet": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "age": {"type": "integer", "minimum": 0},
                "owner": {"$ref": "#/definitions/Person"},
            },
        },
        "Person": {
            "type": "object",
            "properties": {"pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}},
        },
    },
    "paths": {
        "/pets": {
            "post": {
                "parameters": [
                    {
                        "in": "body",
                        "name": "pet",
                        "required": True,
                        "schema": {"$ref": "#/definitions/Pet"},
                    }
                ],
                "responses": {
                    "201": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}
                },
            }
        },
        "/pets/{pet_id}": {
            "get": {
                "parameters": [
                    {"in": "path", "name": "pet_id", "type": "string", "required": True}
                ],
                "responses": {"200": {"description": "ok"}},
            },
            "delete": {
                "parameters": [
                    {"in": "path", "name": "pet_id", "type": "string", "required": True}
                ],
                "responses": {"204": {"description": "ok"}},
            },
        },
        "/pets/{pet_id}/photo": {
            "put": {
                "consumes": ["application/x-www-form-urlencoded"],
                "parameters": [
                    {"in": "path", "name": "pet_id", "type": "string", "required": True},
                    {"in": "formData", "name": "caption", "type": "string", "required": True},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


def _parse(document: dict[str, object], source: str = "spec.json") -> object:
    return build_spec(parse_spec(json.dumps(document).encode(), source))


def test_openapi_31_with_refs_all_of_and_type_lists() -> None:
    spec = build_spec(parse_spec(json.dumps(NOTES).encode(), "notes"))
    assert spec.version == "3.1"
    create = spec.find("POST", "/notes")
    assert create is not None and create.body is not None
    assert create.body["required"] == ["text"]  # $ref resolved
    assert create.body_example == {"text": "hello"}
    note = create.responses["201"]
    assert {"note_id", "likes", "text"} <= set(note["allOf"][1]["properties"]) | set(
        note["allOf"][0]["properties"]
    )
    login = spec.find("POST", "/login")
    assert login is not None and login.public
    assert not create.public and create.security == (("apiKey", ()),)


def test_swagger_20_body_form_data_base_path_and_recursive_refs() -> None:
    spec = build_spec(parse_spec(json.dumps(SWAGGER).encode(), "pets"))
    assert (spec.version, spec.base_path) == ("2.0", "/api/v1")
    create = spec.find("POST", "/pets")
    assert create is not None and create.body is not None
    owner = create.body["properties"]["owner"]
    assert owner["properties"]["pets"]["items"] == {}  # the cycle back to Pet is cut, not followed
    photo = spec.find("PUT", "/pets/{pet_id}/photo")
    assert photo is not None and photo.body == {
        "type": "object",
        "properties": {"caption": {"type": "string"}},
        "required": ["caption"],
    }
    assert [p.name for p in photo.path_params] == ["pet_id"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"openapi": "2.5", "paths": {}}, "unsupported version '2.5'"),
        ({"openapi": "3.0.0"}, "no 'paths' object"),
        ([1, 2], "top level is not an object"),
        ({"openapi": "3.0.0", "paths": {"/a": {"$ref": "#/nowhere"}}}, "points to nothing"),
        ({"openapi": "3.0.0", "paths": {"/a": {"$ref": "other.json#/a"}}}, "external $ref"),
    ],
)
def test_bad_documents_say_what_is_wrong(document: object, message: str) -> None:
    with pytest.raises(
        SpecError, match="spec.json: .*" + message.replace("(", r"\(").replace("$", r"\$")
    ):
        _parse(document)  # type: ignore[arg-type]


def test_not_json_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match=r"spec\.json: not UTF-8"):
        parse_spec(b"\xff\xfe", "spec.json")


def test_discovery_tries_openapi_then_swagger() -> None:
    asked: list[str] = []

    def fetch(url: str) -> tuple[int, bytes]:
        asked.append(url)
        return (200, json.dumps(SWAGGER).encode()) if url.endswith("/swagger.json") else (404, b"")

    document = load_spec(None, "http://127.0.0.1:9", fetch)
    assert asked == ["http://127.0.0.1:9/openapi.json", "http://127.0.0.1:9/swagger.json"]
    assert document.source.endswith("/swagger.json")
    with pytest.raises(
        SpecError,
        match=r"tried /openapi.json \(404\), /swagger.json \(404\), /openapi.yaml \(404\), "
        r"/swagger.yaml \(404\); pass --spec",
    ):
        load_spec(None, "http://127.0.0.1:9", lambda url: (404, b""))


def test_spec_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        load_spec(str(tmp_path / "missing.json"), "http://127.0.0.1:9", lambda url: (500, b""))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(NOTES), encoding="utf-8")
    assert load_spec(str(path), "http://x", lambda url: (500, b"")).version == "3.1"


def test_samples_use_examples_defaults_enums_and_bounds() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "size": {"type": "integer", "minimum": 5, "maximum": 9},
            "ratio": {"type": "number", "exclusiveMinimum": 2},
            "when": {"type": "string", "format": "date-time"},
            "email": {"type": "string", "format": "email"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "code": {"type": "string", "pattern": "^[A-Z]{3}$", "example": "ABC"},
            "secret": {"type": "string", "readOnly": True},
            "colour": {"type": "string", "default": "red"},
        },
    }
    markers = Markers("0badcafe")
    value = sample(schema, markers)
    assert value["name"].startswith("dg_0badcafe_")
    assert value["email"].endswith("@example.com") and markers.owns(value["email"])
    assert value["kind"] == "a" and value["size"] == 5 and value["ratio"] == 3
    assert value["when"] == "2024-01-01T00:00:00Z" and value["code"] == "ABC"
    assert len(value["tags"]) == 2 and "secret" not in value
    assert value["colour"].startswith("dg_")  # free text carries a marker, even with a default
    assert sample(schema)["colour"] == "red"  # ...and the default without markers


def test_resources_of_the_twins_spec() -> None:
    model = build_model(build_spec(parse_spec(TWINS_SPEC.read_bytes(), "twins")))
    records = model.by_id_param("record_id")
    assert records is not None
    assert records.collection == "/users/{username}/records"
    assert records.create is not None and records.create.key == "POST /users/{username}/records"
    assert [op.key for op in records.actions] == [
        "POST /users/{username}/records/{record_id}/increment"
    ]
    handles = model.by_id_param("handle")
    assert handles is not None and handles.client_key == "handle"
    users = model.by_id_param("username")
    assert users is not None and users.client_key == "username"
    transfers = model.spec.find("POST", "/users/{username}/transfers")
    assert transfers is not None and model.resource_of(transfers) is None  # acts on records
    assert [name for name, _ in model.references(transfers)] == ["from_record_id", "to_record_id"]
    admin = model.spec.find("GET", "/admin/users")
    assert admin is not None and is_admin_operation(admin)
    assert not any(is_admin_operation(op) for op in records.operations())
