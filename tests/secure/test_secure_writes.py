"""Conditional writes: 409 instead of overwrite, 404 instead of phantom, exact under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from dynaguard.lab import Lab
from dynaguard.secure import (
    BadRequest,
    Conflict,
    NotFound,
    create_if_absent,
    delete_if_exists,
    increment,
    update_if_exists,
    versioned_update,
)

if TYPE_CHECKING:
    from .secure_support import MakeTable

KEY = {"pk": "u1", "sk": "doc"}


def test_create_if_absent_refuses_to_overwrite(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    create_if_absent(table, {**KEY, "title": "first"})
    with pytest.raises(Conflict) as caught:
        create_if_absent(table, {**KEY, "title": "second"})
    assert caught.value.code == 409
    assert caught.value.details == {"key": KEY}
    assert table.get_item(Key=KEY)["Item"]["title"] == "first"


def test_create_if_absent_needs_the_key(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    with pytest.raises(ValueError, match="key attribute"):
        create_if_absent(table, {"pk": "u1"})


def test_update_if_exists_never_creates_a_phantom(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    with pytest.raises(NotFound):
        update_if_exists(table, KEY, {"title": "x"}, allowed={"title"})
    assert "Item" not in table.get_item(Key=KEY)


def test_update_if_exists_applies_allowlisted_fields(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    create_if_absent(table, {**KEY, "title": "a", "role": "user"})
    updated = update_if_exists(table, KEY, {"title": "b"}, allowed={"title"})
    assert updated == {**KEY, "title": "b", "role": "user"}
    with pytest.raises(BadRequest):
        update_if_exists(table, KEY, {"role": "admin"}, allowed={"title"})
    with pytest.raises(BadRequest):
        update_if_exists(table, KEY, {"sk": "other"}, allowed={"title", "sk"})


def test_versioned_update_bumps_the_version_server_side(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    create_if_absent(table, {**KEY, "title": "a", "version": 1})
    updated = versioned_update(table, KEY, {"title": "b"}, expected_version=1, allowed={"title"})
    assert updated["version"] == 2
    assert updated["title"] == "b"


def test_versioned_update_rejects_a_stale_version(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    create_if_absent(table, {**KEY, "title": "a", "version": 3})
    with pytest.raises(Conflict) as caught:
        versioned_update(table, KEY, {"title": "lost"}, expected_version=2, allowed={"title"})
    assert caught.value.details == {"expected_version": 2, "current_version": 3}
    assert table.get_item(Key=KEY)["Item"] == {**KEY, "title": "a", "version": 3}


def test_versioned_update_on_a_missing_item_is_not_found(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    with pytest.raises(NotFound):
        versioned_update(table, KEY, {"title": "x"}, expected_version=1, allowed={"title"})
    assert "Item" not in table.get_item(Key=KEY)


def test_the_client_cannot_set_the_version(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    create_if_absent(table, {**KEY, "version": 1})
    with pytest.raises(BadRequest) as caught:
        versioned_update(
            table, KEY, {"version": 99}, expected_version=1, allowed={"title", "version"}
        )
    assert caught.value.details == {"fields": ["version"]}
    with pytest.raises(BadRequest):
        versioned_update(table, KEY, {"title": "x"}, expected_version=True, allowed={"title"})


def test_increment_is_atomic_under_20_threads(lab: Lab, make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    create_if_absent(table, {**KEY, "views": 0})
    name = table.name

    def bump(_: int) -> Decimal:
        # One resource per thread: boto3 resources are not thread-safe.
        own = lab.resource().Table(name)
        return [increment(own, KEY, "views") for _ in range(5)][-1]

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(bump, range(20)))
    assert table.get_item(Key=KEY)["Item"]["views"] == 100
    assert increment(table, KEY, "views", Decimal("0.5")) == Decimal("100.5")


def test_increment_on_a_missing_item_is_not_found(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    with pytest.raises(NotFound):
        increment(table, KEY, "views")
    assert "Item" not in table.get_item(Key=KEY)


def test_increment_refuses_keys_and_odd_amounts(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    with pytest.raises(ValueError, match="key attribute"):
        increment(table, KEY, "sk")
    with pytest.raises(BadRequest):
        increment(table, KEY, "views", 1.5)  # type: ignore[arg-type]
    with pytest.raises(BadRequest):
        increment(table, KEY, "views", Decimal("NaN"))


def test_delete_if_exists(make_table: MakeTable) -> None:
    table = make_table("pk", "sk")
    create_if_absent(table, dict(KEY))
    delete_if_exists(table, KEY)
    with pytest.raises(NotFound):
        delete_if_exists(table, KEY)
