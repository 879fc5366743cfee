"""Request data that crashes a handler (DG302) or rewrites an expression (DG701)."""

from __future__ import annotations

import pytest

from tests.twins.twin_helpers import Twin

MALFORMED = [
    ("POST", "/users", {"username": "nopass", "email": "n@example.com"}),
    ("POST", "/handles", {}),
    ("POST", "/users/alice/records/{record}/increment?by=abc", None),
    ("PUT", "/users/alice/records/{record}", {"title": "no version"}),
    ("PUT", "/users/alice/records/{record}", {"title": "bad version", "version": "one"}),
    ("POST", "/users/alice/transfers", {"from_record_id": "{record}", "amount": 5}),
    (
        "POST",
        "/users/alice/transfers",
        {"from_record_id": "x", "to_owner": "bob", "to_record_id": "y", "amount": "lots"},
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), MALFORMED)
def test_malformed_input_crashes_the_handler(
    twin: Twin, method: str, path: str, body: dict[str, object] | None
) -> None:
    """DG302: an unguarded ``body["x"]`` or ``int(...)`` answers 500 instead of 400."""
    record_id = twin.seed_record("alice", "target")
    json = {
        k: v.format(record=record_id) if isinstance(v, str) else v for k, v in (body or {}).items()
    }
    response = twin.request(
        method, path.format(record=record_id), user="alice", json=json if body is not None else None
    )
    assert (response.status_code == 500) is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 400
        assert response.json()["error"] == "bad_request"


INJECTION = "title, :q) OR NOT contains(title"
"""Turns ``owner = :me AND contains(title, :q)`` into ``(mine AND match) OR no-match``."""


def test_search_field_rewrites_the_filter_expression(twin: Twin) -> None:
    """DG701: the field name is pasted into the FilterExpression."""
    twin.seed_record("alice", "shopping list")
    twin.seed_record("bob", "bob private notes")
    response = twin.request(
        "GET", "/search/records", user="alice", params={"field": INJECTION, "q": "zzz"}
    )
    leaked = response.status_code == 200 and any(
        r["owner"] == "bob" for r in response.json()["records"]
    )
    assert leaked is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 400


def test_search_finds_the_callers_own_records(twin: Twin) -> None:
    """The honest search works on both twins and stays within the caller's records."""
    twin.seed_record("alice", "shopping list")
    twin.seed_record("alice", "holiday plans")
    twin.seed_record("bob", "bob shopping")
    response = twin.request(
        "GET", "/search/records", user="alice", params={"field": "title", "q": "shopping"}
    )
    assert response.status_code == 200
    assert [r["title"] for r in response.json()["records"]] == ["shopping list"]
