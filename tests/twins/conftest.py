"""Fixtures for the twin tests: one embedded DynamoDB per session, one served twin per test.

Every exploit test runs against both twins; ``twin.exploitable`` says whether the attack is
expected to work (vulnerable) or to be refused (secure).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dynaguard.lab import Lab
from tests.twins.twin_helpers import Twin, make_twin


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    with Lab(embedded=True) as embedded:
        yield embedded


@pytest.fixture(params=["vulnerable", "secure"])
def twin(request: pytest.FixtureRequest, lab: Lab) -> Iterator[Twin]:
    yield from make_twin(lab, request.param)


@pytest.fixture
def secure_twin(lab: Lab) -> Iterator[Twin]:
    """For tests about the secure twin alone (its documented refusals, the stream poller)."""
    yield from make_twin(lab, "secure")
