"""`dynaguard scan` end to end: exit codes 0/1/2/3 with one-line messages, config and flags,
the JSON contract, progress on stderr."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dynaguard.cli import main
from tests.dynamic.conftest import Served

CONFIG = """\
[scan]
active = true
race-requests = 4

[[scan.identities]]
name = "alice"
headers = { X-API-Key = "${ALICE_KEY}" }

[[scan.identities]]
name = "bob"
[scan.identities.login]
path = "/login"
body = { user = "bob", pass = "bob-pw" }
token = "data.token"
prefix = "Token "

[[scan.identities]]
name = "root"
role = "admin"
headers = { X-API-Key = "root-key" }
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(previous)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["scan", *args], env={"ALICE_KEY": "alice-key", **(env or {})}
    )
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_vulnerable_api_exits_1_with_the_json_contract(
    workdir: Path, vulnerable_notes: Served
) -> None:
    (workdir / "dynaguard.toml").write_text(CONFIG, encoding="utf-8")
    code, out, err = _run(vulnerable_notes.url, "--format", "json", "--progress", "plain")
    assert code == 1, err
    report = json.loads(out)
    assert report["version"] == 1 and report["tool"]["name"] == "dynaguard"
    finding = next(f for f in report["findings"] if f["rule"] == "DG201")
    assert finding["engine"] == "dynamic" and finding["confidence"] == "confirmed"
    assert finding["location"] is None and finding["endpoint"]["path"].startswith("/notes")
    assert finding["cwe"] == ["CWE-639"] and finding["owasp"] == ["API1:2023"]
    assert all(e["curl"].startswith("curl -X ") for e in finding["evidence"])
    extra = report["extra"]
    assert extra["engine"] == "dynamic" and extra["mode"] == "active"
    assert extra["grade"] == "F" and extra["score"] == "0"
    assert "alice-key" not in out and "root-key" not in out
    assert "identity alice: ok" in err and "[1/" in err and "operation" in err and "tested" in err


def test_fixed_api_exits_0_with_grade_a(workdir: Path, secure_notes: Served) -> None:
    (workdir / "dynaguard.toml").write_text(CONFIG, encoding="utf-8")
    code, out, _ = _run(secure_notes.url, "--format", "json", "--progress", "none")
    assert code == 0
    report = json.loads(out)
    assert report["findings"] == []
    assert (report["extra"]["grade"], report["extra"]["score"]) == ("A", "100")


def test_identities_from_flags_and_read_only_default(
    workdir: Path, vulnerable_notes: Served
) -> None:
    code, out, err = _run(
        vulnerable_notes.url,
        "--identity",
        "alice:user:X-API-Key=${ALICE_KEY}",
        "--identity",
        "bob:user:X-API-Key=bob-key",
        "--progress",
        "plain",
        "--fail-on",
        "none",
    )
    assert code == 0
    assert "mode: read-only" in out
    assert "skipped probe mass-assignment: read-only scan" in err


def test_text_report_and_fail_on(workdir: Path, vulnerable_notes: Served) -> None:
    (workdir / "dynaguard.toml").write_text(CONFIG, encoding="utf-8")
    code, out, _ = _run(
        vulnerable_notes.url, "--select", "DG8", "--fail-on", "critical", "--progress", "none"
    )
    assert code == 0  # DG801 is medium
    assert "DG801" in out and "DG201" not in out and "grade: " in out


def test_config_errors_exit_2_naming_the_key(workdir: Path) -> None:
    (workdir / "dynaguard.toml").write_text("[scan]\nactve = true\n", encoding="utf-8")
    code, _, err = _run("http://127.0.0.1:9")
    assert code == 2 and "unknown key 'scan.actve'" in err and "dynaguard.toml" in err
    (workdir / "dynaguard.toml").write_text(CONFIG, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", "http://127.0.0.1:9"], env={"ALICE_KEY": None})  # type: ignore[dict-item]
    assert result.exit_code == 2
    assert "environment variable ALICE_KEY is not set" in result.stderr
    assert "scan.identities[0].headers.X-API-Key" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://host"], "expected http:// or https://"),
        (["http://127.0.0.1:9", "--identity", "bob"], "expected NAME:ROLE:HEADER=VALUE"),
        (["http://127.0.0.1:9", "--format", "yaml"], "Invalid value for '--format'"),
    ],
)
def test_bad_flags_exit_2(workdir: Path, args: list[str], message: str) -> None:
    code, _, err = _run(*args)
    assert code == 2 and message in err


def test_bad_spec_exits_2(workdir: Path, secure_notes: Served) -> None:
    (workdir / "spec.json").write_text('{"openapi": "3.0.0"}', encoding="utf-8")
    code, _, err = _run(secure_notes.url, "--spec", "spec.json")
    assert code == 2 and "spec.json: no 'paths' object" in err
    code, _, err = _run(secure_notes.url + "/elsewhere")
    assert code == 2 and "no API description found" in err and "--spec" in err
    code, _, err = _run(secure_notes.url, "--spec", "missing.json")
    assert code == 2 and "--spec missing.json: no such file" in err


def test_unreachable_target_exits_3(workdir: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    code, out, err = _run(url, "--progress", "none")
    assert code == 3 and out == ""
    assert (
        err.startswith(f"dynaguard: error: {url} does not answer") and "nothing was scanned" in err
    )
    assert len(err.strip().splitlines()) == 1


def test_progress_bar_and_coverage_table_render(workdir: Path, secure_notes: Served) -> None:
    (workdir / "dynaguard.toml").write_text(CONFIG, encoding="utf-8")
    code, out, err = _run(secure_notes.url, "--progress", "bar", "--read-only")
    assert code == 0 and "no findings" in out
    assert "coverage" in err and "GET /notes/{note_id}" in err


def test_unknown_probe_is_a_usage_error(workdir: Path, secure_notes: Served) -> None:
    code, _, err = _run(secure_notes.url, "--probe", "racing")
    assert code == 2 and "--probe: unknown probe 'racing'" in err and "race" in err
