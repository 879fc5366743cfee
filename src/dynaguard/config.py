"""Configuration: ``[tool.dynaguard]`` in pyproject.toml or ``dynaguard.toml``, validated up front.

Keys are kebab-case, like ruff's. An unknown key or a bad value is a :class:`ConfigError` naming
the file and the key; the CLI turns it into exit code 2. The ``models`` sub-table (the project's
own wrappers, identity functions, checks and validators: docs/models.md) is validated here too
and handed to the analyser as plain ``Declarations``, so the analyser never reads configuration.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from keyword import iskeyword
from pathlib import Path
from typing import Annotated, Any, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    field_validator,
    model_validator,
)

from dynaguard.catalogue import parse_selectors
from dynaguard.model import Persona, Severity
from dynaguard.report import OutputFormat
from dynaguard.static.models.declarations import (
    FIXABLE,
    MAPPED,
    ROLES,
    Declarations,
    Operation,
    Role,
    Wrapper,
)
from dynaguard.tomlfile import TomlFileError, read_bytes, read_toml

CONFIG_FILES = ("dynaguard.toml", "pyproject.toml")
# Sub-tables other commands own; any other sub-table is a typo and an error.
SECTIONS: frozenset[str] = frozenset({"scan", "monitor"})
MODELS = "models"
"""The sub-table of the user's own models (``ModelsConfig``), read by ``dynaguard code``."""


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
    # Strict: TOML's ``true``, ``2.0`` and ``"2"`` are not a number of processes.
    jobs: int = Field(default=1, ge=1, le=64, strict=True)
    format: OutputFormat = OutputFormat.TEXT

    @field_validator("select", "ignore")
    @classmethod
    def _rule_selectors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return parse_selectors(value)

    @field_validator("baseline")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and "\0" in value:
            raise ValueError("a path cannot contain a NUL character")
        return value


def _dotted(value: str) -> str:
    """A module-qualified name: a bare ``save`` would match every ``save`` of every module."""
    parts = value.split(".")
    if len(parts) < 2 or not all(p.isidentifier() and not iskeyword(p) for p in parts):
        raise ValueError(f"{value!r} is not a dotted name such as myapp.db.save_order")
    return value


