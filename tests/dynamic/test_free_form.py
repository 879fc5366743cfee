"""A body the code reads whole, naming no field (issue 17): the scanner gives it the fields the
owner's object shows when read, so the update's proofs have somewhere to put their markers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from dynaguard.dynamic import Identity, ScanOptions, ScanResult, scan
from dynaguard.dynamic.free_form import FREE_FORM, is_free_form
from dynaguard.static.openapi import FREE_FORM as EMITTED
from tests.dynamic.conftest import Served
from tests.dynamic.profiles_app import create_app, derived_spec

PATCH = "PATCH /profiles/{username}"
IDENTITIES = (
    Identity("alice", headers={"Authorization": "Bearer alice-token"}),
    Identity("bob", headers={"Authorization": "Bearer bob-token"}),
)


def _scan(*, vulnerable: bool) -> ScanResult:
    served = Served(create_app(vulnerable=vulnerable))
    try:
        options = ScanOptions(
            target=served.url,
            identities=IDENTITIES,
            active=True,
            derived_spec=json.dumps(derived_spec(FREE_FORM)),
            derived_from="derived from the code",
        )
        return scan(options)
    finally:
        served.stop()


@pytest.fixture(scope="module")
def vulnerable() -> Iterator[ScanResult]:
    yield _scan(vulnerable=True)


def test_the_mark_is_the_one_the_code_side_writes() -> None:
    assert EMITTED == FREE_FORM
    assert is_free_form({"type": "object", FREE_FORM: True})
    assert not is_free_form({"type": "object"})  # a published spec's empty body: not ours
    assert not is_free_form({"type": "object", FREE_FORM: True, "properties": {"a": {}}})


def test_the_update_of_a_free_form_body_is_proven(vulnerable: ScanResult) -> None:
    found = {
        f.rule.id
        for f in vulnerable.findings
        if f.endpoint and f"{f.endpoint.method} {f.endpoint.path}" == PATCH
    }
    assert {"DG102", "DG201", "DG301", "DG403"} <= found


def test_borrowed_fields_are_the_plain_ones_typed_by_their_values(vulnerable: ScanResult) -> None:
    bodies = [
        json.loads(request.body)
        for request in vulnerable.traffic
        if request.method == "PATCH" and request.body
    ]
    sent = {name for body in bodies if isinstance(body, dict) for name in body}
    # The fields the read shows, never its key, role, secret, timestamp or nested object as one.
    assert {"display_name", "bio", "age"} <= sent
    first = bodies[0]  # a valid update: the borrowed fields exactly, each of its own type
    assert set(first) == {"age", "bio", "display_name"}
    assert isinstance(first["age"], int) and isinstance(first["bio"], str)


def test_the_fixed_update_gives_nothing() -> None:
    result = _scan(vulnerable=False)
    assert result.findings == (), [f"{f.rule.id} {f.message}" for f in result.findings]
    # Not for want of trying: the probes sent the borrowed fields, and were refused.
    tried = [r for r in result.traffic if r.method == "PATCH" and b'"display_name"' in r.body]
    assert len(tried) > 5
