"""Who may touch what: BOLA (DG201), BFLA (DG202), no authentication (DG203), exposure (DG801)."""

from __future__ import annotations

from tests.twins.twin_helpers import Twin


def test_bola_read_of_another_users_record(twin: Twin) -> None:
    record_id = twin.seed_record("alice", "alice diary")
    response = twin.request("GET", f"/users/alice/records/{record_id}", user="bob")
    leaked = response.status_code == 200 and response.json().get("title") == "alice diary"
    assert leaked is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 403


def test_bola_update_of_another_users_record(twin: Twin) -> None:
    record_id = twin.seed_record("alice", "alice diary")
    body = {"title": "defaced by bob", "version": 1}
    response = twin.request("PUT", f"/users/alice/records/{record_id}", user="bob", json=body)
    stored = twin.record("alice", record_id) or {}
    assert (stored["title"] == "defaced by bob") is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 403


def test_bola_update_of_another_users_profile(twin: Twin) -> None:
    body = {"display_name": "defaced by bob"}
    response = twin.request("PATCH", "/users/alice", user="bob", json=body)
    stored = twin.item("users", username="alice") or {}
    assert (stored["display_name"] == "defaced by bob") is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 403


def test_bola_delete_of_another_users_record(twin: Twin) -> None:
    record_id = twin.seed_record("alice", "alice diary")
    response = twin.request("DELETE", f"/users/alice/records/{record_id}", user="bob")
    assert (twin.record("alice", record_id) is None) is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 403


def test_bfla_plain_user_lists_all_users(twin: Twin) -> None:
    response = twin.request("GET", "/admin/users", user="bob")
    listed = response.status_code == 200 and len(response.json()["users"]) >= 3
    assert listed is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 403
        as_admin = twin.request("GET", "/admin/users", user="admin")
        assert {u["username"] for u in as_admin.json()["users"]} == {"alice", "bob", "admin"}
        assert all("password_hash" not in u for u in as_admin.json()["users"])


def test_unauthenticated_listing_of_records(twin: Twin) -> None:
    twin.seed_record("alice", "alice diary")
    response = twin.request("GET", "/users/alice/records")
    leaked = response.status_code == 200 and response.json()["records"] != []
    assert leaked is twin.exploitable
    if not twin.exploitable:
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_profile_returns_the_password_hash(twin: Twin) -> None:
    """DG801: the whole item is returned, hash and role included."""
    response = twin.request("GET", "/users/alice", user="bob")
    assert response.status_code == 200
    assert ("password_hash" in response.json()) is twin.exploitable
    if not twin.exploitable:
        # Another user's view: public attributes only, not even the e-mail.
        assert response.json() == {"username": "alice", "display_name": "Alice"}
        own = twin.request("GET", "/users/alice", user="alice").json()
        assert own == {"username": "alice", "display_name": "Alice", "email": "alice@example.com"}
