"""A TOML file the user names, read defensively: the configuration's only way in from disk.

What reaches tomllib is a regular file (never a FIFO or a device, which could block or never
end), at most 1 MB, UTF-8 with or without a BOM; what comes out is nested at most 32 deep, so
nothing that reads it afterwards (pydantic, ``${ENV}`` expansion) recurses without end. Every
problem is a :class:`TomlFileError` naming the file, and the line when there is one.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

MAX_BYTES = 1024 * 1024
"""A config file larger than this is refused (``--config /dev/zero`` must not eat memory)."""
MAX_DEPTH = 32
"""Tables and arrays nested deeper than this are refused: no configuration needs them."""


class TomlFileError(Exception):
    """The file cannot be read as TOML: the message names the file, and the line if known."""


def read_bytes(path: Path) -> bytes:
    """The file's bytes, if it is a regular file of at most ``MAX_BYTES``."""
    try:
        if path.exists() and not path.is_file():
            raise TomlFileError(f"{path}: not a regular file")
        # Not blocking, and checked again once open: what replaced the file since must not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise TomlFileError(f"{path}: not a regular file")
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise TomlFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise TomlFileError(f"{path}: larger than 1 MB, not a config file")
    return data


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed document."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")  # a BOM at the start is fine
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1  # in the text after any BOM
        raise TomlFileError(f"{path}: not UTF-8 text (line {line})") from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlFileError(f"{path}: invalid TOML: {exc}") from exc
    except RecursionError:  # tomllib recurses into each nested array and inline table
        raise TomlFileError(f"{path}: nested too deep to be a config file") from None
    deep = _too_deep(document)
    if deep is not None:
        raise TomlFileError(f"{path}: key {deep!r} is nested too deep (more than {MAX_DEPTH})")
    return document


def _too_deep(document: dict[str, Any]) -> str | None:
    """The first key path nested deeper than ``MAX_DEPTH`` (shortened), walked without
    recursion; ``None`` when there is none."""
    stack: list[tuple[tuple[str, ...], object]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if len(path) > MAX_DEPTH:
            return "".join(path[:3]).lstrip(".") + "..."
        if isinstance(value, dict):
            stack.extend(((*path, f".{k}"), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, f"[{i}]"), v) for i, v in enumerate(value))
    return None
