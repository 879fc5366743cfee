"""Proofs that need state: account takeover by login, privilege escalation by capability,
sign-up flows with the scan's own accounts, and BOLA on objects named by the client.

Each is run against ``accounts_app`` on 127.0.0.1: the vulnerable variant must give the proof,
the fixed one nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dynaguard.dynamic import Identity, Login, Role, ScanOptions, ScanResult, scan
from dynaguard.dynamic.accounts import is_credential_write, is_login, is_signup
from dynaguard.dynamic.api import build_model
from dynaguard.dynamic.markers import Markers
from dynaguard.dynamic.probes._grants import grants
from dynaguard.dynamic.spec.load import SpecDocument
from dynaguard.dynamic.spec.operations import build_spec
from tests.dynamic.accounts_app import SEEDED, create_app, spec
from tests.dynamic.conftest import Served

RUN = "5eed0017"
EXPECTED = {
    ("DG201", "PUT /users/{username}/password"),
    ("DG201", "PUT /users/{username}/email"),
    ("DG201", "GET /books/{book_title}"),
    ("DG103", "POST /users/register"),
    ("DG402", "POST /users/register"),
    ("DG101", "POST /users/register"),
    ("DG302", "POST /users/register"),
}


def _identity(name: str, role: Role = Role.USER) -> Identity:
    body = {"username": name, "password": SEEDED[name]}
    return Identity(name, role, login=Login(path="/users/login", body=body, token="/auth_token"))


IDENTITIES = (_identity("alice"), _identity("bob"), _identity("root", Role.ADMIN))


def _pairs(result: ScanResult) -> set[tuple[str, str]]:
    return {
        (f.rule.id, f"{f.endpoint.method} {f.endpoint.path}") for f in result.findings if f.endpoint
    }


@pytest.fixture(scope="module")
def vulnerable() -> Iterator[tuple[ScanResult, Served]]:
    served = Served(create_app(vulnerable=True))
    try:
        options = ScanOptions(target=served.url, identities=IDENTITIES, active=True)
        yield scan(options, markers=Markers(RUN)), served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def fixed() -> Iterator[ScanResult]:
    served = Served(create_app(vulnerable=False))
    try:
        yield scan(ScanOptions(target=served.url, identities=IDENTITIES, active=True))
    finally:
        served.stop()


def test_each_stateful_proof_fires_on_the_vulnerable_api(
    vulnerable: tuple[ScanResult, Served],
) -> None:
    result, _ = vulnerable
    missing = EXPECTED - _pairs(result)
    assert not missing, sorted(missing)


def test_the_fixed_api_has_no_finding(fixed: ScanResult) -> None:
    assert not fixed.findings, [f.message for f in fixed.findings]
    assert not [w for w in fixed.warnings if "not cleaned up" in w.message]


def test_takeover_is_proven_by_logging_in_on_scan_accounts_only(
    vulnerable: tuple[ScanResult, Served],
) -> None:
    result, served = vulnerable
    takeover = next(
        f for f in result.findings if f.endpoint and f.endpoint.path.endswith("/password")
    )
    login = takeover.evidence[-1]
    assert login.url.endswith("/users/login") and login.status == 200
    assert "<redacted>" in login.request_body  # the password the attacker set
    for exchange in takeover.evidence:
        assert f"dg_{RUN}_" in exchange.identity or exchange.identity == "anonymous"
    # The configured accounts were never written to: each still logs in with its password.
    for name, password in SEEDED.items():
        answer = httpx.post(
            served.url + "/users/login", json={"username": name, "password": password}
        )
        assert answer.status_code == 200, name
    changed = [
        r
        for r in result.traffic
        if r.method == "PUT" and any(f"/users/{name}/" in r.url for name in SEEDED)
    ]
    assert not changed, [r.url for r in changed]


def test_escalation_is_proven_by_what_the_account_can_do(
    vulnerable: tuple[ScanResult, Served],
) -> None:
    result, _ = vulnerable
    escalation = next(f for f in result.findings if f.rule.id == "DG103")
    assert "GET /admin/users" in escalation.message
    refused, allowed = escalation.evidence[1], escalation.evidence[2]
    assert refused.status == 403 and allowed.status == 200
    assert refused.identity != allowed.identity


def test_scan_accounts_are_deleted_and_named(vulnerable: tuple[ScanResult, Served]) -> None:
    result, served = vulnerable
    token = httpx.post(
        served.url + "/users/login", json={"username": "root", "password": SEEDED["root"]}
    ).json()["auth_token"]
    users = httpx.get(
        served.url + "/admin/users", headers={"Authorization": f"Bearer {token}"}
    ).json()["users"]
    assert sorted(u["username"] for u in users) == sorted(SEEDED)
    registered = [r for r in result.traffic if r.url.endswith("/users/register")]
    assert len(registered) > 5


def test_accounts_the_api_cannot_delete_are_listed() -> None:
    served = Served(create_app(vulnerable=True, with_delete=False))
    try:
        options = ScanOptions(
            target=served.url, identities=IDENTITIES, active=True, probes=("account-takeover",)
        )
        result = scan(options)
    finally:
        served.stop()
    left = [w.message for w in result.warnings if w.message.startswith("not cleaned up: account")]
    assert len(left) == 4, left  # a victim and an attacker for each of the two targets
    assert all("(the API has no delete for accounts)" in line for line in left)


def test_without_configured_identities_the_scan_registers_its_own() -> None:
    served = Served(create_app(vulnerable=True))
    try:
        result = scan(ScanOptions(target=served.url, active=True, probes=("bola-read",)))
    finally:
        served.stop()
    stand_ins = [s for s in result.identities if s.ok and "registered by the scan" in s.detail]
    assert len(stand_ins) == 2
    assert _pairs(result) == {("DG201", "GET /books/{book_title}")}
    assert not [w for w in result.warnings if "not cleaned up" in w.message]


def test_a_read_only_scan_registers_nobody() -> None:
    served = Served(create_app(vulnerable=True))
    try:
        result = scan(ScanOptions(target=served.url, identities=IDENTITIES))
    finally:
        served.stop()
    assert {r.method for r in result.traffic} <= {"GET", "POST"}
    posts = {r.url.removeprefix(served.url) for r in result.traffic if r.method == "POST"}
    assert posts == {"/users/login"}
    assert not result.findings or all(f.rule.id != "DG103" for f in result.findings)


def _model() -> Any:
    document = SpecDocument(source="accounts", document=spec(True), version="3.0")
    return build_model(build_spec(document))


def test_operations_are_told_apart() -> None:
    api = _model()
    by_key = {op.key: op for op in api.operations}
    assert is_signup(by_key["POST /users/register"]) and not is_signup(by_key["POST /books"])
    assert is_login(by_key["POST /users/login"]) and not is_signup(by_key["POST /users/login"])
    credential = {k for k, op in by_key.items() if is_credential_write(op)}
    assert credential == {"PUT /users/{username}/password", "PUT /users/{username}/email"}


def test_a_client_named_key_pairs_with_its_body_field() -> None:
    books = next(r for r in _model().resources if r.collection == "/books")
    assert books.id_param == "book_title" and books.client_key == "title"


def test_grants_follow_the_schema_and_what_responses_show() -> None:
    body = {
        "type": "object",
        "properties": {
            "role": {"type": "string", "enum": ["user", "editor", "admin"]},
            "quota_level": {"type": "integer"},
        },
    }
    sent = grants(body, [{"is_moderator": False, "credit_limit": 5}], Markers(RUN))
    assert sent["role"] == "admin" and sent["admin"] is True and sent["roles"] == ["admin"]
    assert isinstance(sent["quota_level"], int) and sent["is_moderator"] is True
    assert isinstance(sent["credit_limit"], int) and not isinstance(sent["credit_limit"], bool)
    assert json.dumps(sent)  # all of it can be sent as JSON
