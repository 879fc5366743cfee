"""OwnedTable: the partition key is the caller, so another user's item is out of reach."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from boto3.dynamodb.conditions import Key
from flask import Flask

from dynaguard.secure import BadRequest, Conflict, NotFound, OwnedTable, Unauthenticated

from .secure_support import signed_in

if TYPE_CHECKING:
    from .secure_support import MakeTable


@pytest.fixture
def notes(make_table: MakeTable) -> OwnedTable:
    return OwnedTable(
        make_table("owner", "note_id"), owner_attribute="owner", sort_attribute="note_id"
    )


def test_create_sets_the_owner_server_side(app: Flask, notes: OwnedTable) -> None:
    with signed_in(app, "alice"):
        item = notes.create({"title": "t", "owner": "bob", "note_id": "forged"}, sort="n1")
        assert item == {"title": "t", "owner": "alice", "note_id": "n1"}
        generated = notes.create({"title": "u"})
        assert generated["owner"] == "alice"
        assert generated["note_id"]
        with pytest.raises(Conflict):
            notes.create({"title": "again"}, sort="n1")
    assert notes.table.get_item(Key={"owner": "bob", "note_id": "n1"}).get("Item") is None


def test_another_user_cannot_read_update_or_delete(app: Flask, notes: OwnedTable) -> None:
    with signed_in(app, "bob"):
        notes.create({"title": "bob's", "version": 1}, sort="shared-id")
    with signed_in(app, "alice"):
        with pytest.raises(NotFound):
            notes.get("shared-id")
        with pytest.raises(NotFound):
            notes.update("shared-id", {"title": "pwned"}, allowed={"title"})
        with pytest.raises(NotFound):
            notes.update("shared-id", {"title": "pwned"}, allowed={"title"}, expected_version=1)
        with pytest.raises(NotFound):
            notes.increment("shared-id", "likes")
        with pytest.raises(NotFound):
            notes.delete("shared-id")
        assert notes.query() == []
    with signed_in(app, "bob"):
        assert notes.get("shared-id") == {
            "owner": "bob",
            "note_id": "shared-id",
            "title": "bob's",
            "version": 1,
        }


def test_owner_reads_updates_and_deletes(app: Flask, notes: OwnedTable) -> None:
    with signed_in(app, "alice"):
        notes.create({"title": "a", "version": 1, "likes": 0}, sort="2024-01")
        notes.create({"title": "b"}, sort="2025-01")
        assert notes.update("2024-01", {"title": "a2"}, allowed={"title"})["title"] == "a2"
        updated = notes.update("2024-01", {"title": "a3"}, allowed={"title"}, expected_version=1)
        assert updated["version"] == 2
        with pytest.raises(Conflict):
            notes.update("2024-01", {"title": "a4"}, allowed={"title"}, expected_version=1)
        with pytest.raises(BadRequest):
            notes.update("2024-01", {"owner": "bob"}, allowed={"title", "owner"})
        assert notes.increment("2024-01", "likes", 2) == 2
        assert [i["note_id"] for i in notes.query()] == ["2024-01", "2025-01"]
        recent = notes.query(sort_condition=Key("note_id").begins_with("2025"))
        assert [i["title"] for i in recent] == ["b"]
        notes.delete("2025-01")
        with pytest.raises(NotFound):
            notes.get("2025-01")


def test_query_reads_every_page(app: Flask, notes: OwnedTable) -> None:
    with signed_in(app, "carol"):
        for n in range(7):
            notes.create({"n": n}, sort=f"k{n}")
        assert len(notes.query(Limit=3)) == 3
        assert [i["n"] for i in notes.query(page_size=2)] == list(range(7))
        assert len(notes.query()) == 7
        with pytest.raises(TypeError):
            notes.query(KeyConditionExpression=Key("owner").eq("dave"))


def test_needs_an_identity(app: Flask, notes: OwnedTable) -> None:
    with signed_in(app, None), pytest.raises(Unauthenticated):
        notes.get("x")


@pytest.mark.parametrize("sort", ["", "x" * 1025])
def test_bad_identifiers_are_a_bad_request(app: Flask, notes: OwnedTable, sort: str) -> None:
    with signed_in(app, "alice"), pytest.raises(BadRequest):
        notes.get(sort)


def test_owner_must_be_the_partition_key(app: Flask, make_table: MakeTable) -> None:
    table = make_table("note_id", "owner")
    wrong = OwnedTable(table, owner_attribute="owner", sort_attribute="note_id")
    with signed_in(app, "alice"), pytest.raises(ValueError, match="keyed by"):
        wrong.get("x")


def test_single_key_table(app: Flask, make_table: MakeTable) -> None:
    profiles = OwnedTable(make_table("user_id"), owner_attribute="user_id")
    with signed_in(app, "alice"):
        profiles.create({"bio": "hi", "user_id": "mallory"})
        assert profiles.get() == {"user_id": "alice", "bio": "hi"}
        with pytest.raises(ValueError, match="no sort key"):
            profiles.get("x")
