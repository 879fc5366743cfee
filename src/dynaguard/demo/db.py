"""The twins' tables, and how a request handler reaches them.

Both twins use the same tables, so a scan of one and of the other compare like with like. Each app
gets a table-name prefix because moto's state is process-global: two apps in one process must not
share items.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import boto3
from flask import current_app

from dynaguard.lab import TableSpec

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table

EXTENSION = "dynaguard.demo"
"""Key of the twins' state in ``app.extensions``."""

STARTING_BALANCE = 100
"""Demo credits every new record starts with (server-controlled in the secure twin)."""

TableKey = Literal["users", "records", "handles", "aggregates", "dedupe"]


@dataclass(frozen=True, slots=True)
class TableNames:
    """The physical table names behind one prefix."""

    users: str
    """Profiles and credentials, keyed by ``username``."""
    records: str
    """Records owned by users, keyed by ``owner`` + ``record_id``; streams enabled."""
    handles: str
    """Globally unique handles, keyed by ``handle``."""
    aggregates: str
    """Per-user aggregates kept by the streams consumer, keyed by ``owner``."""
    dedupe: str
    """Stream event ids already applied, keyed by ``event_id``, expiring via TTL."""

    @classmethod
    def for_prefix(cls, prefix: str) -> TableNames:
        return cls(
            *(f"{prefix}{name}" for name in ("users", "records", "handles", "aggregates", "dedupe"))
        )

    def name(self, key: TableKey) -> str:
        return str(getattr(self, key))


def tables(prefix: str) -> list[TableSpec]:
    """The tables one twin needs, named with ``prefix``."""
    names = TableNames.for_prefix(prefix)
    return [
        TableSpec(names.users, "username"),
        TableSpec(names.records, "owner", "record_id", stream=True),
        TableSpec(names.handles, "handle"),
        TableSpec(names.aggregates, "owner"),
        TableSpec(names.dedupe, "event_id", ttl_attribute="expires_at"),
    ]


@dataclass(frozen=True, slots=True)
class DemoState:
    """What a twin's handlers need, kept in ``app.extensions`` (never in module globals)."""

    names: TableNames
    """Physical table names."""
    dynamodb: DynamoDBServiceResource | None = None
    """The resource given to ``create_app``; None means the default one."""
    client: DynamoDBClient | None = None
    """The low-level client given to ``create_app``; None means the resource's."""


def state() -> DemoState:
    """The current app's state."""
    found: DemoState = current_app.extensions[EXTENSION]
    return found


@functools.cache
def default_resource() -> DynamoDBServiceResource:
    """``boto3.resource("dynamodb")``, configured by the environment, made once per process."""
    return boto3.resource("dynamodb")


def resource() -> DynamoDBServiceResource:
    """The current app's boto3 resource."""
    return state().dynamodb or default_resource()


def client() -> DynamoDBClient:
    """The current app's low-level client (transactions)."""
    return state().client or resource().meta.client


def table(key: TableKey) -> Table:
    """The current app's table called ``key`` (``"users"``, ``"records"``, ...)."""
    return resource().Table(state().names.name(key))


def now() -> str:
    """An ISO-8601 UTC timestamp for ``created_at`` attributes."""
    return datetime.now(UTC).isoformat(timespec="seconds")
