"""The analysis cache on disk: an unchanged project is not analysed again.

An entry is one finished analysis (``static/cache.py`` encodes it), named by a hash of everything
the analysis depends on: every scanned file's path and content, the rules, the declared models,
the Python version, and dynaguard itself (its version and the size and time of each of its
source files, so an edited checkout never reads an old entry). Nothing else decides the
analysis, so an entry is never stale; anything unreadable is a miss.

Safe to delete at any time. Entries are written to a temporary file and renamed, so two scans at
once, or a scan killed half-way, never leave a half-written entry. The hash is salted with a
secret kept in the user cache directory: an entry copied from another machine or committed to a
repository is never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import dynaguard
from dynaguard import __version__
from dynaguard.static import Analysis
from dynaguard.static import cache as codec
from dynaguard.static.source.parse import MAX_BYTES

DIRNAME = ".dynaguard-cache"
"""The default cache folder, beside the config file."""
ENV = "DYNAGUARD_CACHE_DIR"
"""Overrides where entries go (and the salt, which then lives there too)."""
KEEP = 32
"""Entries kept; older ones are removed (by last use) after each write."""
MAX_ENTRY = 64 * 1024 * 1024
"""An entry larger than this is not read (a miss)."""
_STALE_TMP = 3600
"""Seconds after which a temporary file is a killed run's leftover."""
_IGNORE = "# Created by dynaguard: the analysis cache, safe to delete.\n*\n"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by dynaguard.\n"
)


class CacheUnavailable(Exception):
    """The cache directory cannot be used (the message says which and why)."""


@dataclass(frozen=True, slots=True)
class Cache:
    directory: Path
    """Where the entries are."""
    salt_directory: Path
    """Where the machine's secret salt is (the user cache directory, or ``directory``)."""


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dynaguard"


def locate(config: Path | None) -> Cache:
    """``$DYNAGUARD_CACHE_DIR``, else ``.dynaguard-cache`` beside the config file, else the user
    cache directory."""
    override = os.environ.get(ENV)
    if override:
        return Cache(Path(override), Path(override))
    user = user_cache_dir()
    if config is not None:
        return Cache(config.parent / DIRNAME, user)
    return Cache(user / "analyses", user)


def entry_key(
    cache: Cache,
    files: Sequence[tuple[Path, str]],
    *,
    rules: Sequence[str],
    models: str,
) -> str | None:
    """The entry name for this scan, or None when a scanned file cannot be read (the scan then
    runs uncached, and reports the file). Raises CacheUnavailable when the salt cannot be kept."""
    salt = _salt(cache.salt_directory)
    digests = []
    for path, rel in files:
        try:
            size = path.stat().st_size
            # Past the size the analyser reads, only the size decides its warning.
            content = (
                f"size:{size}"
                if size > MAX_BYTES
                else hashlib.sha256(path.read_bytes()).hexdigest()
            )
            digests.append((rel, content))
        except OSError:
            return None
    inputs = {
        "dynaguard": __version__,
        "sources": _own_sources(),
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "rules": ",".join(sorted(rules)),
        "models": models,
    }
    return codec.key(salt, inputs, digests)


def load(cache: Cache, key: str) -> Analysis | None:
    path = cache.directory / f"{key}.json"
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_ENTRY + 1)
        if len(data) > MAX_ENTRY:
            return None
        found = codec.decode(data.decode("utf-8"))
        if found is not None:
            os.utime(path)  # last use, for pruning
        return found
    except (OSError, UnicodeDecodeError):
        return None


def store(cache: Cache, key: str, analysis: Analysis) -> str | None:
    """Write the entry; returns why not when it could not be written (the scan goes on)."""
    directory = cache.directory
    tmp: str | None = None
    try:
        _prepare(directory)
        fd, tmp = tempfile.mkstemp(prefix="tmp-", suffix=".json", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(codec.encode(analysis))
        os.replace(tmp, directory / f"{key}.json")
        tmp = None
        _prune(directory)
    except OSError as exc:
        return f"{directory}: {exc.strerror or exc}"
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return None


def _prepare(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ((".gitignore", _IGNORE), ("CACHEDIR.TAG", _TAG)):
        marker = directory / name
        if not marker.exists():
            _write_new(marker, text.encode("utf-8"))


def _prune(directory: Path) -> None:
    """Keep the ``KEEP`` most recently used entries; drop temporary files of killed runs."""
    now = time.time()
    entries = []
    for path in directory.iterdir():
        try:
            stat = path.stat()
        except OSError:
            continue  # removed by a concurrent scan
        if path.name.startswith("tmp-") and now - stat.st_mtime > _STALE_TMP:
            path.unlink(missing_ok=True)
        elif path.suffix == ".json" and not path.name.startswith("tmp-"):
            entries.append((stat.st_mtime, path))
    for _, path in sorted(entries, reverse=True)[KEEP:]:
        path.unlink(missing_ok=True)


def _salt(directory: Path) -> bytes:
    """This machine's secret, made once (32 random bytes, readable by the user only)."""
    path = directory / "salt"
    try:
        if not path.exists():
            directory.mkdir(parents=True, exist_ok=True)
            _write_new(path, os.urandom(32), mode=0o600)  # another scan may win: theirs is it
        salt = path.read_bytes()
    except OSError as exc:
        raise CacheUnavailable(f"{path}: {exc.strerror or exc}") from exc
    if len(salt) != 32:
        raise CacheUnavailable(f"{path}: not a dynaguard salt (delete it to make a new one)")
    return salt


def _write_new(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Create ``path`` with ``data`` whole, unless it already exists."""
    fd, tmp = tempfile.mkstemp(prefix="tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # atomic, and fails if another scan made it first
    finally:
        os.unlink(tmp)


def _own_sources() -> str:
    """dynaguard's own code as installed: each source file's path, size and modification time."""
    root = Path(dynaguard.__file__).parent
    digest = hashlib.sha256()
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(directory, name))
                digest.update(f"{directory}/{name}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()
