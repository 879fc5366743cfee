"""docs/models.md's worked example is true: its files, scanned before and after its
``[tool.dynaguard.models]`` table is added, print exactly the outputs the page shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dynaguard.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "models.md"
_BLOCK = r"<!-- {kind}: (\S+) -->\n```\w*\n(.*?)```"


def _blocks(kind: str) -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    return dict(re.findall(_BLOCK.format(kind=kind), text, re.S))


def _write(root: Path, files: dict[str, str]) -> None:
    (root / "shop").mkdir()
    (root / "shop" / "__init__.py").write_text("", encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


def _scan() -> str:
    result = CliRunner().invoke(main, ["code", ".", "--fail-on", "none"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_the_worked_example_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, outputs = _blocks("file"), _blocks("output")
    assert set(outputs) == {"before", "after"} and "pyproject.toml" in files
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {n: t for n, t in files.items() if n != "pyproject.toml"})
    assert _scan() == outputs["before"].strip()
    (tmp_path / "pyproject.toml").write_text(files["pyproject.toml"], encoding="utf-8")
    assert _scan() == outputs["after"].strip()


def _rules(output: str) -> list[str]:
    return sorted(re.findall(r"^  (DG\d{3}) ", output, re.M))


@pytest.mark.parametrize(
    ("dropped", "expected"),
    [
        ("identity-functions", ["DG101", "DG203", "DG402", "DG403"]),
        ("authentication-decorators", ["DG101", "DG203", "DG203", "DG402", "DG403"]),
    ],
)
def test_each_declaration_of_the_example_carries_its_weight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dropped: str, expected: list[str]
) -> None:
    # What the page says happens without one of the declarations.
    files = _blocks("file")
    monkeypatch.chdir(tmp_path)
    kept = {
        n: "".join(ln for ln in t.splitlines(True) if not ln.startswith(dropped))
        for n, t in files.items()
    }
    _write(tmp_path, kept)
    assert _rules(_scan()) == expected
