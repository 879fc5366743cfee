"""The CLI's file I/O: output is written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from dynaguard.cli.exits import ExitCode, die


def emit(text: str, output: Path | None) -> None:
    """Print to stdout, or replace ``output`` atomically so no reader sees half a report."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    directory = output.parent if str(output.parent) else Path(".")
    if not directory.is_dir():
        die(f"--output {output}: directory {directory} does not exist", ExitCode.USAGE)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, output)
        tmp = None
    except OSError as exc:
        die(f"cannot write {output}: {exc.strerror or exc}", ExitCode.USAGE)
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 file the user named, or exit 2 saying which file and why."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        die(f"{what} {path}: no such file", ExitCode.USAGE)
    except UnicodeDecodeError:
        die(f"{what} {path}: not UTF-8 text", ExitCode.USAGE)
    except OSError as exc:
        die(f"{what} {path}: cannot read: {exc.strerror or exc}", ExitCode.USAGE)
