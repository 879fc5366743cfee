"""The ``[scan]`` configuration table, validated up front into frozen :class:`ScanOptions`.

Keys are kebab-case like the rest of dynaguard's config; an unknown key or a bad value is a
:class:`ScanConfigError` naming the key, and secrets come only through ``${ENV}`` references.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dynaguard.catalogue import parse_selectors
from dynaguard.dynamic.errors import ScanConfigError
from dynaguard.dynamic.http.redact import without_userinfo
from dynaguard.dynamic.identity import (
    Identity,
    Login,
    Role,
    check_header_name,
    check_header_value,
    check_name,
    expand_env,
    expand_tree,
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=_kebab, frozen=True, allow_inf_nan=False
    )


class LoginTable(_Strict):
    """``[scan.identities.login]``."""

    path: str = Field(pattern=r"^/")
    method: Literal["GET", "POST", "PUT", "PATCH"] = "POST"
    body: dict[str, Any] = Field(default_factory=dict)
    token: str | None = None
    cookie: str | None = None
    header: str = "Authorization"
    prefix: str = "Bearer "
    form: bool | None = Field(default=None, strict=True)


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
    # Strict: ``active = "yes"``, ``concurrency = true`` or ``timeout = "10"`` is a mistake to
    # report, not a value to convert.
    active: bool = Field(default=False, strict=True)
    rate: float = Field(default=0.0, ge=0.0, strict=True)
    concurrency: int = Field(default=4, ge=1, le=64, strict=True)
    timeout: float = Field(default=10.0, gt=0.0, le=300.0, strict=True)
    max_response_bytes: int = Field(default=1_000_000, ge=1_024, strict=True)
    retries: int = Field(default=2, ge=0, le=10, strict=True)
    race_requests: int = Field(default=20, ge=2, le=200, strict=True)
    max_time: float = Field(default=600.0, gt=0.0, strict=True)
    cleanup_timeout: float = Field(default=60.0, gt=0.0, le=3600.0, strict=True)
    probes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Literal["critical", "high", "medium", "low", "none"] = "high"
    format: str | None = None
    identities: tuple[IdentityTable, ...] = ()

    @field_validator("spec")
    @classmethod
    def _spec(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "\0" in value:
            raise ValueError("a path cannot contain a NUL character")
        problem = url_problem(value) if value.startswith(("http://", "https://")) else None
        if problem is not None:
            raise ValueError(f"URL {without_userinfo(value)!r}: {problem}")
        return value

    @field_validator("select", "ignore")
    @classmethod
    def _rule_selectors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return parse_selectors(value)

    @field_validator("exclude")
    @classmethod
    def _operations(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            method, path = split_exclude(pattern)
            if method and method not in _METHODS:
                raise ValueError(f"{pattern!r}: {method!r} is not an HTTP method")
            # A pattern no operation can match would leave the operation it meant unprotected.
            if not path.startswith(("/", "*", "?", "[")):
                raise ValueError(f"{pattern!r}: expected [METHOD ]/PATH_GLOB, e.g. /admin/*")
        return value


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
    run. Cleanup then has ``cleanup_timeout``."""
    max_response_bytes: int = 1_000_000
    """Bytes read of a response body; the rest is dropped."""
    retries: int = 2
    """Retries with exponential backoff after a connection error."""
    race_requests: int = 20
    """Concurrent requests released together by the lost-update probe."""
    cleanup_timeout: float = 60.0
    """Seconds cleanup may take; no undo request starts after that (the rest is reported)."""
    probes: tuple[str, ...] = ()
    """Run only these probes, by name (``race``, ``bola-read``...); all when empty."""
    exclude: tuple[str, ...] = ()
    """Operations never called: ``/admin/*`` or ``DELETE /users/*`` (fnmatch patterns)."""
    select: tuple[str, ...] = ()
    """Report only these rule ids or categories (all when empty)."""
    ignore: tuple[str, ...] = ()
    """Never report these rule ids or categories."""
    derived_spec: str | None = None
    """An OpenAPI document (JSON text) derived from the source code, scanned instead of
    ``spec`` or discovery (``dynaguard scan --source`` with no spec); checked like any spec."""
    derived_from: str = ""
    """Where ``derived_spec`` came from, as the report names it (``code in app/``)."""


def split_exclude(pattern: str) -> tuple[str, str]:
    """``DELETE /users/*`` -> ``("DELETE", "/users/*")``; ``/admin/*`` -> ``("", "/admin/*")``."""
    method, _, path = pattern.partition(" ") if " " in pattern else ("", "", pattern)
    return method.upper(), path


