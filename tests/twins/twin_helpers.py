"""A served twin for tests: HTTP as any demo user, plus direct access to its tables."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from dynaguard.demo import TableNames, TwinKind, create_app, issue_token, serve, tables
from dynaguard.demo.db import STARTING_BALANCE, TableKey
from dynaguard.lab import Lab, delete_tables

_prefixes = itertools.count()


@dataclass
class Twin:
    """A served twin, an HTTP client for it, and direct access to its tables (the ground truth)."""

    kind: TwinKind
    secret: str
    http: httpx.Client
    names: TableNames
    lab: Lab
    prefix: str

    @property
    def exploitable(self) -> bool:
        return self.kind == "vulnerable"

    def request(
        self, method: str, path: str, *, user: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {issue_token(self.secret, user)}"} if user else {}
        return self.http.request(method, path, headers=headers, **kwargs)

    def table(self, key: TableKey) -> Any:
        return self.lab.resource().Table(self.names.name(key))

    def item(self, key: TableKey, **item_key: str) -> dict[str, Any] | None:
        """The item as stored, read straight from DynamoDB, or None."""
        found: dict[str, Any] | None = self.table(key).get_item(Key=item_key).get("Item")
        return found

    def seed_record(self, owner: str, title: str, **attributes: Any) -> str:
        """Put a record directly (not through the twin) and return its id."""
        record_id = f"{owner}-{title}".replace(" ", "-")
        item = {"owner": owner, "record_id": record_id, "title": title, "notes": ""}
        item |= {"balance": STARTING_BALANCE, "counter": 0, "version": 1} | attributes
        self.table("records").put_item(Item=item)
        return record_id

    def record(self, owner: str, record_id: str) -> dict[str, Any] | None:
        return self.item("records", owner=owner, record_id=record_id)


def make_twin(lab: Lab, kind: TwinKind) -> Iterator[Twin]:
    prefix = f"t{next(_prefixes)}_{kind[:3]}_"
    secret = f"test-secret-{prefix}-0123456789abcdef0123456789abcdef"
    app = create_app(
        kind,
        dynamodb=lab.resource(),
        client=lab.client(),
        table_prefix=prefix,
        jwt_secret=secret,
    )
    try:
        with serve(app) as running, httpx.Client(base_url=running.url, timeout=30) as http:
            yield Twin(kind, secret, http, TableNames.for_prefix(prefix), lab, prefix)
    finally:
        delete_tables(lab.client(), [spec.name for spec in tables(prefix)])
