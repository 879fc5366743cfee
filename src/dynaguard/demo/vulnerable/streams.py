"""The aggregates consumer, written as if Streams delivered each record exactly once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dynaguard.demo.aggregates import StreamHandler, record_change
from dynaguard.demo.db import TableNames, default_resource

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table

logger = logging.getLogger("dynaguard.demo.vulnerable.streams")


def make_handler(
    names: TableNames,
    dynamodb: DynamoDBServiceResource | None = None,
    client: DynamoDBClient | None = None,
) -> StreamHandler:
    """The Lambda handler for the records table's stream."""
    aggregates = (dynamodb or default_resource()).Table(names.aggregates)

    def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        for record in event["Records"]:
            try:
                _apply(aggregates, record)
            except Exception:  # expect: DG602
                # "One bad record must not block the stream": it is dropped, the batch reports
                # success, and Lambda never delivers that record again.
                logger.exception("skipping stream record %s", record.get("eventID"))
        return {"batchItemFailures": []}

    return handler


def _apply(aggregates: Table, record: Mapping[str, Any]) -> None:
    change = record_change(record)
    # ADD is atomic, but nothing remembers the eventID: a redelivered record is added again.
    aggregates.update_item(  # expect: DG601
        Key={"owner": change.owner},
        UpdateExpression="ADD record_count :count, balance_total :balance, events :one",
        ExpressionAttributeValues={":count": change.count, ":balance": change.balance, ":one": 1},
    )
