"""Which files a scan reads: Python files under the given paths, minus excluded trees."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from fnmatch import fnmatch
from pathlib import Path

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".venv",
    "venv",
    "site-packages",
    "node_modules",
    "build",
    "dist",
    ".git",
    "vendor",
    "third_party",
    "_vendor",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".eggs",
)
"""Directory names never scanned: environments, builds and vendored trees are not the user's code."""


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes (``..`` when outside it)."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


def printable(rel: str) -> str:
    """A path as reports show it: a name that is not UTF-8 (``bad\\xff``, which Python holds as
    a lone surrogate) is spelt with backslash escapes, so JSON, SARIF and HTML stay valid text.
    A backslash of the name itself is then doubled, so that no two names are spelt alike (a
    file named ``bad\\xff`` in UTF-8 would otherwise hide the other from the scan). The file
    itself is read through its ``Path``, never through this text."""
    if "\\" not in rel and (rel.isascii() or _utf8(rel)):
        return rel
    return os.fsencode(rel).replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: a byte of the name that is not UTF-8
        return False
    return True


class Excludes:
    """Compiled exclude patterns: plain names match any path component, globs the path too."""

    def __init__(self, patterns: Sequence[str]) -> None:
        cleaned = [p.strip("/") for p in patterns if p.strip("/")]
        self.names = frozenset(p for p in cleaned if not any(c in p for c in "*?[/"))
        self.globs = [p for p in cleaned if p not in self.names]

    def __call__(self, rel_path: str) -> bool:
        parts = rel_path.split("/")
        if not self.names.isdisjoint(parts):
            return True
        for pat in self.globs:
            if fnmatch(rel_path, pat) or fnmatch(rel_path, pat + "/*"):
                return True
            if "/" not in pat and any(fnmatch(part, pat) for part in parts):
                return True
        return False


def discover(
    paths: Sequence[Path],
    root: Path,
    exclude: Sequence[str] = (),
    wanted: Callable[[str], bool] = lambda name: name.endswith(".py"),
    unread: list[tuple[str, str]] | None = None,
) -> list[tuple[Path, str]]:
    """Sorted, de-duplicated ``(file, path relative to root)`` pairs of the files whose name is
    ``wanted`` (Python files by default). When ``unread`` is given, what could not be looked
    into is added to it: ``(path relative to root, why)``.

    Files named explicitly are always scanned; excludes prune directory walks.
    """
    excluded = Excludes((*DEFAULT_EXCLUDES, *exclude))
    found: dict[str, Path] = {}
    for path in paths:
        rel = relative(path, root)
        if candidate(path):
            found.setdefault(printable(rel), path)
        elif is_folder(path):
            for folder, here, names in walk(path, rel, excluded, unread):
                prefix = "" if here == "." else here + "/"
                for name in names:
                    # Only regular files (symlinks to one included): reading a FIFO would wait
                    # forever, and a device such as /dev/zero never ends.
                    if wanted(name) and not excluded(prefix + name) and candidate(folder / name):
                        found.setdefault(printable(prefix + name), folder / name)
        elif unread is not None:
            unread.append((printable(rel), "skipped, not a regular file or folder"))
    return [(found[rel], rel) for rel in sorted(found)]


def walk(
    top: Path,
    rel: str,
    skip: Callable[[str], bool] = lambda rel: False,
    unread: list[tuple[str, str]] | None = None,
) -> Iterator[tuple[Path, str, list[str]]]:
    """Each folder under ``top`` (``rel`` relative to the scan root), parents first: its path,
    its path relative to the root, and the sorted names in it that are not folders. Links to
    folders are not followed, folders whose relative path ``skip`` names are not entered, and
    a folder that cannot be listed is added to ``unread`` with the reason.

    NOTE: not ``os.walk``, which recurses once per level in Python 3.11 (a tree 1,000 folders
    deep was a RecursionError), and relative paths are built as it goes: resolving each
    folder's cost a ``stat`` per level of it (500 levels: over 30 s)."""
    pending = [(top, rel)]
    while pending:
        folder, here = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = sorted((e.name, _is_folder(e)) for e in entries)
        except OSError as exc:
            if unread is not None:
                unread.append((printable(here), f"could not be listed ({exc.strerror or exc})"))
            continue
        prefix = "" if here == "." else here + "/"
        yield folder, here, [name for name, is_folder in listed if not is_folder]
        inner = [name for name, is_folder in listed if is_folder and not skip(prefix + name)]
        pending += [(folder / name, prefix + name) for name in reversed(inner)]


def is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder (through links); no when the OS will not say."""
    try:
        return path.is_dir()
    except OSError:  # a name too long, a folder we may not enter on the way
        return False


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def regular(path: Path) -> bool:
    """Whether ``path`` is a regular file (through links); no when the OS will not say."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):  # missing, a link loop, a name too long, no permission
        return False


def candidate(path: Path) -> bool:
    """Whether to read ``path``: a regular file, or one whose kind the OS will not say for lack
    of permission (a folder we may list but not enter): its read then fails with a warning
    saying why, where skipping it would say nothing. Never a FIFO, a device or a folder."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except PermissionError:
        return True
    except (OSError, ValueError):
        return False


def upward(start: Path, base: Path) -> Iterator[Path]:
    """``start`` and each folder above it up to ``base`` (resolved paths; nothing when ``start``
    is not under ``base``). It stops at ``base``, which may be ``/``, its own parent."""
    folder = start
    while folder == base or base in folder.parents:
        yield folder
        if folder == base:
            return
        folder = folder.parent
