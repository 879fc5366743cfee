"""The aggregates consumer of the records stream: DG601 (replay) and DG602 (dropped records)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

from dynaguard.demo.aggregates import StreamHandler
from dynaguard.demo.streams import consumer, pump
from dynaguard.lab import Lab, TableSpec, create_tables, delete_tables
from tests.twins.twin_helpers import Twin


def _consumer(twin: Twin) -> StreamHandler:
    return consumer(
        twin.kind,
        dynamodb=twin.lab.resource(),
        client=twin.lab.client(),
        table_prefix=twin.prefix,
    )


def _aggregates(twin: Twin, owner: str) -> dict[str, Any]:
    item = twin.item("aggregates", owner=owner) or {}
    return {name: item.get(name) for name in ("record_count", "balance_total", "events")}


def _changes(twin: Twin) -> None:
    """Two new records for alice and one balance change: three stream records."""
    record_id = twin.seed_record("alice", "wallet")
    twin.seed_record("alice", "savings", balance=50)
    twin.table("records").update_item(
        Key={"owner": "alice", "record_id": record_id},
        UpdateExpression="SET balance = :b",
        ExpressionAttributeValues={":b": 70},
    )


EXPECTED = {"record_count": Decimal(2), "balance_total": Decimal(120), "events": Decimal(3)}


def test_replayed_batch_is_counted_twice(twin: Twin) -> None:
    """DG601: Streams deliver at least once; without eventID dedupe a redelivery counts again."""
    _changes(twin)
    handler = _consumer(twin)
    delivered = pump(twin.lab, twin.names.records, handler)
    assert sum(len(event["Records"]) for event in delivered) == 3
    assert _aggregates(twin, "alice") == EXPECTED
    for event in delivered:  # the same batches, delivered again
        handler(event)
    doubled = {name: 2 * value for name, value in EXPECTED.items()}
    assert (_aggregates(twin, "alice") == doubled) is twin.exploitable
    if not twin.exploitable:
        assert _aggregates(twin, "alice") == EXPECTED


MALFORMED = {
    "eventID": "malformed-1",
    "eventName": "INSERT",
    "eventSource": "aws:dynamodb",
    "dynamodb": {"SequenceNumber": "999", "NewImage": {"record_id": {"S": "no-owner"}}},
}


def test_failed_record_is_dropped_and_the_batch_reported_ok(twin: Twin) -> None:
    """DG602: a record that fails is swallowed, so Lambda never delivers it again."""
    _changes(twin)
    handler = _consumer(twin)
    records = [
        r
        for event in pump(twin.lab, twin.names.records, lambda e, c=None: {})
        for r in event["Records"]
    ]
    batch = {"Records": [records[0], MALFORMED, records[1]]}
    failures = [f["itemIdentifier"] for f in handler(batch)["batchItemFailures"]]
    assert (failures == []) is twin.exploitable
    if not twin.exploitable:
        # The failed record and everything after it are retried; nothing after it was applied.
        assert failures == ["999", records[1]["dynamodb"]["SequenceNumber"]]
        assert _aggregates(twin, "alice")["record_count"] == 1


@pytest.fixture
def stream_table(lab: Lab) -> Iterator[str]:
    name = "pump_records"
    create_tables(lab.client(), [TableSpec(name, "owner", "record_id", stream=True)])
    yield name
    delete_tables(lab.client(), [name])


class Recorder:
    """A handler that records event ids and fails the ones named in ``fail``."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.fail: set[str] = set()

    def __call__(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            self.seen.append(record["dynamodb"]["Keys"]["record_id"]["S"])
            if self.seen[-1] in self.fail:
                failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
        return {"batchItemFailures": failures}


def test_pump_resumes_from_its_checkpoint_and_redelivers_failures(
    lab: Lab, stream_table: str
) -> None:
    table = lab.resource().Table(stream_table)
    for record_id in ("r1", "r2", "r3"):
        table.put_item(Item={"owner": "alice", "record_id": record_id})
    handler, checkpoint = Recorder(), dict[str, str]()
    handler.fail = {"r2"}
    pump(lab, stream_table, handler, checkpoint=checkpoint, batch_size=2)
    assert handler.seen == ["r1", "r2"]  # the shard stops at the failed batch
    handler.fail = set()
    pump(lab.streams_client(), stream_table, handler, checkpoint=checkpoint, batch_size=2)
    assert handler.seen == ["r1", "r2", "r2", "r3"]  # redelivered from the failure on
    assert pump(lab, stream_table, handler, checkpoint=checkpoint) == []
    delivered = pump(lab, stream_table, handler)  # no checkpoint: from the start of the stream
    assert [r["eventSourceARN"].split("/")[1] for e in delivered for r in e["Records"]] == [
        stream_table
    ] * 3


def test_pump_refuses_a_table_without_a_stream(secure_twin: Twin) -> None:
    with pytest.raises(ValueError, match="has no stream"):
        pump(secure_twin.lab, secure_twin.names.users, _consumer(secure_twin))
