"""build_update: placeholders only, an allowlist, and a real round trip through DynamoDB."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynaguard.secure import BadRequest, UpdateSpec, build_update

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

    from .secure_support import MakeTable

# Names that break naive expression building: syntax characters, paths, reserved words.
AWKWARD_NAMES = ["a#b", "x:y", "p.q", "has space", "name", "status", "size", "#n0", ":v0", "SET"]


def test_names_and_values_only_travel_as_placeholders() -> None:
    spec = build_update({"status": "shipped", "p.q": 2}, allowed={"status", "p.q"})
    assert spec.update_expression == "SET #n0 = :v0, #n1 = :v1"
    assert dict(spec.names) == {"#n0": "status", "#n1": "p.q"}
    assert dict(spec.values) == {":v0": "shipped", ":v1": 2}
    assert not set(spec.names.values()) & {str(v) for v in spec.values.values()}
    assert spec.kwargs() == {
        "UpdateExpression": "SET #n0 = :v0, #n1 = :v1",
        "ExpressionAttributeNames": {"#n0": "status", "#n1": "p.q"},
        "ExpressionAttributeValues": {":v0": "shipped", ":v1": 2},
    }


def test_refuses_fields_outside_the_allowlist() -> None:
    with pytest.raises(BadRequest) as caught:
        build_update({"email": "a@b", "role": "admin", "is_admin": True}, allowed={"email"})
    assert caught.value.details == {"fields": ["is_admin", "role"]}
    assert "role" in caught.value.message


def test_refuses_key_attributes_even_when_allowed() -> None:
    with pytest.raises(BadRequest) as caught:
        build_update({"pk": "other"}, allowed={"pk"}, key_attributes=("pk", "sk"))
    assert caught.value.details == {"fields": ["pk"]}


@pytest.mark.parametrize("fields", [{}, {"": 1}])
def test_refuses_empty_updates_and_empty_names(fields: dict[str, Any]) -> None:
    with pytest.raises(BadRequest):
        build_update(fields, allowed={""})


def test_server_fields_win_and_none_removes() -> None:
    spec = build_update(
        {"title": "t", "nickname": None, "updated_at": "client"},
        allowed={"title", "nickname", "updated_at"},
        extra_set={"updated_at": "server"},
    )
    assert spec.update_expression == "SET #n0 = :v0, #n2 = :v1 REMOVE #n1"
    assert dict(spec.values) == {":v0": "t", ":v1": "server"}


def test_unstorable_values_are_a_bad_request() -> None:
    with pytest.raises(BadRequest) as caught:
        build_update({"score": float("nan")}, allowed={"score"})
    assert caught.value.details == {"fields": ["score"]}


def test_condition_placeholders_must_not_clash() -> None:
    spec = build_update({"a": 1}, allowed={"a"})
    with pytest.raises(ValueError, match="clash"):
        spec.with_condition("attribute_exists(#n0)", {"#n0": "pk"})


def test_spec_is_frozen() -> None:
    spec = build_update({"a": 1}, allowed={"a"})
    with pytest.raises(AttributeError):
        spec.update_expression = "SET x = y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.names["#n9"] = "role"  # type: ignore[index]


def test_round_trip_writes_exactly_the_fields(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    table.put_item(Item={"pk": "u", "sk": "1", "role": "user", "nickname": "n"})
    fields = {"status": "active", "name": "Ann", "p.q": 1, "nickname": None}
    spec = build_update(fields, allowed=set(fields), key_attributes=("pk", "sk"))
    table.update_item(Key={"pk": "u", "sk": "1"}, **spec.kwargs())
    item = table.get_item(Key={"pk": "u", "sk": "1"})["Item"]
    assert item == {
        "pk": "u",
        "sk": "1",
        "role": "user",
        "status": "active",
        "name": "Ann",
        "p.q": 1,
    }


@pytest.fixture(scope="module")
def shared_table(make_table: MakeTable) -> Table:
    return make_table("pk", "sk")


names = st.sampled_from(AWKWARD_NAMES) | st.text(
    st.characters(codec="utf-8"), min_size=1, max_size=12
)
simple_values = (
    st.text(st.characters(codec="utf-8"), max_size=20)
    | st.integers(min_value=-(10**37), max_value=10**37)
    | st.booleans()
)


@settings(max_examples=60, deadline=None)
@given(
    fields=st.dictionaries(
        names.filter(lambda n: n not in {"pk", "sk", "keep"}), simple_values, min_size=1, max_size=6
    )
)
def test_any_allowed_mapping_is_written_exactly(
    shared_table: Table, fields: dict[str, Any]
) -> None:
    key = {"pk": uuid.uuid4().hex, "sk": "s"}
    shared_table.put_item(Item={**key, "keep": "me"})
    spec = build_update(fields, allowed=set(fields), key_attributes=("pk", "sk"))
    assert isinstance(spec, UpdateSpec)
    shared_table.update_item(Key=key, **spec.kwargs())
    item = shared_table.get_item(Key=key)["Item"]
    assert item == {**key, "keep": "me", **fields}
