"""Snapshot of `dynaguard code` as a user sees it: output and exit code together."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dynaguard.cli import main

HERE = Path(__file__).resolve().parent
APP = HERE.parent / "fixtures" / "cli" / "snapshot_app"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_code_output_snapshot(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(APP)
    result = CliRunner().invoke(main, ["code", "--format", fmt, "."], catch_exceptions=False)
    actual = f"exit code: {result.exit_code}\n{result.stdout}"
    snapshot = HERE / "snapshots" / f"code.{fmt}.txt"
    if os.environ.get("DYNAGUARD_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(actual, encoding="utf-8")
    assert snapshot.exists(), f"missing {snapshot}: run with DYNAGUARD_UPDATE_SNAPSHOTS=1"
    assert actual == snapshot.read_text(encoding="utf-8")
