"""Merge command-line flags over the config file into frozen settings for ``dynaguard code``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dynaguard.cli.cache import Cache, locate
from dynaguard.config import (
    CodeConfig,
    FailOn,
    find_config,
    load_config,
    validate_code_config,
)
from dynaguard.model import Persona
from dynaguard.report import OutputFormat
from dynaguard.static.models.declarations import Declarations


@dataclass(frozen=True, slots=True)
class CodeSettings:
    """Everything one ``dynaguard code`` run needs, already validated."""

    paths: tuple[Path, ...]
    root: Path
    output_format: OutputFormat
    output: Path | None
    fail_on: FailOn
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    exclude: tuple[str, ...]
    jobs: int
    persona: Persona
    baseline: Path | None
    write_baseline: Path | None
    models: Declarations = field(default_factory=Declarations)
    """What ``[tool.dynaguard.models]`` declares about the project's own code."""
    cache: Cache | None = None
    """Where finished analyses are kept (``None``: ``--no-cache``)."""
    new_since: str | None = None
    """``--new-since REF``: report only findings not present at this git ref."""
    only: frozenset[str] | None = None
    """``--only FILE``: report only findings in these files (paths relative to ``root``)."""


@dataclass(frozen=True, slots=True)
class CodeFlags:
    """The flags as given; ``None`` or empty means "not given, use the config"."""

    paths: tuple[Path, ...]
    output_format: str | None = None
    output: Path | None = None
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jobs: int | None = None
    persona: str | None = None
    baseline: Path | None = None
    write_baseline: Path | None = None
    config: Path | None = None
    no_cache: bool = False
    new_since: str | None = None
    only: tuple[Path, ...] = ()
    emit_openapi: Path | None = None


def split_selectors(values: Sequence[str]) -> tuple[str, ...]:
    """``--select DG1,DG701 --select DG2`` -> ``("DG1", "DG701", "DG2")``."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def scan_root(paths: Sequence[Path], cwd: Path | None = None) -> Path:
    """The directory finding paths are relative to.

    The working directory when everything scanned is under it (so ``dynaguard code app/`` run at a
    repository's top gives ``app/routes.py``, which GitHub code scanning resolves against the
    repository root), else the common parent of what was scanned.
    """
    here = (cwd or Path.cwd()).resolve()
    dirs = [p if p.is_dir() else p.parent for p in (path.resolve() for path in paths)]
    if all(d == here or here in d.parents for d in dirs):
        return here
    return Path(os.path.commonpath(dirs))


def resolve(flags: CodeFlags) -> CodeSettings:
    """Flags win over the config file, which wins over defaults. Raises ConfigError."""
    source = flags.config or find_config(flags.paths[0])
    loaded = load_config(source)
    cfg = loaded.code
    merged = _merge(flags, cfg)
    baseline = flags.baseline or _relative_to(source, cfg.baseline)
    root = scan_root(flags.paths)
    return CodeSettings(
        paths=flags.paths,
        root=root,
        output_format=merged.format,
        output=flags.output,
        fail_on=merged.fail_on,
        select=merged.select,
        ignore=merged.ignore,
        exclude=merged.exclude,
        jobs=merged.jobs,
        persona=merged.persona,
        baseline=baseline,
        write_baseline=flags.write_baseline,
        models=loaded.models.declarations(),
        cache=None if flags.no_cache else locate(source),
        new_since=flags.new_since or None,
        only=_relative_files(flags.only, root) if flags.only else None,
    )


def _merge(flags: CodeFlags, cfg: CodeConfig) -> CodeConfig:
    given = {
        "format": flags.output_format,
        "fail-on": flags.fail_on,
        "select": split_selectors(flags.select) or None,
        "ignore": split_selectors(flags.ignore) or None,
        "exclude": (*cfg.exclude, *flags.exclude) if flags.exclude else None,
        "jobs": flags.jobs,
        "persona": flags.persona,
    }
    overrides = {key: value for key, value in given.items() if value is not None}
    merged = {**cfg.model_dump(by_alias=True, mode="json"), **overrides}
    return validate_code_config(merged, "command line", "the options", flags=True)


def _relative_to(config: Path | None, value: str | None) -> Path | None:
    """Paths in a config file are relative to the file, not to the working directory."""
    if value is None:
        return None
    path = Path(value)
    return path if path.is_absolute() or config is None else config.parent / path


def _relative_files(files: Sequence[Path], root: Path) -> frozenset[str]:
    """Files as findings name them: relative to the scan root, with forward slashes."""
    return frozenset(Path(os.path.relpath(f.resolve(), root)).as_posix() for f in files)
