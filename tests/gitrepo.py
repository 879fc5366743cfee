"""A throw-away git repository with a base and a head commit, for the CI gate tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.cli.test_code_cli import VULNERABLE

BASE = VULNERABLE
"""One route whose whole request body becomes an item (DG101 and friends)."""


def route(function: str, path: str, comment: str = "") -> str:
    """Another route with the same weakness, appended to ``BASE``."""
    return (
        f'\n\n@app.post("{path}")\ndef {function}():\n    data = request.get_json()\n'
        f'    table.put_item(Item=data){comment}\n    return {{"ok": True}}, 201\n'
    )


SECOND_COPY = route("create_user_again", "/users/again")
SUPPRESSED = route("quiet", "/quiet", "  # dynaguard: ignore[DG101]")

_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **_ENV, "HOME": str(repo.parent)}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def make_repo(root: Path, base: str = BASE) -> Path:
    """``root/repo`` with ``app/api.py`` = ``base`` committed on ``main``, tagged ``base``."""
    repo = root / "repo"
    (repo / "app").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "app" / "api.py").write_text(base, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "base")
    return repo


def commit(repo: Path, text: str, message: str = "head") -> str:
    """Replace ``app/api.py`` with ``text``, commit, and return the commit id."""
    (repo / "app" / "api.py").write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")
