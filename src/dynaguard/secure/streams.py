"""Idempotent DynamoDB Streams consumers (DG601, DG602).

Streams deliver at least once, and a failed batch is delivered again, so each record's effect
must happen once however often the record arrives. Two ways, best first:

1. ``write_once`` / ``dedupe_put``: the record's DynamoDB writes and its dedupe marker are ONE
   transaction. Exactly once for DynamoDB-only effects, even if the process dies at any point.
2. ``idempotent_stream_handler``: a marker is claimed before ``fn`` runs and completed after it.
   Caveat, at least once: if the process dies after ``fn``'s side effects (an e-mail, a call to
   another service) but before the marker is completed, the claim's lease expires and the record
   is processed again. Make such side effects idempotent themselves (e.g. keyed by eventID).

The dedupe table has partition key ``event_id`` (S); enable TTL on ``expires_at``.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from dynaguard.secure.errors import Conflict, client_error_code
from dynaguard.secure.transactions import transact_write
from dynaguard.secure.writes import CONDITION_FAILED, key_schema

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.service_resource import Table

logger = logging.getLogger("dynaguard.secure.streams")

EVENT_ID, EXPIRES_AT, STATUS, LEASE_UNTIL, TOKEN = (
    "event_id",
    "expires_at",
    "status",
    "lease_until",
    "claim_token",
)
DONE, IN_PROGRESS = "done", "in_progress"
DEFAULT_TTL = 86400
"""A day: longer than a stream record lives (24 hours), so every redelivery still finds it."""

RecordFn = Callable[[dict[str, Any]], None]


class StreamHandler(Protocol):
    def __call__(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]: ...


class AlreadyInProgress(RuntimeError):
    """Another invocation holds a live claim on this record; report it and retry later."""


def idempotent_stream_handler(
    dedupe_table: Table,
    *,
    ttl_seconds: int = DEFAULT_TTL,
    lease_seconds: int = 900,
    clock: Callable[[], float] = time.time,
) -> Callable[[RecordFn], StreamHandler]:
    """Wrap ``fn(record)`` into a Lambda handler returning a partial batch response.

    Enable ``ReportBatchItemFailures`` on the event source mapping. A claim lives for the Lambda's
    remaining time when ``context`` tells it, else ``lease_seconds`` (900 = Lambda's maximum).
    """

    dedupe = _Dedupe(dedupe_table, ttl_seconds, lease_seconds, clock)

    def decorate(fn: RecordFn) -> StreamHandler:
        def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
            _check_dedupe_table(dedupe_table)
            failed = dedupe.run_batch(event.get("Records", []), fn, context)
            return {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}

        functools.update_wrapper(handler, fn)
        return handler

    return decorate


def dedupe_put(
    dedupe_table_name: str, event_id: str, ttl_seconds: int = DEFAULT_TTL
) -> dict[str, Any]:
    """A ``TransactWriteItems`` Put of a completed marker for ``event_id`` (low-level, typed).

    It fails (``ConditionalCheckFailed``) when the event was already processed. It may take over
    the handler's in-progress claim, so both mechanisms can share one table and one event.
    """
    expires_at = int(time.time()) + ttl_seconds
    return {
        "Put": {
            "TableName": dedupe_table_name,
            "Item": {
                EVENT_ID: {"S": event_id},
                STATUS: {"S": DONE},
                EXPIRES_AT: {"N": str(expires_at)},
            },
            "ConditionExpression": "attribute_not_exists(#c0) OR #c1 = :c0",
            "ExpressionAttributeNames": {"#c0": EVENT_ID, "#c1": STATUS},
            "ExpressionAttributeValues": {":c0": {"S": IN_PROGRESS}},
        }
    }


def write_once(
    client: DynamoDBClient,
    items: Sequence[Mapping[str, Any]],
    *,
    dedupe_table_name: str,
    event_id: str,
    ttl_seconds: int = DEFAULT_TTL,
    labels: Sequence[str] | None = None,
) -> bool:
    """Apply ``items`` and the dedupe marker as one transaction; False if already applied."""
    marker = dedupe_put(dedupe_table_name, event_id, ttl_seconds)
    all_labels = None if labels is None else [*labels, "dedupe marker"]
    try:
        transact_write(client, [*items, marker], labels=all_labels)
    except Conflict as exc:
        # The marker exists only if a transaction carrying it committed: a duplicate, not an error.
        if any(
            f["index"] == len(items) and f["code"] == "ConditionalCheckFailed"
            for f in exc.details.get("failed", [])
        ):
            return False
        raise
    return True


@dataclass(frozen=True, slots=True)
class _Dedupe:
    """Claim, complete and release the per-record markers of one dedupe table."""

    table: Table
    ttl_seconds: int
    lease_seconds: int
    clock: Callable[[], float]

    def run_batch(
        self, records: Sequence[Mapping[str, Any]], fn: RecordFn, context: Any
    ) -> list[str]:
        """The sequence numbers to report: the first failed record and every one after it."""
        failed: list[str] = []
        for record in records:
            if failed:
                # Lambda resumes from the first failure; later records must wait their turn.
                failed.append(_sequence_number(record))
                continue
            try:
                self.process_once(record, fn, _lease(context, self.lease_seconds))
            except Exception:
                logger.exception("stream record %s failed", record.get("eventID"))
                failed.append(_sequence_number(record))
        return failed

    def process_once(self, record: Mapping[str, Any], fn: RecordFn, lease: float) -> None:
        event_id = record["eventID"]
        token = self.claim(event_id, lease)
        if token is None:
            return  # processed before: a duplicate or a replay
        try:
            fn(dict(record))
        except BaseException:
            self.release(event_id, token)
            raise
        self.complete(event_id, token)

    def claim(self, event_id: str, lease: float) -> str | None:
        """A claim token, None if the event is done, AlreadyInProgress if claimed elsewhere."""
        now = self.clock()
        token = uuid.uuid4().hex
        item: dict[str, Any] = {
            EVENT_ID: event_id,
            STATUS: IN_PROGRESS,
            TOKEN: token,
            LEASE_UNTIL: int(now + lease) + 1,
            EXPIRES_AT: int(now) + self.ttl_seconds,
        }
        try:
            # A claim whose lease ran out belonged to an invocation that died mid-record: take it.
            self.table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(#c0) OR (#c1 = :c0 AND #c2 < :c1)",
                ExpressionAttributeNames={"#c0": EVENT_ID, "#c1": STATUS, "#c2": LEASE_UNTIL},
                ExpressionAttributeValues={":c0": IN_PROGRESS, ":c1": int(now)},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if client_error_code(exc) != CONDITION_FAILED:
                raise
            old: Any = exc.response.get("Item") or {}
            if old.get(STATUS, {}).get("S") == DONE:
                return None
            raise AlreadyInProgress(f"event {event_id} is being processed elsewhere") from None
        return token

    def complete(self, event_id: str, token: str) -> None:
        try:
            self.table.update_item(
                Key={EVENT_ID: event_id},
                UpdateExpression="SET #c1 = :c0 REMOVE #c2, #c3",
                ConditionExpression="#c3 = :c1",
                ExpressionAttributeNames={"#c1": STATUS, "#c2": LEASE_UNTIL, "#c3": TOKEN},
                ExpressionAttributeValues={":c0": DONE, ":c1": token},
            )
        except ClientError as exc:
            if client_error_code(exc) != CONDITION_FAILED:
                raise
            # fn's own transaction (write_once) already completed the marker, or our lease ran out.
            logger.debug("marker for %s was completed by someone else", event_id)

    def release(self, event_id: str, token: str) -> None:
        # Only our own claim is removed, so that a retry processes the record again.
        try:
            self.table.delete_item(
                Key={EVENT_ID: event_id},
                ConditionExpression="#c0 = :c0",
                ExpressionAttributeNames={"#c0": TOKEN},
                ExpressionAttributeValues={":c0": token},
            )
        except ClientError as exc:
            if client_error_code(exc) != CONDITION_FAILED:
                raise


def _lease(context: Any, default: int) -> float:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else default


def _sequence_number(record: Mapping[str, Any]) -> str:
    for source, field in (("dynamodb", "SequenceNumber"), ("kinesis", "sequenceNumber")):
        value = record.get(source, {}).get(field)
        if value:
            return str(value)
    return str(record.get("eventID", ""))


def _check_dedupe_table(table: Table) -> None:
    if key_schema(table).hash_key != EVENT_ID:
        raise ValueError(f"the dedupe table {table.name} must have partition key {EVENT_ID!r}")
