"""The [scan] table and --identity: validated up front, errors name the key, secrets from ${ENV}."""

from __future__ import annotations

from typing import Any

import pytest

from dynaguard.dynamic import (
    Role,
    ScanConfigError,
    build_options,
    parse_identity_flag,
    parse_scan_table,
)
from dynaguard.dynamic.identity import expand_env

LOGIN = {"path": "/auth/token", "body": {"username": "alice", "password": "${ALICE_PW}"}}


def _options(raw: dict[str, Any], overrides: dict[str, Any] | None = None) -> Any:
    return build_options(
        parse_scan_table(raw, "dynaguard.toml"),
        "http://127.0.0.1:8000/",
        "dynaguard.toml",
        overrides,
    )


def test_identities_with_login_and_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALICE_PW", "s3cret")
    monkeypatch.setenv("BOB_KEY", "k-123")
    options = _options(
        {
            "active": True,
            "rate": 20,
            "identities": [
                {"name": "alice", "login": LOGIN},
                {"name": "bob", "headers": {"X-API-Key": "${BOB_KEY}"}},
                {
                    "name": "admin",
                    "role": "admin",
                    "headers": {"Authorization": "Basic YWRtaW46cHc="},
                },
            ],
        }
    )
    alice, bob, admin = options.identities
    assert alice.login is not None and alice.login.body["password"] == "s3cret"
    assert alice.login.header == "Authorization" and alice.login.prefix == "Bearer "
    assert bob.headers == {"X-API-Key": "k-123"}
    assert admin.role is Role.ADMIN and options.active and options.rate == 20
    assert options.target == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"activ": True}, "unknown key 'scan.activ'"),
        ({"rate": -1}, "key 'scan.rate'"),
        (
            {"identities": [{"name": "x", "role": "root", "headers": {"a": "b"}}]},
            "key 'scan.identities.0.role'",
        ),
        ({"identities": [{"name": "x"}]}, "needs 'headers' or a 'login' table"),
        (
            {"identities": [{"name": "x", "login": {"path": "auth"}}]},
            "key 'scan.identities.0.login.path'",
        ),
        (
            {"identities": [{"name": "x", "login": {"path": "/a", "tokn": "/t"}}]},
            "unknown key 'scan.identities.0.login.tokn'",
        ),
    ],
)
def test_bad_table_names_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ScanConfigError, match="dynaguard.toml: .*" + message.replace(".", r"\.")):
        _options(raw)


def test_missing_env_var_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALICE_PW", raising=False)
    with pytest.raises(
        ScanConfigError,
        match=r"scan.identities\[0\].login.body.password: environment variable ALICE_PW is not set",
    ):
        _options({"identities": [{"name": "alice", "login": LOGIN}]})


def test_duplicate_and_reserved_names() -> None:
    twice = [{"name": "a", "headers": {"h": "v"}}, {"name": "a", "headers": {"h": "w"}}]
    with pytest.raises(ScanConfigError, match="declared twice"):
        _options({"identities": twice})
    with pytest.raises(ScanConfigError, match="'anonymous'"):
        _options({"identities": [{"name": "anonymous", "headers": {"h": "v"}}]})


def test_identity_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN", "abc:def")
    identity = parse_identity_flag("alice:user:Authorization=Bearer ${TOKEN}")
    assert identity.headers == {"Authorization": "Bearer abc:def"}
    assert parse_identity_flag("root:ADMIN:X-Key=1").role is Role.ADMIN
    with pytest.raises(ScanConfigError, match="expected NAME:ROLE:HEADER=VALUE"):
        parse_identity_flag("alice")
    with pytest.raises(ScanConfigError, match="role 'boss'"):
        parse_identity_flag("alice:boss:X=1")
    with pytest.raises(ScanConfigError) as caught:
        parse_identity_flag("alice:Authorization=Bearer very-secret")
    assert "very-secret" not in str(caught.value)


def test_flags_win_and_flag_identities_replace_by_name() -> None:
    raw = {
        "concurrency": 2,
        "identities": [
            {"name": "alice", "headers": {"X": "1"}},
            {"name": "bob", "headers": {"X": "2"}},
        ],
    }
    flag = parse_identity_flag("alice:user:X=9")
    options = _options(raw, {"concurrency": 8, "identity-flags": (flag,)})
    assert options.concurrency == 8
    assert [(i.name, dict(i.headers)) for i in options.identities] == [
        ("alice", {"X": "9"}),
        ("bob", {"X": "2"}),
    ]
    with pytest.raises(ScanConfigError, match=r"option --concurrency"):
        _options(raw, {"concurrency": 0})


def test_target_must_be_http() -> None:
    with pytest.raises(ScanConfigError, match="expected http:// or https://"):
        build_options(parse_scan_table({}, "x"), "ftp://host", "x")


def test_expand_env_leaves_plain_text() -> None:
    assert expand_env("no refs $HOME {x}", "k", {}) == "no refs $HOME {x}"


def test_the_documented_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    import re
    import tomllib
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "scan.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", doc, re.S)
    assert block is not None
    for name in ("ALICE_PASSWORD", "BOB_PASSWORD", "ADMIN_PASSWORD"):
        monkeypatch.setenv(name, f"{name.lower()}-value")
    options = _options(tomllib.loads(block.group(1))["scan"])
    assert [(i.name, i.role) for i in options.identities] == [
        ("alice", Role.USER),
        ("bob", Role.USER),
        ("admin", Role.ADMIN),
    ]
    assert all(i.login is not None and i.login.path == "/auth/token" for i in options.identities)
    assert options.active and options.exclude == ("DELETE /admin/*", "/billing/*")
