"""Deterministic reports for the formatter tests, and the snapshot check.

Snapshots live in ``tests/report/snapshots/``. To accept changed output, run
``DYNAGUARD_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/report`` and review the diff; without the
variable a missing snapshot fails (it never passes silently).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from dynaguard.catalogue import get_rule
from dynaguard.model import (
    Confidence,
    Endpoint,
    Engine,
    Exchange,
    Finding,
    FlowStep,
    Location,
    Persona,
    Report,
    Rule,
    RuleDoc,
    ScanWarning,
    Severity,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_ENV = "DYNAGUARD_UPDATE_SNAPSHOTS"

# Not in the catalogue: a stand-in so reports can mix rules while DG101 is the only real one.
BOLA = Rule(
    id="DG201",
    name="client-chosen-item-key",
    title="Client-chosen identifier selects an item with no owner check",
    cwe=(639,),
    owasp=("API1:2023",),
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    hint="Derive the owner part of the key from the authenticated identity.",
    doc=RuleDoc(
        what="Finds items selected by a client-supplied id with no ownership check.",
        why="Any user can read or change any other user's item by changing the id.",
        example="table.get_item(Key={'user_id': user_id})\n",
        fix="table.get_item(Key={'user_id': current_user_id()})\n",
        fix_secure="owned_key(table, user_id)\n",
    ),
)
VALIDATION = Rule(
    id="DG301",
    name="unvalidated-write",
    title="Request data written with no server-side validation",
    cwe=(20,),
    owasp=("API8:2023",),
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    hint="Validate type, range and required fields before the write.",
    doc=RuleDoc(what="w", why="y", example="e\n", fix="f\n"),
    persona=Persona.PEDANTIC,
)


def make_static() -> Finding:
    """DG101 with a three-step flow that starts in another file, on a known route."""
    sink = Location("app/routes.py", 18, 5, "create_user", "table.put_item(Item=data)")
    flow = (
        FlowStep(
            Location("app/handlers.py", 12, 12, "read_body", "return request.get_json()"),
            "request.get_json()",
        ),
        FlowStep(Location("app/routes.py", 14, 5, "create_user", "data = read_body()"), "data"),
        FlowStep(sink, "Table.put_item(Item=...)"),
    )
    return Finding(
        rule=get_rule("DG101"),
        engine=Engine.STATIC,
        message="request.get_json() reaches Table.put_item(Item=...) with no allowlist",
        fingerprint="3f1c0a9e5b7d2c4a8e6f1b3d5c7a9e0f",
        location=sink,
        endpoint=Endpoint("POST", "/users"),
        flow=flow,
    )


def make_dynamic() -> Finding:
    """A confirmed finding on an endpoint, with two redacted exchanges and a raised severity."""
    evidence = (
        Exchange(
            "GET",
            "http://127.0.0.1:8000/users/u-alice",
            (("Authorization", "Bearer <alice-token>"),),
            "",
            200,
            '{"user_id": "u-alice", "email": "alice@example.com"}',
            "alice",
            "the owner reads her item",
            "curl -H 'Authorization: Bearer $ALICE_TOKEN' http://127.0.0.1:8000/users/u-alice",
        ),
        Exchange(
            "GET",
            "http://127.0.0.1:8000/users/u-alice",
            (("Authorization", "Bearer <bob-token>"),),
            "",
            200,
            '{"user_id": "u-alice", "email": "alice@example.com"}',
            "bob",
            "bob reads alice's item",
            "curl -H 'Authorization: Bearer $BOB_TOKEN' http://127.0.0.1:8000/users/u-alice",
        ),
    )
    return Finding(
        rule=BOLA,
        engine=Engine.DYNAMIC,
        message="bob read an item owned by alice",
        fingerprint="9a8b7c6d5e4f30211203f4e5d6c7b8a9",
        endpoint=Endpoint("GET", "/users/<user_id>"),
        evidence=evidence,
        severity=Severity.CRITICAL,
    )


def make_pedantic() -> Finding:
    """A medium static finding in a second file, with no flow and no route."""
    return Finding(
        rule=VALIDATION,
        engine=Engine.STATIC,
        message="request.form['age'] is written without validation",
        fingerprint="00aa11bb22cc33dd44ee55ff66778899",
        location=Location("app/admin.py", 7, 9, "set_age", "item['age'] = request.form['age']"),
    )


@pytest.fixture
def static_finding() -> Finding:
    return make_static()


@pytest.fixture
def dynamic_finding() -> Finding:
    return make_dynamic()


@pytest.fixture
def full_report() -> Report:
    """Findings deliberately out of order: formatters must sort them."""
    return Report(
        findings=(make_dynamic(), make_static(), make_pedantic()),
        warnings=(
            ScanWarning("could not parse: invalid syntax", "app/legacy.py", 3),
            ScanWarning("probe skipped: no second identity configured"),
        ),
        files_scanned=4,
        suppressed=1,
        baselined=2,
        target="/srv/shop",
        extra={"grade": "F"},
    )


@pytest.fixture
def empty_report() -> Report:
    return Report(findings=(), files_scanned=4, target="/srv/shop")


@pytest.fixture
def snapshot() -> Callable[[str, str], None]:
    """``snapshot(name, text)``: compare with ``snapshots/<name>``, or write it when updating."""

    def check(name: str, text: str) -> None:
        path = SNAPSHOTS / name
        if os.environ.get(UPDATE_ENV) == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            return
        if not path.exists():
            pytest.fail(f"snapshot {path} is missing; create it with {UPDATE_ENV}=1 and review it")
        assert text == path.read_bytes().decode("utf-8"), f"output differs from {path}"

    return check
