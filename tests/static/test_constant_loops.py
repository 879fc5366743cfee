"""A ``for`` over a constant list of names runs once per name, so what it copies is named."""

from __future__ import annotations

from dynaguard.catalogue import CATALOGUE
from dynaguard.model import Persona
from dynaguard.static import analyse
from tests.static.fixtures import FIXTURES


def test_copied_fields_are_reported_under_their_names_at_the_regular_persona() -> None:
    root = FIXTURES / "DG301"
    analysis = analyse([root / "copy_loop.py"], root=root, rules=list(CATALOGUE))
    found = [
        f
        for f in analysis.findings
        if f.rule.id == "DG301" and f.effective_persona <= Persona.REGULAR
    ]
    # Unnamed ('*' of the body) the copy would only be a pedantic, low-confidence finding.
    assert len(found) == 1
    finding = found[0]
    assert finding.location is not None and finding.location.function == "update_alarm"
    assert "'enabled'" in finding.message or "'threshold'" in finding.message


def test_a_server_controlled_name_on_the_list_is_set_by_the_client() -> None:
    root = FIXTURES / "DG103"
    analysis = analyse([root / "copy_loop.py"], root=root, rules=list(CATALOGUE))
    found = [f for f in analysis.findings if f.rule.id == "DG103"]
    assert [f.location.function for f in found if f.location] == ["update_profile"]
    assert "'role'" in found[0].message
