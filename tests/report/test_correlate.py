"""Correlation: a static and a dynamic finding of one rule on one route become one finding."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynaguard.model import Confidence, Endpoint, Engine, Finding, Persona, Severity
from dynaguard.report.correlate import (
    Status,
    correlate,
    normalise_path,
    route_key,
    status,
    status_label,
)
from tests.report.conftest import BOLA, make_dynamic, make_static


def proof_of(static: Finding, method: str = "POST", path: str = "/users/") -> Finding:
    """A dynamic finding of the static finding's rule on the given route."""
    return replace(make_dynamic(), rule=static.rule, endpoint=Endpoint(method, path))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/users/<user_id>", "/users/{}"),
        ("/users/<int:user_id>/", "/users/{}"),
        ("/users/{userId}", "/users/{}"),
        ("/users/<path:rest>/items/{id}/", "/users/{}/items/{}"),
        ("users//x/", "/users/x"),
        ("/users?limit=1", "/users"),
        ("/", "/"),
        ("", "/"),
    ],
)
def test_normalise_path(path: str, expected: str) -> None:
    assert normalise_path(path) == expected


def test_matching_pair_becomes_one_confirmed_finding() -> None:
    static = make_static()
    proof = proof_of(static, "post", "/users/")
    (joined,) = correlate([static], [proof])
    assert joined.engine is Engine.DYNAMIC
    assert joined.effective_confidence is Confidence.CONFIRMED
    assert (joined.location, joined.flow, joined.fingerprint) == (
        static.location,
        static.flow,
        static.fingerprint,
    )
    assert (joined.evidence, joined.endpoint) == (proof.evidence, proof.endpoint)
    assert joined.message == (
        "confirmed: app/routes.py:18, proven on post /users/ — bob read an item owned by alice"
    )
    assert status(joined) is Status.CONFIRMED
    # The proof raised the severity to critical: the joined finding keeps the higher one.
    assert joined.effective_severity is Severity.CRITICAL


@pytest.mark.parametrize(
    "proof",
    [
        replace(make_dynamic(), endpoint=Endpoint("POST", "/users")),  # another rule
        proof_of(make_static(), "PUT", "/users"),  # another method
        proof_of(make_static(), "POST", "/users/<id>"),  # another path
        replace(proof_of(make_static()), endpoint=None),  # no route
    ],
)
def test_findings_that_differ_stay_apart(proof: Finding) -> None:
    assert set(correlate([make_static()], [proof])) == {make_static(), proof}


def test_static_without_a_route_stays_potential() -> None:
    static = replace(make_static(), endpoint=None)
    proof = proof_of(make_static())
    assert set(correlate([static], [proof])) == {static, proof}
    assert status(static) is Status.POTENTIAL


def test_statuses_and_labels() -> None:
    static, dynamic = make_static(), make_dynamic()
    assert (status(static), status_label(static)) == (Status.POTENTIAL, "potential")
    assert (status(dynamic), status_label(dynamic)) == (
        Status.CONFIRMED_UNSCANNED,
        "confirmed (code not scanned)",
    )
    joined = correlate([static], [proof_of(static)])[0]
    assert status_label(joined) == "confirmed: app/routes.py:18, proven on POST /users/"


def test_one_proof_confirms_one_of_two_sinks_in_report_order() -> None:
    first = make_static()
    second = replace(first, location=replace(first.location, line=30), fingerprint="f" * 32)
    result = correlate([second, first], [proof_of(first)])
    assert [status(f) for f in result] == [Status.CONFIRMED, Status.POTENTIAL]
    assert result[0].location == first.location


def test_joined_persona_is_the_more_visible_one() -> None:
    static = replace(make_static(), persona=Persona.AUDITOR)
    assert correlate([static], [proof_of(static)])[0].persona is None  # the rule's: regular


# Properties --------------------------------------------------------------------------------

ROUTES = st.tuples(
    st.sampled_from(["GET", "POST", "post"]),
    st.sampled_from(["/users/<id>", "/users/{user_id}/", "/users/<int:id>", "/orders", "/orders/"]),
)
RULES = st.sampled_from([make_static().rule, BOLA])
FINGERPRINTS = st.text("0123456789abcdef", min_size=4, max_size=4)


@st.composite
def statics(draw: st.DrawFn) -> Finding:
    base = make_static()
    method, path = draw(ROUTES)
    endpoint = draw(st.sampled_from([Endpoint(method, path), None]))
    location = replace(base.location, line=draw(st.integers(1, 50)))  # type: ignore[arg-type]
    return replace(
        base, rule=draw(RULES), endpoint=endpoint, location=location, fingerprint=draw(FINGERPRINTS)
    )


@st.composite
def dynamics(draw: st.DrawFn) -> Finding:
    method, path = draw(ROUTES)
    endpoint = draw(st.sampled_from([Endpoint(method, path), None]))
    rule, fingerprint = draw(RULES), draw(FINGERPRINTS)
    return replace(make_dynamic(), rule=rule, endpoint=endpoint, fingerprint=fingerprint)


PAIRS = st.tuples(st.lists(statics(), max_size=6), st.lists(dynamics(), max_size=6))


def expected_pairs(static: list[Finding], dynamic: list[Finding]) -> int:
    keys_s = Counter(route_key(f) for f in static if route_key(f))
    keys_d = Counter(route_key(f) for f in dynamic if route_key(f))
    return sum(min(n, keys_d[key]) for key, n in keys_s.items())


@given(PAIRS)
def test_count_is_static_plus_dynamic_minus_pairs(
    pair: tuple[list[Finding], list[Finding]],
) -> None:
    static, dynamic = pair
    result = correlate(static, dynamic)
    pairs = expected_pairs(static, dynamic)
    assert len(result) == len(static) + len(dynamic) - pairs
    assert sum(status(f) is Status.CONFIRMED for f in result) == pairs


@given(PAIRS)
def test_never_loses_a_finding(pair: tuple[list[Finding], list[Finding]]) -> None:
    static, dynamic = pair
    result = correlate(static, dynamic)
    joined = [f for f in result if status(f) is Status.CONFIRMED]
    kept = Counter(f for f in result if status(f) is not Status.CONFIRMED)
    assert not kept - Counter(static + dynamic)
    # Every input not kept as it was is one half of a joined finding: the static half gave
    # its location and fingerprint, the dynamic half its evidence.
    consumed = (Counter(static + dynamic) - kept).elements()
    halves = Counter((f.location, f.fingerprint) for f in joined)
    halves.update((None, f.evidence) for f in joined)
    assert halves == Counter(
        (f.location, f.fingerprint) if f.engine is Engine.STATIC else (None, f.evidence)
        for f in consumed
    )


@given(PAIRS)
def test_idempotent(pair: tuple[list[Finding], list[Finding]]) -> None:
    once = correlate(*pair)
    static = [f for f in once if f.engine is Engine.STATIC]
    dynamic = [f for f in once if f.engine is Engine.DYNAMIC]
    assert correlate(static, dynamic) == once
    assert correlate(list(once), []) == once


@given(PAIRS, st.randoms(use_true_random=False))
def test_deterministic_whatever_the_input_order(
    pair: tuple[list[Finding], list[Finding]], rng: object
) -> None:
    static, dynamic = (list(p) for p in pair)
    rng.shuffle(static)  # type: ignore[attr-defined]
    rng.shuffle(dynamic)  # type: ignore[attr-defined]
    assert correlate(static, dynamic) == correlate(*pair)
