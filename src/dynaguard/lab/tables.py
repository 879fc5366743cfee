"""Declare and create the tables an app needs, on any endpoint."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table's name, key schema and options. Key attributes are strings."""

    name: str
    """Table name."""
    hash_key: str
    """Partition key attribute (type S)."""
    range_key: str | None = None
    """Sort key attribute (type S), if any."""
    stream: bool = False
    """Enable DynamoDB Streams with NEW_AND_OLD_IMAGES."""
    ttl_attribute: str | None = None
    """Attribute holding an expiry epoch, if TTL should be enabled."""

    def create_kwargs(self) -> dict[str, Any]:
        keys = [(self.hash_key, "HASH")] + ([(self.range_key, "RANGE")] if self.range_key else [])
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeySchema": [{"AttributeName": n, "KeyType": t} for n, t in keys],
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n, _ in keys],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if self.stream:
            kwargs["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            }
        return kwargs


def create_tables(client: DynamoDBClient, specs: Iterable[TableSpec]) -> None:
    """Create each table that does not exist yet and wait until it is active."""
    existing = set(client.list_tables().get("TableNames", []))
    for spec in specs:
        if spec.name in existing:
            continue
        client.create_table(**spec.create_kwargs())
        client.get_waiter("table_exists").wait(
            TableName=spec.name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
        if spec.ttl_attribute:
            client.update_time_to_live(
                TableName=spec.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
            )


def delete_tables(client: DynamoDBClient, names: Iterable[str]) -> None:
    """Delete the named tables that exist."""
    existing = set(client.list_tables().get("TableNames", []))
    for name in names:
        if name in existing:
            client.delete_table(TableName=name)
