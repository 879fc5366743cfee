"""The CLI's file I/O: output is written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from dynaguard.cli.exits import ExitCode, die


def emit(text: str, output: Path | None, option: str = "--output") -> None:
    """Print to stdout (``output`` None or ``-``), or write ``output`` whole.

    A regular file or a new path is replaced atomically (a temporary file renamed onto it), so
    no reader sees half a report; a symlink is followed, so the link stays and its target is
    what is replaced; anything else that exists (``/dev/stdout``, a FIFO) is written into, never
    replaced by a file. A path that cannot be written is exit 2 naming it (and ``option``).
    """
    if output is None or str(output) == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        _write(text, output, option)
    except RuntimeError:  # Python 3.11's Path.resolve() on a symbolic link loop
        die(f"{option}: cannot write {output}: a symbolic link loop", ExitCode.USAGE)
    except OSError as exc:  # a name too long, a folder we may not enter, a full device...
        die(f"{option}: cannot write {output}: {exc.strerror or exc}", ExitCode.USAGE)


def _write(text: str, output: Path, option: str) -> None:
    target = output.resolve() if output.is_symlink() else output
    if target.is_dir():
        die(f"{option} {output}: is a directory", ExitCode.USAGE)
    if target.exists() and not target.is_file():
        with output.open("w", encoding="utf-8") as handle:  # a device or FIFO the user named
            handle.write(text)
        return
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        die(f"{option} {output}: directory {directory} does not exist", ExitCode.USAGE)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    finally:
        if os.path.lexists(tmp):  # the rename did not happen
            os.unlink(tmp)


MAX_INPUT = 64 * 1024 * 1024
"""A file the user names (a baseline) larger than this is refused, as is anything but a
regular file: ``--baseline /dev/zero`` would never end."""


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 file the user named, or exit 2 saying which file and why."""
    try:
        if path.exists() and not path.is_file():
            die(f"{what} {path}: not a regular file", ExitCode.USAGE)
        if path.stat().st_size > MAX_INPUT:
            die(f"{what} {path}: larger than 64 MB", ExitCode.USAGE)
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        die(f"{what} {path}: no such file", ExitCode.USAGE)
    except UnicodeDecodeError:
        die(f"{what} {path}: not UTF-8 text", ExitCode.USAGE)
    except OSError as exc:
        die(f"{what} {path}: cannot read: {exc.strerror or exc}", ExitCode.USAGE)
