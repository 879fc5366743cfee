"""``dynaguard code --emit-openapi``: the description of a fixture app, field by field, and
what the scanner reads back from it (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from openapi_spec_validator import validate

from dynaguard.cli import main
from dynaguard.dynamic.spec.load import parse_spec
from dynaguard.dynamic.spec.operations import build_spec
from dynaguard.static.facts.surface import field_key, openapi_path

FIXTURE = Path(__file__).parent / "surface" / "shop_app.py"


def _emit(tmp_path: Path, name: str = "api.json") -> tuple[Any, Path]:
    out = tmp_path / name
    result = CliRunner().invoke(
        main, ["code", str(FIXTURE), "--no-cache", "--emit-openapi", str(out), "-o", "-"]
    )
    assert result.exit_code in (0, 1), result.output
    text = out.read_text(encoding="utf-8")
    return (yaml.safe_load(text) if name.endswith((".yaml", ".yml")) else json.loads(text)), out


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _emit(tmp_path_factory.mktemp("surface"))[0]


def _schema(op: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = op["requestBody"]["content"]["application/json"]["schema"]
    return schema


def test_valid_openapi_and_read_back_by_the_scanner(spec: Any) -> None:
    validate(spec)
    api = build_spec(parse_spec(json.dumps(spec).encode(), "derived"))
    keys = {op.key for op in api.operations}
    assert keys == {
        "POST /login",
        "GET /shop/files/{file_id}/{rest}",
        "GET /shop/items/{item_id}",
        "PUT /shop/items/{item_id}",
        "PATCH /shop/items/{item_id}",
        "POST /shop/orders",
        "POST /shop/reviews/{score}",
    }
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    for op in api.operations:
        where, _, line = op.extensions["x-dynaguard-source"].rpartition(":")
        assert where.endswith("shop_app.py")
        assert lines[int(line) - 1].startswith("def ")  # the handler's own line


def test_blueprint_prefix_converters_and_query(spec: Any) -> None:
    files = spec["paths"]["/shop/files/{file_id}/{rest}"]["get"]
    params = {p["name"]: (p["in"], p["schema"]) for p in files["parameters"]}
    assert params == {
        "file_id": ("path", {"type": "string", "format": "uuid"}),
        "rest": ("path", {"type": "string"}),
        "limit": ("query", {"type": "integer"}),
    }
    item = spec["paths"]["/shop/items/{item_id}"]
    assert item["get"]["parameters"][0]["schema"] == {"type": "integer"}
    score = spec["paths"]["/shop/reviews/{score}"]["post"]["parameters"][0]
    assert score["schema"] == {"type": "number"}
    assert "requestBody" not in item["get"]  # one handler for GET and PUT: the PUT reads it


def test_body_fields_types_and_required(spec: Any) -> None:
    put = _schema(spec["paths"]["/shop/items/{item_id}"]["put"])
    assert put["properties"]["count"] == {"type": "integer"}  # int(body["count"])
    assert set(put["properties"]) == {"count", "dims", "name"}
    assert put["required"] == ["count", "name"]  # body[...] raises; body.get(...) does not
    orders = _schema(spec["paths"]["/shop/orders"]["post"])  # pydantic annotations
    assert orders["properties"] == {
        "note": {"type": "string"},
        "price": {"type": "number"},
        "quantity": {"type": "integer"},
    }
    assert orders["required"] == ["price", "quantity"]
    reviews = _schema(spec["paths"]["/shop/reviews/{score}"]["post"])  # marshmallow fields
    assert reviews["properties"] == {"stars": {"type": "integer"}, "text": {"type": "string"}}
    assert reviews["required"] == ["stars"]


def test_a_body_read_whole_is_marked_free_form(spec: Any) -> None:
    # The update stores whatever names the body has: no field to list, the scanner borrows them.
    assert _schema(spec["paths"]["/shop/items/{item_id}"]["patch"]) == {
        "type": "object",
        "x-dynaguard-free-form": True,
    }
    put = _schema(spec["paths"]["/shop/items/{item_id}"]["put"])
    assert "x-dynaguard-free-form" not in put  # its fields are named


def test_authentication_per_route(spec: Any) -> None:
    paths = spec["paths"]
    assert paths["/login"]["post"]["security"] == []  # a login route: public by design
    assert paths["/shop/orders"]["post"]["security"] == [{"dynaguard": []}]  # @jwt_required()
    assert "security" not in paths["/shop/files/{file_id}/{rest}"]["get"]  # checks nobody
    assert "dynaguard" in spec["components"]["securitySchemes"]


def test_yaml_when_the_file_says_so(tmp_path: Path, spec: Any) -> None:
    loaded, out = _emit(tmp_path, "api.yml")
    assert loaded == spec
    assert not out.read_text(encoding="utf-8").lstrip().startswith("{")


def test_unwritable_path_is_a_usage_error(tmp_path: Path) -> None:
    for target, why in (
        (tmp_path / "missing" / "api.json", "does not exist"),
        (tmp_path, "is a directory"),
    ):
        result = CliRunner().invoke(
            main, ["code", str(FIXTURE), "--no-cache", "--emit-openapi", str(target)]
        )
        assert result.exit_code == 2
        assert "--emit-openapi" in result.output and why in result.output
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing half-written


@pytest.mark.parametrize(
    ("rule", "path", "names"),
    [
        ("/a/<int:id>", "/a/{id}", [("id", "integer")]),
        ("/a/<path:rest>", "/a/{rest}", [("rest", "string")]),
        ("/a/<string(length=2):code>/{x}", "/a/{code}/{x}", [("code", "string"), ("x", "string")]),
        ("", "/", []),
    ],
)
def test_openapi_path(rule: str, path: str, names: list[tuple[str, str]]) -> None:
    found, params = openapi_path(rule)
    assert found == path
    assert [(p.name, p.type) for p in params] == names


def test_field_key() -> None:
    assert field_key("body['x']") == ("x", True)
    assert field_key("request.args.get('by')") == ("by", False)
    assert field_key("data.pop('password')") == ("password", True)
    assert field_key("request.get_json()['a']") == ("a", True)
    assert field_key("body") is None
