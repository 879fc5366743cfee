"""The pre-commit hooks: their commands directly, and the real pre-commit tool once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from dynaguard.cli import main
from tests.gitrepo import BASE, SECOND_COPY, git, make_repo

CHECKOUT = Path(__file__).resolve().parents[2]
HOOKS = CHECKOUT / ".pre-commit-hooks.yaml"
SAFE = "def helper():\n    return 1\n"


@pytest.fixture
def staged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose last commit has two vulnerable modules; one more route is staged in
    ``app/api.py``, and ``app/util.py`` (no finding) is staged too."""
    repo = make_repo(tmp_path)
    (repo / "app" / "other.py").write_text(BASE, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "other")
    (repo / "app" / "api.py").write_text(BASE + SECOND_COPY, encoding="utf-8")
    (repo / "app" / "util.py").write_text(SAFE, encoding="utf-8")
    git(repo, "add", "-A")
    monkeypatch.chdir(repo)
    return repo


def _hook(entry: str, files: list[str]) -> tuple[int, str]:
    args = entry.split()[1:]  # "dynaguard ..." as pre-commit would run it
    result = CliRunner().invoke(main, [*args, *files], catch_exceptions=False)
    return result.exit_code, result.stdout


def _hooks() -> dict[str, dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in loaded}


def test_the_hooks_are_declared() -> None:
    hooks = _hooks()
    assert set(hooks) == {"dynaguard", "dynaguard-new"}
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["types"] == ["python"]
        assert hook["require_serial"] is True  # one whole-project analysis, not one per batch
    assert hooks["dynaguard-new"]["pass_filenames"] is False
    assert "--new-since HEAD" in hooks["dynaguard-new"]["entry"]


def test_dynaguard_hook_reports_only_the_staged_files(staged: Path) -> None:
    code, out = _hook(_hooks()["dynaguard"]["entry"], ["app/api.py"])
    assert code == 1
    assert "app/api.py" in out and "app/other.py" not in out
    code, out = _hook(_hooks()["dynaguard"]["entry"], ["app/util.py"])
    assert code == 0 and "no findings" in out


def test_dynaguard_new_hook_reports_only_what_the_commit_adds(staged: Path) -> None:
    code, out = _hook(_hooks()["dynaguard-new"]["entry"], [])
    assert code == 1
    assert "create_user_again" in out
    assert "in create_user\n" not in out and "app/other.py" not in out


def test_no_files_is_a_pass(staged: Path) -> None:
    assert _hook(_hooks()["dynaguard"]["entry"], [])[0] == 0


def test_the_real_pre_commit_runs_both_hooks(staged: Path, tmp_path: Path) -> None:
    """pre-commit installs this checkout in a virtualenv from PyPI (about 20 s) and runs each
    hook on the staged files, as a commit would."""
    tool = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if tool is None:
        pytest.skip("pre-commit is not installed (it is in the dev extras)")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    done = subprocess.run(
        [tool, "try-repo", str(CHECKOUT)],
        cwd=staged,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = done.stdout + done.stderr
    if "Could not find a version" in out or "Failed to establish a new connection" in out:
        pytest.skip("PyPI cannot be reached to install the hook's environment")
    assert done.returncode == 1, out
    sections = out.split("dynaguard (new since HEAD)")
    assert len(sections) == 2, out
    every, new = sections
    assert "Failed" in every and "app/api.py" in every and "app/other.py" not in every
    assert "Failed" in new and "create_user_again" in new and "app/other.py" not in new
