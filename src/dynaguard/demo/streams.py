"""The records table's stream: a poller that feeds a twin's Lambda-style consumer.

``pump`` reads the stream through the ``dynamodbstreams`` API (moto implements it) and calls the
handler once per batch, the way a Lambda event source mapping would. It returns the events it
delivered, so a test can deliver them again: Streams guarantee at-least-once, not exactly-once.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dynaguard.demo.aggregates import StreamHandler
from dynaguard.demo.app import TwinKind, default_prefix
from dynaguard.demo.db import TableNames
from dynaguard.lab import Lab

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource

Event = dict[str, Any]
Checkpoint = MutableMapping[str, str]
"""Shard id -> sequence number of the last record handled without failure."""


def consumer(
    kind: TwinKind,
    *,
    dynamodb: DynamoDBServiceResource | None = None,
    client: DynamoDBClient | None = None,
    table_prefix: str | None = None,
) -> StreamHandler:
    """The twin's aggregates consumer for the tables under ``table_prefix``.

    Defaults as for ``create_app``: the environment's resource, its client, ``dg_<kind>_``.
    """
    names = TableNames.for_prefix(default_prefix(kind) if table_prefix is None else table_prefix)
    if kind == "vulnerable":
        from dynaguard.demo.vulnerable.streams import make_handler
    else:
        from dynaguard.demo.secure.streams import make_handler
    return make_handler(names, dynamodb, client)


def pump(
    source: Lab | Any,
    table_name: str,
    handler: StreamHandler,
    *,
    checkpoint: Checkpoint | None = None,
    batch_size: int = 100,
    max_batches: int = 1000,
) -> list[Event]:
    """Deliver the stream of ``table_name`` to ``handler``, from ``checkpoint`` (else the start).

    ``source`` is a ``Lab`` or a ``dynamodbstreams`` client. Like Lambda, a batch that reports
    ``batchItemFailures`` stops its shard at the first failure; the checkpoint stays before it, so
    the next ``pump`` delivers the failed record again.
    """
    streams = source.streams_client() if isinstance(source, Lab) else source
    arn = _stream_arn(streams, table_name)
    position: Checkpoint = {} if checkpoint is None else checkpoint
    delivered: list[Event] = []
    for shard_id in _shard_ids(streams, arn):
        for event in _batches(streams, arn, shard_id, position.get(shard_id), batch_size):
            if len(delivered) >= max_batches:
                return delivered
            delivered.append(event)
            if not _advance(position, shard_id, event, handler(event)):
                break
    return delivered


def _advance(position: Checkpoint, shard_id: str, event: Event, result: Any) -> bool:
    """Move the checkpoint past the handled records; False when the batch reported a failure."""
    failures = result.get("batchItemFailures", []) if isinstance(result, dict) else []
    failed = {str(f.get("itemIdentifier")) for f in failures}
    for record in event["Records"]:
        sequence = record["dynamodb"]["SequenceNumber"]
        if sequence in failed or record.get("eventID") in failed:
            return False
        position[shard_id] = sequence
    return True


def _stream_arn(streams: Any, table_name: str) -> str:
    found = streams.list_streams(TableName=table_name).get("Streams", [])
    if not found:
        raise ValueError(f"table {table_name!r} has no stream")
    return str(found[-1]["StreamArn"])


def _shard_ids(streams: Any, arn: str) -> Iterator[str]:
    kwargs: dict[str, str] = {"StreamArn": arn}
    while True:
        description = streams.describe_stream(**kwargs)["StreamDescription"]
        yield from (shard["ShardId"] for shard in description.get("Shards", []))
        last = description.get("LastEvaluatedShardId")
        if not last:
            return
        kwargs["ExclusiveStartShardId"] = last


def _batches(
    streams: Any, arn: str, shard_id: str, after: str | None, batch_size: int
) -> Iterator[Event]:
    position = (
        {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
        if after
        else {"ShardIteratorType": "TRIM_HORIZON"}
    )
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, **position)
    next_iterator: str | None = iterator["ShardIterator"]
    while next_iterator:
        page = streams.get_records(ShardIterator=next_iterator, Limit=batch_size)
        if not page["Records"]:
            return  # caught up with an open shard
        yield {"Records": [_as_lambda_record(record, arn) for record in page["Records"]]}
        next_iterator = page.get("NextShardIterator")


def _as_lambda_record(record: dict[str, Any], arn: str) -> dict[str, Any]:
    # Lambda passes JSON: the creation time is epoch seconds, and the source ARN is included.
    images = dict(record["dynamodb"])
    created = images.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        images["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": images, "eventSourceARN": arn}
