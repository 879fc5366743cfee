"""Acceptance: the scanner on the reference twins (docs/twins.md), on the embedded DynamoDB.

Vulnerable twin: every weakness docs/twins.md lists that requests can prove is found, confirmed,
with evidence. Secure twin: nothing. Read-only: no write request at all (the logins aside).
The race probe's hit rate is timing by nature: bench/dynamic_scan.py measures it; here DG401 is
welcome but not required (tests/dynamic/test_engine.py proves the probe deterministically).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest

from dynaguard.demo import create_app, serve
from dynaguard.dynamic import Identity, Login, Role, ScanOptions, ScanResult, scan, to_report
from dynaguard.lab import Lab
from dynaguard.model import Confidence
from dynaguard.report import OutputFormat, render

TWINS_DOC = Path(__file__).resolve().parents[2] / "docs" / "twins.md"
RECORD = "/users/{username}/records/{record_id}"

DYNAMIC = {
    ("DG101", "POST /users"),
    ("DG102", "PATCH /users/{username}"),
    ("DG103", "POST /users/{username}/records"),
    ("DG201", f"GET {RECORD}"),
    ("DG201", f"PUT {RECORD}"),
    ("DG201", f"DELETE {RECORD}"),
    ("DG201", "PATCH /users/{username}"),
    ("DG201", "POST /users/{username}/transfers"),
    ("DG202", "GET /admin/users"),
    ("DG203", "GET /users/{username}/records"),
    ("DG301", "POST /users/{username}/transfers"),
    ("DG302", "POST /users"),
    ("DG302", "POST /handles"),
    ("DG302", f"POST {RECORD}/increment"),
    ("DG302", f"PUT {RECORD}"),
    ("DG302", "POST /users/{username}/transfers"),
    ("DG402", "POST /handles"),
    ("DG403", f"PUT {RECORD}"),
    ("DG403", f"POST {RECORD}/increment"),
    ("DG403", f"DELETE {RECORD}"),
    ("DG403", "PATCH /users/{username}"),
    ("DG404", f"PUT {RECORD}"),
    ("DG501", "POST /users/{username}/transfers"),
    ("DG502", "POST /users"),
    ("DG701", "GET /search/records"),
    ("DG801", "GET /users/{username}"),
    ("DG801", "PATCH /users/{username}"),
    ("DG801", "GET /admin/users"),
}
"""Every (rule, operation) of docs/twins.md that HTTP requests can prove."""
TIMING = {("DG401", f"POST {RECORD}/increment")}
"""Proven by a race: measured by the benchmark, not required by a test."""
NOT_OVER_HTTP = {"DG601", "DG602"}
"""Streams consumers: no request reaches them."""

_PREFIXES = count()


def _identity(name: str, role: Role = Role.USER) -> Identity:
    body = {"username": name, "password": f"{name}-demo-pw"}
    return Identity(name, role, login=Login(path="/auth/token", body=body, token="/access_token"))


IDENTITIES = (_identity("alice"), _identity("bob"), _identity("admin", Role.ADMIN))


def _scan(lab: Lab, kind: str, *, active: bool) -> ScanResult:
    app = create_app(
        kind,
        dynamodb=lab.resource(),
        client=lab.client(),
        table_prefix=f"s{next(_PREFIXES)}_{kind}_",
    )  # type: ignore[arg-type]
    # The lab serialises moto's requests (dynaguard.lab), so the secure twin's atomic ADD
    # cannot lose an increment that real DynamoDB would keep.
    with serve(app) as running:
        return scan(ScanOptions(target=running.url, identities=IDENTITIES, active=active))


def _pairs(result: ScanResult) -> set[tuple[str, str]]:
    return {
        (f.rule.id, f"{f.endpoint.method} {f.endpoint.path}") for f in result.findings if f.endpoint
    }


@pytest.fixture(scope="module")
def twin_lab() -> Iterator[Lab]:
    with Lab(embedded=True) as lab:
        yield lab


@pytest.fixture(scope="module")
def vulnerable(twin_lab: Lab) -> ScanResult:
    return _scan(twin_lab, "vulnerable", active=True)


def test_the_expected_list_covers_docs_twins_md() -> None:
    documented = set(re.findall(r"\| (DG\d{3}) \|", TWINS_DOC.read_text(encoding="utf-8")))
    assert documented, "docs/twins.md has no weakness table"
    covered = {rule for rule, _ in DYNAMIC | TIMING} | NOT_OVER_HTTP
    assert documented == covered


def test_vulnerable_twin_every_weakness_found(vulnerable: ScanResult) -> None:
    missing = DYNAMIC - _pairs(vulnerable)
    assert not missing, sorted(missing)
    for finding in vulnerable.findings:
        assert finding.effective_confidence is Confidence.CONFIRMED
        assert finding.evidence, finding.message
        assert all(e.curl and e.identity for e in finding.evidence)


def test_vulnerable_twin_report_has_no_credentials(vulnerable: ScanResult) -> None:
    document = render(to_report(vulnerable), OutputFormat.JSON)
    assert "eyJ" not in document  # no JWT, in headers or bodies
    for password in ("alice-demo-pw", "bob-demo-pw", "admin-demo-pw"):
        assert password not in document
    assert (
        "pbkdf2" not in document and "scrypt" not in document
    )  # hashes in DG801 evidence are masked


def test_vulnerable_twin_within_budget(vulnerable: ScanResult) -> None:
    assert vulnerable.requests <= 1000  # the wall-time target is the benchmark's business


def test_secure_twin_has_no_findings(twin_lab: Lab) -> None:
    result = _scan(twin_lab, "secure", active=True)
    assert result.findings == (), [f"{f.rule.id} {f.message}" for f in result.findings]
    assert all(
        row.status == "tested" for row in result.coverage if row.endpoint.path != "/auth/token"
    )
    # Only what the API gives no way to delete is left: accounts and handles, the accounts the
    # scan registered for itself among them.
    assert all(
        re.match(
            r"(user|handle) \S+ created by \w+ at /(users|handles) \(the API has no delete\)$", item
        )
        or re.match(
            r"account dg_\w+ registered by the scan through POST /users "
            r"\(the API has no delete for accounts\)$",
            item,
        )
        for item in result.not_cleaned
    ), result.not_cleaned


def test_read_only_scan_sends_no_write(twin_lab: Lab) -> None:
    result = _scan(twin_lab, "vulnerable", active=False)
    writes = [r for r in result.traffic if r.method not in ("GET", "HEAD", "OPTIONS")]
    assert writes and all(r.method == "POST" and r.url.endswith("/auth/token") for r in writes)
    assert {"DG202", "DG701", "DG801"} <= {f.rule.id for f in result.findings}
