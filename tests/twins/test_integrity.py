"""Conditional and multi-item writes: DG301, DG402, DG403, DG404, DG501, DG502."""

from __future__ import annotations

import pytest

from tests.twins.twin_helpers import Twin


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PUT", "", {"title": "phantom", "version": 1}),
        ("POST", "/increment", None),
    ],
    ids=["replace", "increment"],
)
def test_update_of_a_missing_record_creates_a_phantom(
    twin: Twin, method: str, suffix: str, body: dict[str, object] | None
) -> None:
    """DG403: an update with no existence condition upserts an item nobody created."""
    path = f"/users/alice/records/never-created{suffix}"
    response = twin.request(method, path, user="alice", json=body)
    assert (twin.record("alice", "never-created") is not None) is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 404


def test_profile_update_of_a_missing_user_creates_a_phantom(twin: Twin) -> None:
    """DG403: the profile update upserts a user that never signed up."""
    response = twin.request("PATCH", "/users/ghost", user="bob", json={"display_name": "Ghost"})
    assert (twin.item("users", username="ghost") is not None) is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 403


def test_delete_of_a_missing_record_reports_success(twin: Twin) -> None:
    """DG403: a delete with no existence condition says 204 whether or not anything was there."""
    response = twin.request("DELETE", "/users/alice/records/never-created", user="alice")
    assert (response.status_code == 204) is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 404


def test_handle_takeover(twin: Twin) -> None:
    """DG402: a plain put on a client-chosen key replaces another user's claim."""
    first = twin.request("POST", "/handles", user="alice", json={"handle": "alice_w"})
    second = twin.request("POST", "/handles", user="bob", json={"handle": "alice_w"})
    assert first.status_code == 201
    owner = twin.request("GET", "/handles/alice_w", user="alice").json()["owner"]
    assert (owner == "bob") is twin.exploitable
    if not twin.exploitable:
        assert second.status_code == 409 and owner == "alice"


def test_stale_client_version_overwrites_a_newer_edit(twin: Twin) -> None:
    """DG404: the version the client sends is bumped, never compared with the stored one."""
    record_id = twin.seed_record("alice", "draft")
    path = f"/users/alice/records/{record_id}"
    first = twin.request("PUT", path, user="alice", json={"title": "edit A", "version": 1})
    stale = twin.request("PUT", path, user="alice", json={"title": "edit B", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stored = twin.record("alice", record_id) or {}
    assert (stored["title"] == "edit B") is twin.exploitable
    if not twin.exploitable:
        assert stale.status_code == 409
        assert stale.json()["details"] == {"expected_version": 1, "current_version": 2}
        assert (stored["title"], stored["version"]) == ("edit A", 2)


def test_taken_username_is_reported_as_created(twin: Twin) -> None:
    """DG502: the ConditionalCheckFailed of the sign-up is swallowed and 201 returned."""
    body = {"username": "alice", "password": "not-alices-pw", "email": "eve@example.com"}
    response = twin.request("POST", "/users", json=body)
    login = twin.request(
        "POST", "/auth/token", json={"username": "alice", "password": "not-alices-pw"}
    )
    assert login.status_code == 401  # nothing was written: the 201 was a lie
    assert (response.status_code == 201) is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 409


def _transfer(twin: Twin, source: str, to_owner: str, target: str, amount: int) -> int:
    body = {
        "from_record_id": source,
        "to_owner": to_owner,
        "to_record_id": target,
        "amount": amount,
    }
    status: int = twin.request(
        "POST", "/users/alice/transfers", user="alice", json=body
    ).status_code
    return status


def test_transfer_half_applied_when_the_second_write_fails(twin: Twin) -> None:
    """DG501: the credit fails (no such target), and only the vulnerable twin keeps the debit."""
    source = twin.seed_record("alice", "wallet")
    status = _transfer(twin, source, "bob", "no-such-record", 10)
    assert status == 409
    balance = (twin.record("alice", source) or {})["balance"]
    assert (balance == 90) is twin.exploitable
    if not twin.exploitable:
        assert balance == 100
    assert twin.record("bob", "no-such-record") is None


def test_negative_transfer_takes_money_from_the_target(twin: Twin) -> None:
    """DG301: an unvalidated amount; -50 debits the target and credits the caller."""
    source = twin.seed_record("alice", "wallet")
    target = twin.seed_record("bob", "savings")
    status = _transfer(twin, source, "bob", target, -50)
    balances = (
        (twin.record("alice", source) or {})["balance"],
        (twin.record("bob", target) or {})["balance"],
    )
    assert (balances == (150, 50)) is twin.exploitable
    if not twin.exploitable:
        assert status == 400 and balances == (100, 100)


def test_transfer_moves_credits_on_both_twins(twin: Twin) -> None:
    """The happy path: both writes apply, on either twin."""
    source = twin.seed_record("alice", "wallet")
    target = twin.seed_record("bob", "savings")
    assert _transfer(twin, source, "bob", target, 30) == 200
    assert (twin.record("alice", source) or {})["balance"] == 70
    assert (twin.record("bob", target) or {})["balance"] == 130
    assert _transfer(twin, source, "bob", target, 71) == 409  # more than the balance
