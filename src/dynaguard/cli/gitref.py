"""The tree at a git ref, checked out in a temporary worktree for ``dynaguard code --new-since``.

``git worktree add --detach`` shares the repository's objects (no clone, no network) and leaves
the user's checkout alone; the worktree is removed when the block ends, also on an error, Ctrl-C
or SIGTERM. Every git failure becomes a ``GitRefError`` with a one-line message that says what to
do (the CLI turns it into exit code 2).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

_TIMEOUT = 300
"""Seconds any one git command may take (a checkout of a large tree is the slowest)."""


class GitRefError(Exception):
    """The ref cannot be checked out; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Checkout:
    """A ref checked out beside the repository."""

    top: Path
    """The repository's top-level directory (the user's worktree)."""
    tree: Path
    """The same top level at the ref (the temporary worktree)."""
    commit: str
    """The commit the ref names."""

    def mirror(self, path: Path) -> Path:
        """``path`` (in the user's worktree) at the same place in the ref's tree."""
        return self.tree / path.resolve().relative_to(self.top)


def toplevel(where: Path) -> Path:
    """The top-level directory of the git worktree that holds ``where``."""
    start = where if where.is_dir() else where.parent
    result = _git(start, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise GitRefError(f"--new-since needs a git repository, and {where} is not in one")
    return Path(result.stdout.strip()).resolve()


def resolve_commit(top: Path, ref: str) -> str:
    """The commit ``ref`` names; a missing ref says how to fetch it (shallow clones)."""
    if ref.startswith("-"):
        raise GitRefError(f"--new-since {ref!r}: not a git ref")
    found = _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if found.returncode == 0:
        return found.stdout.strip()
    shallow = _git(top, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    if shallow:
        raise GitRefError(
            f"--new-since {ref}: no such commit in this shallow clone; fetch it first "
            f"('git fetch --unshallow', or 'git fetch origin {ref}'; in GitHub Actions, "
            "actions/checkout with fetch-depth: 0)"
        )
    raise GitRefError(
        f"--new-since {ref}: no such commit, branch or tag (try 'git fetch origin {ref}')"
    )


def fetch_missing(top: Path, ref: str) -> bool:
    """Fetch ``ref`` (a commit id or a branch) from ``origin`` when this clone lacks it, as a CI
    checkout of a single commit does; whether it is there now. Never asks for credentials."""
    if ref.startswith("-"):
        return False
    if _has_commit(top, ref):
        return True
    _git(top, "fetch", "--quiet", "--no-tags", "--depth=1", "origin", ref)
    return _has_commit(top, ref)


def _has_commit(top: Path, ref: str) -> bool:
    found = _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    return found.returncode == 0


@contextlib.contextmanager
def checkout(where: Path, ref: str) -> Iterator[Checkout]:
    """The tree at ``ref`` of the repository holding ``where``, removed afterwards."""
    top = toplevel(where)
    commit = resolve_commit(top, ref)
    parent = Path(tempfile.mkdtemp(prefix="dynaguard-ref-"))
    tree = parent / "tree"
    try:
        with _signals_as_interrupts():
            added = _git(top, "worktree", "add", "--detach", "--quiet", str(tree), commit)
            if added.returncode != 0:
                raise GitRefError(f"--new-since {ref}: git worktree add failed: {_last(added)}")
            yield Checkout(top, tree, commit)
    finally:
        _remove(top, tree, parent)


def _remove(top: Path, tree: Path, parent: Path) -> None:
    # NOTE: a plain rmtree would leave git's record of the worktree behind ("prunable"); ask git
    # first, then make sure the folder is gone even if git could not.
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        _git(top, "worktree", "remove", "--force", str(tree))
    shutil.rmtree(parent, ignore_errors=True)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        _git(top, "worktree", "prune")


@contextlib.contextmanager
def _signals_as_interrupts() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt inside the block, so ``finally`` removes the worktree
    (Python's default SIGTERM ends the process without running it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def interrupt(_number: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
            # Never ask for credentials or an editor: a CI job would hang instead of failing.
            env=_quiet_env(),
        )
    except FileNotFoundError:
        raise GitRefError("--new-since needs git, and no 'git' program was found") from None
    except subprocess.TimeoutExpired:
        raise GitRefError(f"git {args[0]} took more than {_TIMEOUT} s") from None


def _quiet_env() -> dict[str, str]:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "LC_ALL": "C"}


def _last(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"exit status {result.returncode}"
