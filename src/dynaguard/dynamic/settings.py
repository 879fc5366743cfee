"""The ``[scan]`` configuration table, validated up front into frozen :class:`ScanOptions`.

Keys are kebab-case like the rest of dynaguard's config; an unknown key or a bad value is a
:class:`ScanConfigError` naming the key, and secrets come only through ``${ENV}`` references.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dynaguard.dynamic.errors import ScanConfigError
from dynaguard.dynamic.identity import Identity, Login, Role, check_name, expand_env, expand_tree


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, frozen=True)


class LoginTable(_Strict):
    """``[scan.identities.login]``."""

    path: str = Field(pattern=r"^/")
    method: Literal["GET", "POST", "PUT", "PATCH"] = "POST"
    body: dict[str, Any] = Field(default_factory=dict)
    token: str | None = None
    cookie: str | None = None
    header: str = "Authorization"
    prefix: str = "Bearer "


class IdentityTable(_Strict):
    """One ``[[scan.identities]]`` entry."""

    name: str
    role: Role = Role.USER
    headers: dict[str, str] = Field(default_factory=dict)
    login: LoginTable | None = None

    @model_validator(mode="after")
    def _has_credentials(self) -> IdentityTable:
        if not self.headers and self.login is None:
            raise ValueError(f"identity {self.name!r} needs 'headers' or a 'login' table")
        return self


class ScanTable(_Strict):
    """``[scan]`` in dynaguard.toml (or ``[tool.dynaguard.scan]`` in pyproject.toml)."""

    spec: str | None = None
    active: bool = False
    rate: float = Field(default=0.0, ge=0.0)
    concurrency: int = Field(default=4, ge=1, le=64)
    timeout: float = Field(default=10.0, gt=0.0, le=300.0)
    max_time: float = Field(default=600.0, gt=0.0)
    max_response_bytes: int = Field(default=1_000_000, ge=1_024)
    retries: int = Field(default=2, ge=0, le=10)
    race_requests: int = Field(default=20, ge=2, le=200)
    probes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Literal["critical", "high", "medium", "low", "none"] = "high"
    format: str | None = None
    identities: tuple[IdentityTable, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Everything one scan needs, validated; the engine reads nothing else."""

    target: str
    """Base URL the user named; no request ever leaves its origin."""
    spec: str | None = None
    """Spec file or URL; ``None`` tries ``/openapi.json`` then ``/swagger.json`` on the target."""
    identities: tuple[Identity, ...] = ()
    """Accounts to act as (anonymous is implicit)."""
    active: bool = False
    """Send writes (POST/PUT/PATCH/DELETE); read-only when false."""
    rate: float = 0.0
    """Most requests per second (0: unlimited)."""
    concurrency: int = 4
    """Most requests in flight, and probe tasks run in parallel."""
    timeout: float = 10.0
    """Seconds a request may take in all: connecting, sending, the whole response."""
    max_time: float = 600.0
    """Seconds for the whole scan: no probe starts after it, and the report says what did not
    run. Cleanup then gets as long again, to a minute."""
    max_response_bytes: int = 1_000_000
    """Bytes read of a response body; the rest is dropped."""
    retries: int = 2
    """Retries with exponential backoff after a connection error."""
    race_requests: int = 20
    """Concurrent requests released together by the lost-update probe."""
    probes: tuple[str, ...] = ()
    """Run only these probes, by name (``race``, ``bola-read``...); all when empty."""
    exclude: tuple[str, ...] = ()
    """Operations never called: ``/admin/*`` or ``DELETE /users/*`` (fnmatch patterns)."""
    select: tuple[str, ...] = ()
    """Report only these rule ids or categories (all when empty)."""
    ignore: tuple[str, ...] = ()
    """Never report these rule ids or categories."""


def parse_scan_table(raw: Mapping[str, Any], origin: str) -> ScanTable:
    """Validate ``[scan]``; ``origin`` names the file (or "command line") in errors."""
    try:
        return ScanTable.model_validate(raw)
    except ValidationError as exc:
        raise ScanConfigError(_describe(origin, exc)) from None


def build_options(
    table: ScanTable, target: str, origin: str, overrides: Mapping[str, Any] | None = None
) -> ScanOptions:
    """Merge ``overrides`` (flags given on the command line, kebab-case keys) over the table."""
    merged = {**table.model_dump(by_alias=True, exclude={"identities"}), **(overrides or {})}
    extra_ids: tuple[Identity, ...] = merged.pop("identity-flags", ())
    checked = parse_scan_table(
        {k: v for k, v in merged.items() if k not in ("fail-on", "format")}, "command line"
    )
    identities = _merge_identities(_identities(table, origin), extra_ids)
    return ScanOptions(
        target=check_target(target),
        spec=checked.spec,
        identities=identities,
        active=checked.active,
        rate=checked.rate,
        concurrency=checked.concurrency,
        timeout=checked.timeout,
        max_time=checked.max_time,
        max_response_bytes=checked.max_response_bytes,
        retries=checked.retries,
        race_requests=checked.race_requests,
        probes=checked.probes,
        exclude=checked.exclude,
        select=tuple(s.upper() for s in checked.select),
        ignore=tuple(s.upper() for s in checked.ignore),
    )


def check_target(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScanConfigError(f"URL {url!r}: expected http:// or https:// and a host")
    return url.rstrip("/") or url


def _identities(table: ScanTable, origin: str) -> tuple[Identity, ...]:
    seen: set[str] = set()
    result = []
    for index, entry in enumerate(table.identities):
        key = f"{origin}: scan.identities[{index}]"
        name = check_name(entry.name, key)
        if name in seen:
            raise ScanConfigError(f"{key}: identity {name!r} is declared twice")
        seen.add(name)
        headers = {h: expand_env(v, f"{key}.headers.{h}") for h, v in entry.headers.items()}
        result.append(Identity(name, entry.role, headers, _login(entry.login, f"{key}.login")))
    return tuple(result)


def _login(table: LoginTable | None, key: str) -> Login | None:
    if table is None:
        return None
    return Login(
        path=table.path,
        method=table.method,
        body=expand_tree(table.body, f"{key}.body"),
        token=table.token,
        cookie=table.cookie,
        header=table.header,
        prefix=table.prefix,
    )


def _merge_identities(
    configured: tuple[Identity, ...], flags: tuple[Identity, ...]
) -> tuple[Identity, ...]:
    """An ``--identity`` replaces the configured identity of the same name."""
    by_name = {i.name: i for i in configured}
    by_name.update({i.name: i for i in flags})
    return tuple(by_name.values())


def _describe(origin: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        key = "scan." + ".".join(str(part) for part in error["loc"]) if error["loc"] else "scan"
        if error["type"] == "extra_forbidden":
            problems.append(f"unknown key {key!r}")
        else:
            problems.append(f"key {key!r}: {error['msg']}")
    return f"{origin}: " + "; ".join(problems)
