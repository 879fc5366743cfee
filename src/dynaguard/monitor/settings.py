"""``[monitor]`` in dynaguard.toml: the queue, the history, the webhook and the targets.

Validated whole and strictly before anything is scheduled, like the rest of the configuration:
an API target's scan keys are the ``[scan]`` table's (checked by ``parse_scan_table``), a
repository target's are ``dynaguard code``'s (``validate_code_config``); every error names the
file and the key and the CLI exits 2. Secrets stay ``${ENV}`` references until a worker expands
them, so no secret travels through the queue.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynaguard.config import ConfigError, validate_code_config
from dynaguard.dynamic import ScanConfigError, parse_scan_table
from dynaguard.model import Severity
from dynaguard.monitor.schedule import Schedule, parse_cron, parse_interval

_TOP = {"queue", "database", "dashboard", "threshold", "timeout", "retries", "host-rate"}
_TOP |= {"webhook", "targets"}
_TARGET = {"name", "url", "path", "schedule", "every", "project", "threshold", "timeout"}
_WEBHOOK = {"url", "secret", "format", "retries"}
DEFAULT_TIMEOUT = 600.0
SECRET_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
"""A webhook secret as written: one ``${ENV_VAR}``, which the worker that signs expands."""


class WebhookFormat(enum.Enum):
    """The body a webhook receives: dynaguard's JSON or a Slack-compatible message."""

    JSON = "json"
    SLACK = "slack"


@dataclass(frozen=True, slots=True)
class Webhook:
    url: str
    secret: str
    """A ``${ENV}`` reference, expanded by the worker that signs."""
    format: WebhookFormat = WebhookFormat.JSON
    retries: int = 5


@dataclass(frozen=True, slots=True)
class Target:
    """One monitored API (``url``) or repository (``path``)."""

    name: str
    schedule: Schedule
    url: str = ""
    path: str = ""
    """Absolute (a relative path in the file is relative to the file)."""
    project: str = ""
    """The history project its runs are stored in (default: the target's name)."""
    threshold: Severity = Severity.HIGH
    timeout: float = 600.0
    """Seconds one run may take; also how long its lease and lock last."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The ``[scan]`` keys (API) or ``dynaguard code`` keys (repository), as written."""

    @property
    def host(self) -> str:
        """What the per-host rate limit counts: the URL's host, or this machine for code."""
        return self.url.split("://", 1)[-1].split("/", 1)[0] if self.url else "localhost"


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    source: Path
    targets: tuple[Target, ...]
    queue: str = ""
    database: str = ""
    dashboard: str = ""
    retries: int = 2
    host_rate: int = 60
    """Runs started per minute against one host, counted across every worker."""
    webhook: Webhook | None = None
    threshold: Severity = Severity.HIGH
    """The default of targets that name none (those added through the API too)."""
    timeout: float = 600.0
    """As ``threshold``."""

    def target(self, name: str) -> Target:
        for target in self.targets:
            if target.name == name:
                return target
        raise KeyError(name)


def parse_monitor(raw: object, source: Path) -> MonitorSettings:
    """Validate the ``[monitor]`` table of ``source``; raises ConfigError."""
    where = f"{source}: key 'monitor"
    table = _table(raw, f"{where}'")
    _known(table, _TOP, where)
    defaults = _target_defaults(table, where)
    targets = table.get("targets", [])
    if not isinstance(targets, list):
        # None at all is fine: targets may be added through the dynaguard serve API.
        raise ConfigError(f"{where}.targets': must be a list of [[monitor.targets]] tables")
    parsed = tuple(
        _target(t, source, f"{where}.targets[{i}]", defaults) for i, t in enumerate(targets)
    )
    names = [t.name for t in parsed]
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}.targets': target names must be unique")
    return MonitorSettings(
        source=source,
        targets=parsed,
        queue=_text(table, "queue", where),
        database=_text(table, "database", where),
        dashboard=_text(table, "dashboard", where).rstrip("/"),
        retries=_int(table, "retries", where, 2, low=0, high=20),
        host_rate=_int(table, "host-rate", where, 60, low=1, high=100_000),
        webhook=_webhook(table.get("webhook"), f"{where}.webhook"),
        threshold=defaults["threshold"],
        timeout=defaults["timeout"],
    )


API_SOURCE = Path("the dynaguard serve API")
"""What errors about a target added through the API name instead of a file."""


