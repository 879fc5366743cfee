"""Items keyed by their owner: the partition key is the caller's identity (DG201).

Another user's item is never addressed, so it reads as 404, not 403: no existence oracle.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import ConditionBase, Key

from dynaguard.secure.errors import BadRequest, NotFound
from dynaguard.secure.identity import current_identity
from dynaguard.secure.values import MAX_SORT_KEY_BYTES
from dynaguard.secure.writes import (
    create_if_absent,
    delete_if_exists,
    increment,
    key_schema,
    update_if_exists,
    versioned_update,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class OwnedTable:
    """A table whose partition key is the owner and whose sort key (if any) names the item."""

    def __init__(self, table: Table, *, owner_attribute: str, sort_attribute: str | None = None):
        self.table = table
        self.owner_attribute = owner_attribute
        self.sort_attribute = sort_attribute

    def key(self, sort: str | None = None) -> dict[str, Any]:
        """The key of the caller's item ``sort``; the owner part always comes from the identity."""
        self._check_schema()
        key: dict[str, Any] = {self.owner_attribute: current_identity()}
        if self.sort_attribute is None:
            if sort is not None:
                raise ValueError("this table has no sort key")
            return key
        key[self.sort_attribute] = _sort_value(sort)
        return key

    def get(self, sort: str | None = None) -> dict[str, Any]:
        response = self.table.get_item(Key=self.key(sort))
        if "Item" not in response:
            raise NotFound()
        return dict(response["Item"])

    def query(
        self,
        *,
        sort_condition: ConditionBase | None = None,
        page_size: int | None = None,
        **kw: Any,
    ) -> list[dict[str, Any]]:
        """The caller's items; ``kw`` goes to ``Table.query``.

        Narrow by sort key with ``sort_condition`` (e.g. ``Key("sk").begins_with("2024-")``).
        Every page is read, ``page_size`` items per request, unless ``Limit`` asks for one page.
        """
        if "KeyConditionExpression" in kw:
            raise TypeError("the key condition is derived from the identity; use sort_condition")
        self._check_schema()
        condition: ConditionBase = Key(self.owner_attribute).eq(current_identity())
        if sort_condition is not None:
            condition = condition & sort_condition
        single_page = "Limit" in kw
        if page_size is not None and not single_page:
            kw["Limit"] = page_size
        items: list[dict[str, Any]] = []
        while True:
            page = self.table.query(KeyConditionExpression=condition, **kw)
            items.extend(dict(item) for item in page.get("Items", []))
            if single_page or "LastEvaluatedKey" not in page:
                return items
            kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def create(self, item: Mapping[str, Any], sort: str | None = None) -> dict[str, Any]:
        """Create the caller's item; owner (and sort key, generated when None) are set here."""
        if self.sort_attribute is not None and sort is None:
            sort = str(uuid.uuid4())
        full = {**item, **self.key(sort)}
        create_if_absent(self.table, full)
        return full

    def update(
        self,
        sort: str | None,
        fields: Mapping[str, Any],
        *,
        allowed: Collection[str],
        expected_version: int | None = None,
        version_attribute: str = "version",
    ) -> dict[str, Any]:
        """Update the caller's item; versioned (409 when stale) if ``expected_version`` is given."""
        key = self.key(sort)
        if expected_version is None:
            return update_if_exists(self.table, key, fields, allowed=allowed)
        return versioned_update(
            self.table,
            key,
            fields,
            expected_version=expected_version,
            allowed=allowed,
            version_attribute=version_attribute,
        )

    def increment(self, sort: str | None, attribute: str, amount: int | Decimal = 1) -> Decimal:
        return increment(self.table, self.key(sort), attribute, amount)

    def delete(self, sort: str | None = None) -> None:
        delete_if_exists(self.table, self.key(sort))

    def _check_schema(self) -> None:
        # Deriving only the owner protects nothing unless the owner *is* the partition key.
        schema = key_schema(self.table)  # cached: no request after the first
        if (schema.hash_key, schema.range_key) != (self.owner_attribute, self.sort_attribute):
            raise ValueError(
                f"table {self.table.name} is keyed by {schema.attributes}, not by "
                f"owner_attribute={self.owner_attribute!r}, sort_attribute={self.sort_attribute!r}"
            )


def _sort_value(sort: object) -> str:
    # The sort key usually comes from the URL: an empty or oversized one is the client's error,
    # not a DynamoDB ValidationException surfacing as a 500 (DG302).
    if not isinstance(sort, str) or not sort:
        raise BadRequest("a non-empty item identifier is required")
    if len(sort.encode()) > MAX_SORT_KEY_BYTES:
        raise BadRequest(f"the item identifier exceeds {MAX_SORT_KEY_BYTES} bytes")
    return sort
