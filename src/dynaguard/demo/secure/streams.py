"""The aggregates consumer: each stream record counts once, however often it is delivered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dynaguard.demo.aggregates import RecordChange, StreamHandler, record_change
from dynaguard.demo.db import TableNames, default_resource
from dynaguard.secure import idempotent_stream_handler, write_once

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource


def make_handler(
    names: TableNames,
    dynamodb: DynamoDBServiceResource | None = None,
    client: DynamoDBClient | None = None,
) -> StreamHandler:
    """The Lambda handler for the records table's stream (enable ReportBatchItemFailures)."""
    resource = dynamodb or default_resource()
    low = client or resource.meta.client

    # The decorator reports failed records in batchItemFailures instead of dropping them (DG602).
    @idempotent_stream_handler(resource.Table(names.dedupe))
    def apply(record: dict[str, Any]) -> None:
        # The aggregate update and the eventID marker commit in one transaction (DG601).
        write_once(
            low,
            [_aggregate_update(names.aggregates, record_change(record))],
            dedupe_table_name=names.dedupe,
            event_id=record["eventID"],
            labels=["aggregates"],
        )

    return apply


def _aggregate_update(table_name: str, change: RecordChange) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table_name,
            "Key": {"owner": {"S": change.owner}},
            "UpdateExpression": "ADD record_count :count, balance_total :balance, events :one",
            "ExpressionAttributeValues": {
                ":count": {"N": str(change.count)},
                ":balance": {"N": str(change.balance)},
                ":one": {"N": "1"},
            },
        }
    }
