"""Mass assignment: client-chosen attributes reach the item (DG101, DG102, DG103)."""

from __future__ import annotations

from tests.twins.twin_helpers import Twin


def test_sign_up_stores_client_chosen_role(twin: Twin) -> None:
    """DG101: the whole sign-up body is the item, so the client makes itself admin."""
    body = {
        "username": "mallory",
        "password": "mallory-pw-1",
        "email": "mallory@example.com",
        "role": "admin",
        "is_admin": True,
    }
    response = twin.request("POST", "/users", json=body)
    stored = twin.item("users", username="mallory") or {}
    login = twin.request(
        "POST", "/auth/token", json={"username": "mallory", "password": "mallory-pw-1"}
    )
    escalated = stored.get("role") == "admin" and stored.get("is_admin") is True
    assert escalated is twin.exploitable
    if twin.exploitable:
        assert login.json()["role"] == "admin"  # the stored role becomes the token's role
    else:
        assert response.status_code == 400
        assert response.json()["details"]["unknown_fields"] == ["role", "is_admin"]
        assert stored == {} and login.status_code == 401


def test_profile_update_sets_any_attribute(twin: Twin) -> None:
    """DG102: the client picks the attribute names of the update, ``role`` included."""
    response = twin.request("PATCH", "/users/bob", user="bob", json={"role": "admin"})
    stored = twin.item("users", username="bob") or {}
    login = twin.request("POST", "/auth/token", json={"username": "bob", "password": "bob-demo-pw"})
    assert (stored["role"] == "admin") is twin.exploitable
    assert (login.json()["role"] == "admin") is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 400
        assert response.json()["details"]["unknown_fields"] == ["role"]


def test_record_creation_accepts_a_balance(twin: Twin) -> None:
    """DG103: a server-controlled attribute (the balance) is taken from the request."""
    body = {"title": "rich", "balance": 1_000_000}
    response = twin.request("POST", "/users/alice/records", user="alice", json=body)
    stored = twin.table("records").scan()["Items"]
    assert any(item["balance"] == 1_000_000 for item in stored) is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 400 and stored == []
        assert response.json()["details"]["unknown_fields"] == ["balance"]