def parse_api_target(raw: object, settings: MonitorSettings | None = None) -> Target:
    """A target added through the ``dynaguard serve`` API: a JSON object validated as one
    ``[[monitor.targets]]`` table, with the ``[monitor]`` defaults of ``settings`` (or the
    built-in ones, when the server checks it). Paths must be absolute: there is no file for
    them to be relative to. Raises ConfigError naming the key."""
    where = f"{API_SOURCE}: key 'target"
    table = _table(raw, f"{where}'")
    for key in ("path", "spec"):
        value = table.get(key)
        relative = isinstance(value, str) and not Path(value).is_absolute()
        if relative and not str(value).startswith(("http://", "https://")):
            raise ConfigError(
                f"{where}.{key}': an absolute path is required (a target added through "
                "the API has no file to be relative to)"
            )
    defaults = {
        "threshold": settings.threshold if settings else Severity.HIGH,
        "timeout": settings.timeout if settings else DEFAULT_TIMEOUT,
    }
    return _target(table, API_SOURCE, where, defaults)


def _target_defaults(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {
        "threshold": _severity(table.get("threshold", "high"), f"{where}.threshold'"),
        "timeout": _float(table, "timeout", where, DEFAULT_TIMEOUT),
    }


def _target(raw: object, source: Path, where: str, defaults: dict[str, Any]) -> Target:
    table = _table(raw, f"{where}'")
    name = _text(table, "name", where)
    if not name or len(name) > 100 or not name.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"{where}.name': a name of letters, digits, '-' and '_' is required")
    if ("url" in table) == ("path" in table):
        raise ConfigError(f"{where}': give either url (an API) or path (a repository)")
    own = {k: v for k, v in table.items() if k in _TARGET}
    options = {k: v for k, v in table.items() if k not in _TARGET}
    url, path = _text(own, "url", where), _text(own, "path", where)
    if "url" in own and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.url': an http:// or https:// URL is required")
    if "path" in own and not path:
        raise ConfigError(f"{where}.path': a repository path is required")
    _check_options(options, "url" in own, source, where)
    return Target(
        name=name,
        schedule=_schedule(own, where),
        url=url,
        path=str((source.parent / path).resolve()) if path else "",
        project=_text(own, "project", where) or name,
        threshold=_severity(own.get("threshold", defaults["threshold"]), f"{where}.threshold'"),
        timeout=_float(own, "timeout", where, defaults["timeout"]),
        options=options,
    )


def _check_options(options: dict[str, Any], api: bool, source: Path, where: str) -> None:
    """The scan or code keys, checked as their own commands check them; errors name the key
    inside the target (``monitor.targets[0].active``), not inside ``[scan]``."""
    table = where.split(": key '", 1)[1]
    try:
        if api:
            parse_scan_table(options, str(source), prefix=table)
        else:
            validate_code_config(options, str(source), f"key '{table}'")
    except (ScanConfigError, ConfigError) as exc:
        raise ConfigError(str(exc)) from None


def _schedule(table: Mapping[str, Any], where: str) -> Schedule:
    if ("schedule" in table) == ("every" in table):
        raise ConfigError(f"{where}': give either schedule (cron) or every (an interval)")
    key = "schedule" if "schedule" in table else "every"
    text = _text(table, key, where)
    try:
        return parse_cron(text) if key == "schedule" else parse_interval(text)
    except ValueError as exc:
        raise ConfigError(f"{where}.{key}': {exc}") from None


def _webhook(raw: object, where: str) -> Webhook | None:
    if raw is None:
        return None
    table = _table(raw, f"{where}'")
    _known(table, _WEBHOOK, where)
    url = _text(table, "url", where)
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.url': an http:// or https:// URL is required")
    secret = _text(table, "secret", where)
    if not SECRET_REFERENCE.match(secret):
        raise ConfigError(f"{where}.secret': give the secret as a ${{ENV_VAR}} reference")
    try:
        fmt = WebhookFormat(table.get("format", "json"))
    except ValueError:
        raise ConfigError(f"{where}.format': one of json, slack") from None
    return Webhook(url, secret, fmt, _int(table, "retries", where, 5, low=0, high=20))


def _table(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    return raw


def _known(table: Mapping[str, Any], keys: set[str], where: str) -> None:
    unknown = sorted(set(table) - keys)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}': unknown key")


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or "\0" in value:
        raise ConfigError(f"{where}.{key}': must be a string")
    return value


def _int(
    table: Mapping[str, Any], key: str, where: str, default: int, *, low: int, high: int
) -> int:
    value = table.get(key, default)
    # NOTE: bool is an int in Python; ``retries = true`` is a mistake, not 1.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"{where}.{key}': an integer from {low} to {high} is required")
    return value


def _float(table: Mapping[str, Any], key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 1 <= value <= 86400:
        raise ConfigError(f"{where}.{key}': a number of seconds from 1 to 86400 is required")
    return float(value)


def _severity(value: object, where: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise ConfigError(f"{where}: one of {choices}") from None
