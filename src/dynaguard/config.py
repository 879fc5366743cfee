"""Configuration: ``[tool.dynaguard]`` in pyproject.toml or ``dynaguard.toml``, validated up front.

Keys are kebab-case, like ruff's. An unknown key or a bad value is a :class:`ConfigError` naming
the file and the key; the CLI turns it into exit code 2.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dynaguard.model import Persona, Severity
from dynaguard.report import OutputFormat

CONFIG_FILES = ("dynaguard.toml", "pyproject.toml")
# Sub-tables other commands own; any other sub-table is a typo and an error.
SECTIONS: frozenset[str] = frozenset({"scan"})


class FailOn(enum.Enum):
    """The lowest severity that makes the run fail (exit 1); ``none`` never fails."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"

    def threshold(self) -> Severity | None:
        return None if self is FailOn.NONE else Severity(self.value)


class ConfigError(Exception):
    """Bad configuration: the message names the file and the key."""


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class CodeConfig(BaseModel):
    """The keys of ``[tool.dynaguard]`` that ``dynaguard code`` reads."""

    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, frozen=True)

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: FailOn = FailOn.HIGH
    persona: Persona = Persona.REGULAR
    baseline: str | None = None
    jobs: int = Field(default=1, ge=1, le=64)
    format: OutputFormat = OutputFormat.TEXT

    @field_validator("select", "ignore")
    @classmethod
    def _rule_selectors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for selector in value:
            if not selector.upper().startswith("DG") or not selector[2:].isdigit():
                raise ValueError(f"{selector!r} is not a rule id or category (e.g. DG101, DG1)")
        return tuple(s.upper() for s in value)


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """A validated configuration and where it came from (``None`` when defaults apply)."""

    code: CodeConfig
    source: Path | None
    raw: Mapping[str, Any]


def find_config(start: Path) -> Path | None:
    """The nearest dynaguard.toml, or pyproject.toml with a [tool.dynaguard] table, walking up."""
    directory = start if start.is_dir() else start.parent
    for candidate_dir in (directory.resolve(), *directory.resolve().parents):
        for name in CONFIG_FILES:
            path = candidate_dir / name
            if path.is_file() and (name == "dynaguard.toml" or _has_tool_table(path)):
                return path
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        return "dynaguard" in _read_toml(pyproject).get("tool", {})
    except ConfigError:
        # A broken pyproject.toml that may not even be ours: report it only if it is chosen.
        return False


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def load_config(path: Path | None) -> LoadedConfig:
    """Read and validate a config file; ``None`` gives the defaults."""
    if path is None:
        return LoadedConfig(CodeConfig(), None, {})
    document = _read_toml(path)
    table_name = "[tool.dynaguard]" if path.name == "pyproject.toml" else "the top level"
    raw = (
        document.get("tool", {}).get("dynaguard", {}) if path.name == "pyproject.toml" else document
    )
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {table_name} must be a table")
    # Sections of other commands (e.g. [scan]) are validated by those commands.
    code_keys = {k: v for k, v in raw.items() if k not in SECTIONS}
    return LoadedConfig(validate_code_config(code_keys, str(path), table_name), path, raw)


def validate_code_config(raw: Mapping[str, Any], origin: str, table: str) -> CodeConfig:
    """Validate kebab-case keys; ``origin`` and ``table`` name where they came from."""
    try:
        return CodeConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(origin, table, exc)) from exc


def _describe(origin: str, table: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(table)"
        if error["type"] == "extra_forbidden":
            problems.append(f"unknown key {key!r} in {table}")
        else:
            problems.append(f"key {key!r} in {table}: {error['msg']}")
    return f"{origin}: " + "; ".join(problems)
