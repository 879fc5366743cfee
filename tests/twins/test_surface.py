"""One API, two twins: the same routes, the same spec, and working happy paths on both."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from dynaguard.demo import KINDS, create_app, load_spec, tables
from dynaguard.lab import Lab, delete_tables
from tests.twins.twin_helpers import Twin

SPEC = load_spec()
HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


def _resolve(node: Any) -> Any:
    """The schema with every local ``$ref`` replaced by its target (the spec has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = SPEC
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(target)
        return {key: _resolve(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(value) for value in node]
    return node


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, _resolve(operation))
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_spec_is_valid_openapi_with_bearer_jwt() -> None:
    validate(SPEC)
    assert SPEC["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    public = {path for method, path, op in _operations() if op.get("security") == []}
    assert public == {"/auth/token", "/users"}


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    _operations(),
    ids=lambda v: str(v)[:40] if isinstance(v, str) else "",
)
def test_bodies_are_closed_and_examples_match_their_schemas(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        assert body["schema"]["additionalProperties"] is False
        OAS30Validator(body["schema"]).validate(body["example"])
    for response in operation["responses"].values():
        content = response.get("content", {}).get("application/json")
        if content is not None:
            OAS30Validator(content["schema"]).validate(content["example"])


def _flask_routes(app: Any) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        path = rule.rule.replace("<", "{").replace(">", "}")
        routes |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_both_twins_have_exactly_the_routes_of_the_spec(lab: Lab) -> None:
    documented = {(method, path) for method, path, _ in _operations()} | {("get", "/openapi.json")}
    for kind in KINDS:
        prefix = f"routes_{kind}_"
        app = create_app(kind, dynamodb=lab.resource(), table_prefix=prefix)
        delete_tables(lab.client(), [spec.name for spec in tables(prefix)])
        assert _flask_routes(app) == documented, kind


def test_both_twins_serve_the_spec(twin: Twin) -> None:
    response = twin.request("GET", "/openapi.json")
    assert response.status_code == 200 and response.json() == SPEC


class Contract:
    """Calls a twin by operation and checks each response against the spec's schema for it."""

    def __init__(self, twin: Twin) -> None:
        self.twin = twin

    def call(
        self, method: str, template: str, status: int, *, user: str | None = None, **kwargs: Any
    ) -> Any:
        path = template.format(**kwargs.pop("path", {}))
        response = self.twin.request(method, path, user=user, **kwargs)
        assert response.status_code == status, (method, path, response.text)
        self.check(method, template, response)
        return response.json() if response.content else None

    @staticmethod
    def check(method: str, template: str, response: httpx.Response) -> None:
        documented = _resolve(SPEC["paths"][template][method.lower()]["responses"])
        assert str(response.status_code) in documented, (method, template, response.status_code)
        content = documented[str(response.status_code)].get("content")
        if content is not None:
            OAS30Validator(content["application/json"]["schema"]).validate(response.json())


def test_happy_paths_work_and_match_the_spec(twin: Twin) -> None:
    api = Contract(twin)
    signup = {"username": "carol", "password": "carol-demo-pw", "email": "carol@example.com"}
    api.call("POST", "/users", 201, json=signup)
    token = api.call(
        "POST", "/auth/token", 200, json={"username": "carol", "password": "carol-demo-pw"}
    )
    assert token["role"] == "user"
    me = {"username": "carol"}
    api.call(
        "PATCH", "/users/{username}", 200, user="carol", path=me, json={"display_name": "Carol C."}
    )
    assert (
        api.call("GET", "/users/{username}", 200, user="carol", path=me)["display_name"]
        == "Carol C."
    )

    created = api.call(
        "POST", "/users/{username}/records", 201, user="carol", path=me, json={"title": "wallet"}
    )
    record = {"username": "carol", "record_id": created["record_id"]}
    assert (created["owner"], created["balance"], created["version"]) == ("carol", 100, 1)
    replaced = api.call(
        "PUT",
        "/users/{username}/records/{record_id}",
        200,
        user="carol",
        path=record,
        json={"title": "purse", "version": 1},
    )
    assert (replaced["title"], replaced["version"]) == ("purse", 2)
    counter = api.call(
        "POST",
        "/users/{username}/records/{record_id}/increment",
        200,
        user="carol",
        path=record,
        params={"by": 3},
    )
    assert counter == {"record_id": created["record_id"], "counter": 3}
    listed = api.call("GET", "/users/{username}/records", 200, user="carol", path=me)
    assert [r["title"] for r in listed["records"]] == ["purse"]
    found = api.call(
        "GET", "/search/records", 200, user="carol", params={"field": "title", "q": "pur"}
    )
    assert [r["record_id"] for r in found["records"]] == [created["record_id"]]

    target = twin.seed_record("alice", "savings")
    transfer = {
        "from_record_id": created["record_id"],
        "to_owner": "alice",
        "to_record_id": target,
        "amount": 25,
    }
    api.call("POST", "/users/{username}/transfers", 200, user="carol", path=me, json=transfer)
    assert (
        api.call("GET", "/users/{username}/records/{record_id}", 200, user="carol", path=record)[
            "balance"
        ]
        == 75
    )

    api.call("POST", "/handles", 201, user="carol", json={"handle": "carol_c"})
    assert (
        api.call("GET", "/handles/{handle}", 200, user="alice", path={"handle": "carol_c"})["owner"]
        == "carol"
    )
    api.call("DELETE", "/users/{username}/records/{record_id}", 204, user="carol", path=record)
    api.call("GET", "/users/{username}/records/{record_id}", 404, user="carol", path=record)
    users = api.call("GET", "/admin/users", 200, user="admin")["users"]
    assert {u["username"] for u in users} == {"alice", "bob", "admin", "carol"}


def test_secure_refusals_match_the_spec(secure_twin: Twin) -> None:
    """Each refusal of the secure twin is a documented status with the documented error body."""
    api = Contract(secure_twin)
    alice = {"username": "alice"}
    api.call("POST", "/users", 400, json={"username": "x"})
    api.call(
        "POST",
        "/users",
        409,
        json={"username": "alice", "password": "long-enough", "email": "a@example.com"},
    )
    api.call("GET", "/users/{username}", 401, path=alice)
    api.call("GET", "/users/{username}", 404, user="alice", path={"username": "nobody"})
    api.call("PATCH", "/users/{username}", 403, user="bob", path=alice, json={"display_name": "B"})
    api.call("GET", "/admin/users", 403, user="bob")
    api.call(
        "GET",
        "/users/{username}/records/{record_id}",
        404,
        user="alice",
        path={**alice, "record_id": "nope"},
    )
    api.call("POST", "/handles", 400, user="alice", json={"handle": "NO SPACES"})
    api.call("GET", "/search/records", 400, user="alice", params={"field": "owner", "q": "x"})
