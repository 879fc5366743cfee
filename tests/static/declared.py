"""Helpers for the tests of the user's own models: declarations written as the TOML users write."""

from __future__ import annotations

import tomllib

from dynaguard.config import validate_models
from dynaguard.model import Finding, Persona
from dynaguard.static import Analysis, Model, with_declared


def models(toml: str) -> tuple[Model, ...]:
    """The models a ``[models]`` table declares (as dynaguard.toml spells it), then the shipped."""
    raw = tomllib.loads(toml)
    return with_declared(validate_models(raw["models"], "test", "[models]").declarations())


def found(analysis: Analysis, rule: str) -> list[Finding]:
    return [f for f in analysis.findings if f.rule.id == rule]


def rules(analysis: Analysis) -> list[str]:
    """The rules of the findings a regular run shows (pedantic ones are opt-in)."""
    return sorted(f.rule.id for f in analysis.findings if f.effective_persona <= Persona.REGULAR)
