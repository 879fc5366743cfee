"""Which files a scan reads: Python files under the given paths, minus excluded trees."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
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
    The file itself is read through its ``Path``, never through this text."""
    if rel.isascii():
        return rel
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(rel).decode("utf-8", "backslashreplace")
    return rel


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
) -> list[tuple[Path, str]]:
    """Sorted, de-duplicated ``(file, path relative to root)`` pairs of the files whose name is
    ``wanted`` (Python files by default).

    Files named explicitly are always scanned; excludes prune directory walks.
    """
    excluded = Excludes((*DEFAULT_EXCLUDES, *exclude))
    found: dict[str, Path] = {}
    for path in paths:
        if path.is_file():
            found.setdefault(printable(relative(path, root)), path)
            continue
        for directory, subdirs, files in os.walk(path):
            base = Path(directory)
            rel_base = relative(base, root)
            prefix = "" if rel_base == "." else rel_base + "/"
            subdirs[:] = sorted(d for d in subdirs if not excluded(prefix + d))
            for name in sorted(files):
                # Only regular files (symlinks to one included): reading a FIFO would wait
                # forever, and a device such as /dev/zero never ends.
                if wanted(name) and not excluded(prefix + name) and (base / name).is_file():
                    found.setdefault(printable(prefix + name), base / name)
    return [(found[rel], rel) for rel in sorted(found)]
