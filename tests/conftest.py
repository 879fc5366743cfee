"""Shared test setup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import validator_for

SARIF_SCHEMA = Path(__file__).parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(autouse=True)
def _private_analysis_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test gets its own empty analysis cache (``dynaguard code`` caches by default), so no
    test reads another's entries and none writes into the user's cache directory."""
    directory: Path = tmp_path_factory.mktemp("dynaguard-cache")
    monkeypatch.setenv("DYNAGUARD_CACHE_DIR", str(directory))


@pytest.fixture(scope="session")
def sarif_validator() -> Any:
    """A validator for the OASIS SARIF 2.1.0 schema, checked formats included."""
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    # The schema's own "$schema" (draft-04) picks the validator class.
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)