def _param(value: object) -> int | str:
    """A parameter by 0-based position or by name (TOML gives ``true`` as a bool: not a position)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError("a parameter's position counts from 0")
        return value
    if isinstance(value, str) and value.isidentifier() and not iskeyword(value):
        return value
    raise ValueError(f"{value!r} is neither a parameter name nor a 0-based position")


def _mapped(value: object) -> int | str | dict[str, int | str]:
    """A parameter, or a table of name (attribute, placeholder) -> parameter."""
    if isinstance(value, dict):
        if not value:
            raise ValueError("a table of parameters names at least one entry")
        return {str(name): _param(param) for name, param in value.items()}
    return _param(value)


DottedName = Annotated[str, AfterValidator(_dotted)]
ParamRef = Annotated[int | str, PlainValidator(_param)]
MappedRef = Annotated[int | str | dict[str, int | str], PlainValidator(_mapped)]


class WrapperConfig(BaseModel):
    """One ``[[tool.dynaguard.models.wrappers]]`` entry: a function that makes a DynamoDB call."""

    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, frozen=True, defer_build=True)

    function: DottedName
    operation: Operation
    item: MappedRef | None = None
    key: MappedRef | None = None
    values: MappedRef | None = None
    update: str | None = None
    update_param: ParamRef | None = None
    condition: str | None = None
    condition_param: ParamRef | None = None
    table: str | None = None
    table_param: ParamRef | None = None

    @model_validator(mode="after")
    def _parts(self) -> WrapperConfig:
        for role in Role:  # in declaration order, so the first problem reported is stable
            fixed, param = self._fixed(role), self._parameter(role)
            if fixed is not None and param is not None:
                raise ValueError(
                    f"{role.value} and {role.value}-param both given: the wrapper either always "
                    f"uses one {role.value} ({role.value} = ...) or takes it as a parameter "
                    f"({role.value}-param = ...)"
                )
            if role not in ROLES[self.operation] and (fixed is not None or param is not None):
                takes = ", ".join(sorted(r.value for r in ROLES[self.operation]))
                raise ValueError(
                    f"{role.value}: a {self.operation.value} wrapper has no {role.value} "
                    f"(it takes {takes})"
                )
        return self

    def _fixed(self, role: Role) -> str | None:
        return cast("str | None", getattr(self, role.value)) if role in FIXABLE else None

    def _parameter(self, role: Role) -> int | str | dict[str, int | str] | None:
        name = f"{role.value}_param" if role in FIXABLE else role.value
        return cast("int | str | dict[str, int | str] | None", getattr(self, name))

    def wrapper(self) -> Wrapper:
        """The declaration as the analyser reads it."""
        params = {r: p for r in Role if isinstance(p := self._parameter(r), (int, str))}
        fields = {r: p for r in MAPPED if isinstance(p := self._parameter(r), dict)}
        fixed = {r: text for r in FIXABLE if (text := self._fixed(r)) is not None}
        return Wrapper(self.function, self.operation, params, fields, fixed)


class ModelsConfig(BaseModel):
    """``[tool.dynaguard.models]``: what the project declares about its own code (docs/models.md)."""

    # Built on first use: most projects declare no models, and building the validators of both
    # tables is a third of the start-up a one-file ``dynaguard code`` run can afford.
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, frozen=True, defer_build=True)

    wrappers: tuple[WrapperConfig, ...] = ()
    identity_functions: tuple[DottedName, ...] = ()
    ownership_checks: tuple[DottedName, ...] = ()
    authentication_decorators: tuple[DottedName, ...] = ()
    role_decorators: tuple[DottedName, ...] = ()
    validators: tuple[DottedName, ...] = ()

    def declarations(self) -> Declarations:
        """The declarations as the analyser reads them (the lists keep their field names)."""
        lists = self.model_dump(exclude={"wrappers"})
        return Declarations(tuple(w.wrapper() for w in self.wrappers), **lists)


def validate_models(raw: object, origin: str, table: str) -> ModelsConfig:
    """Validate the models table; errors name ``table`` and the key path in it."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: {table} must be a table")
    try:
        return ModelsConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key"
            problems.append(f"{table} {path.lstrip('.') or '(table)'}: {message}")
        raise ConfigError(f"{origin}: " + "; ".join(problems)) from None


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """A validated configuration and where it came from (``None`` when defaults apply)."""

    code: CodeConfig
    source: Path | None
    raw: Mapping[str, Any]
    models: ModelsConfig = field(default_factory=ModelsConfig.model_construct)
    """``[tool.dynaguard.models]``: what the project declares about its own code."""


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
        tool = read_toml(pyproject).get("tool", {})
    except TomlFileError:
        tool = None
    if isinstance(tool, dict):
        return "dynaguard" in tool
    # A broken pyproject.toml is reported only if it speaks of us: it may be anyone's.
    try:
        return b"dynaguard" in read_bytes(pyproject)
    except TomlFileError:
        return False


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return read_toml(path)
    except TomlFileError as exc:
        raise ConfigError(str(exc)) from exc


def load_config(path: Path | None) -> LoadedConfig:
    """Read and validate a config file; ``None`` gives the defaults."""
    if path is None:
        return LoadedConfig(CodeConfig(), None, {})
    document = _read_toml(path)
    table_name = "[tool.dynaguard]" if path.name == "pyproject.toml" else "the top level"
    raw: object = document
    if path.name == "pyproject.toml":
        tool = document.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: [tool] must be a table")
        raw = tool.get("dynaguard", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {table_name} must be a table")
    # Sections of other commands (e.g. [scan]) are validated by those commands.
    code_keys = {k: v for k, v in raw.items() if k not in SECTIONS and k != MODELS}
    code = validate_code_config(code_keys, str(path), table_name)
    models_table = "[tool.dynaguard.models]" if path.name == "pyproject.toml" else "[models]"
    if MODELS not in raw:
        return LoadedConfig(code, path, raw)
    models = validate_models(raw[MODELS], str(path), models_table)
    return LoadedConfig(code, path, raw, models)


def validate_code_config(
    raw: Mapping[str, Any], origin: str, table: str, *, flags: bool = False
) -> CodeConfig:
    """Validate kebab-case keys; ``origin`` and ``table`` name where they came from, and errors
    name the options rather than the keys when ``flags``."""
    try:
        return CodeConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(origin, table, exc, flags)) from exc


def _describe(origin: str, table: str, exc: ValidationError, flags: bool) -> str:
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(table)"
        message = str(error["msg"]).removeprefix("Value error, ")
        if flags and error["loc"]:
            problems.append(f"option --{error['loc'][0]}: {message}")
        elif error["type"] == "extra_forbidden":
            problems.append(f"unknown key {key!r} in {table}")
        else:
            problems.append(f"key {key!r} in {table}: {message}")
    return f"{origin}: " + "; ".join(problems)
