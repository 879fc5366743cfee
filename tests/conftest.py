"""Shared test setup."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_analysis_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test gets its own empty analysis cache (``dynaguard code`` caches by default), so no
    test reads another's entries and none writes into the user's cache directory."""
    directory: Path = tmp_path_factory.mktemp("dynaguard-cache")
    monkeypatch.setenv("DYNAGUARD_CACHE_DIR", str(directory))
