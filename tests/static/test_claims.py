"""A name the request registers first (a create-only put, Cognito's sign-up) is its own."""

from __future__ import annotations

from dynaguard.catalogue import CATALOGUE
from dynaguard.static import analyse
from dynaguard.static.models.expressions import created
from tests.static.fixtures import FIXTURES


def test_writes_under_a_key_the_request_created_first_are_its_own() -> None:
    root = FIXTURES / "DG402" / "created_space"
    analysis = analyse([root], root=root, rules=list(CATALOGUE))
    by_route: dict[str, set[str]] = {}
    for finding in analysis.findings:
        if finding.endpoint is not None:
            by_route.setdefault(finding.endpoint.path, set()).add(finding.rule.id)
    # Created first with attribute_not_exists(PK): the lists go under the new member only.
    assert by_route["/set_lists"] == {"DG301", "DG501"}
    # The same writes with no create first replace any member's lists.
    assert {"DG203", "DG402", "DG103"} <= by_route["/add_lists"]


def test_a_condition_creates_only_what_every_alternative_requires_absent() -> None:
    names = {"#p": "pk"}
    assert created("attribute_not_exists(#p)", names) == {"pk"}
    assert created("attribute_not_exists(pk) AND attribute_not_exists(sk)", {}) == {"pk", "sk"}
    # Either alternative may hold: an existing item with the right version is replaced.
    assert created("attribute_not_exists(pk) OR version = :v", {}) == frozenset()
    assert created("attribute_exists(pk)", {}) == frozenset()