def parse_scan_table(
    raw: Mapping[str, Any], origin: str, *, flags: bool = False, prefix: str = "scan"
) -> ScanTable:
    """Validate ``[scan]``; ``origin`` names the file (or "command line") in errors, which name
    the options rather than the keys when ``flags``, and the keys under ``prefix`` otherwise
    (the table the keys are in: ``monitor.targets[0]`` for a monitored API)."""
    try:
        return ScanTable.model_validate(raw)
    except ValidationError as exc:
        raise ScanConfigError(_describe(origin, exc, flags, prefix)) from None


def build_options(
    table: ScanTable, target: str, origin: str, overrides: Mapping[str, Any] | None = None
) -> ScanOptions:
    """Merge ``overrides`` (flags given on the command line, kebab-case keys) over the table."""
    merged = {**table.model_dump(by_alias=True, exclude={"identities"}), **(overrides or {})}
    extra_ids: tuple[Identity, ...] = merged.pop("identity-flags", ())
    checked = parse_scan_table(
        {k: v for k, v in merged.items() if k not in ("fail-on", "format")},
        "command line",
        flags=True,
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
        cleanup_timeout=checked.cleanup_timeout,
        probes=checked.probes,
        exclude=checked.exclude,
        select=tuple(s.upper() for s in checked.select),
        ignore=tuple(s.upper() for s in checked.ignore),
    )


def check_target(url: str) -> str:
    problem = url_problem(url)
    if problem is not None:
        raise ScanConfigError(f"URL {without_userinfo(url)!r}: {problem}")
    return url.rstrip("/") or url


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) URL with a host that is sent as written, or ``None``."""
    # urlsplit drops tabs and line breaks silently: the URL used would not be the one given.
    if not url.isprintable() or " " in url:
        return "contains a space, a line break or another control character"
    try:
        # What would otherwise raise at the first request: a port out of range or not a
        # number, a host httpx cannot decode (``xn--``).
        parts = urlsplit(url)
        _ = parts.port, httpx.URL(url).host
    except (ValueError, httpx.InvalidURL) as exc:
        return str(exc)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "expected http:// or https:// and a host"
    return None


def _identities(table: ScanTable, origin: str) -> tuple[Identity, ...]:
    seen: set[str] = set()
    result = []
    for index, entry in enumerate(table.identities):
        key = f"{origin}: scan.identities[{index}]"
        name = check_name(entry.name, key)
        if name in seen:
            raise ScanConfigError(f"{key}: identity {name!r} is declared twice")
        seen.add(name)
        headers = {h: _header(h, v, f"{key}.headers") for h, v in entry.headers.items()}
        result.append(Identity(name, entry.role, headers, _login(entry.login, f"{key}.login")))
    return tuple(result)


def _header(name: str, value: str, key: str) -> str:
    check_header_name(name, key)
    expanded = expand_env(value, f"{key}.{name}")
    check_header_value(expanded, f"{key}.{name}", value)
    return expanded


def _login(table: LoginTable | None, key: str) -> Login | None:
    if table is None:
        return None
    check_header_name(table.header, f"{key}.header")
    check_header_value(table.prefix, f"{key}.prefix", table.prefix)
    return Login(
        path=table.path,
        method=table.method,
        body=expand_tree(table.body, f"{key}.body"),
        token=table.token,
        cookie=table.cookie,
        header=table.header,
        prefix=table.prefix,
        form=table.form,
    )


def _merge_identities(
    configured: tuple[Identity, ...], flags: tuple[Identity, ...]
) -> tuple[Identity, ...]:
    """An ``--identity`` replaces the configured identity of the same name."""
    by_name = {i.name: i for i in configured}
    by_name.update({i.name: i for i in flags})
    return tuple(by_name.values())


_OPTIONS = {"probes": "--probe"}
"""Keys whose option is not ``--<key>``."""


def _describe(origin: str, exc: ValidationError, flags: bool, prefix: str) -> str:
    problems = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        key = ".".join([prefix, *(str(part) for part in error["loc"])])
        if flags and error["loc"]:
            first = str(error["loc"][0])
            problems.append(f"option {_OPTIONS.get(first, '--' + first)}: {message}")
        elif error["type"] == "extra_forbidden":
            problems.append(f"unknown key {key!r}")
        else:
            problems.append(f"key {key!r}: {message}")
    return f"{origin}: " + "; ".join(problems)
