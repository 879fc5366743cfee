"""Idempotent stream consumers, fed with real records from the embedded DynamoDB Streams."""

from __future__ import annotations

import types
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from dynaguard.lab import Lab
from dynaguard.secure import dedupe_put, idempotent_stream_handler, increment, write_once

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

    from .secure_support import MakeTable

NOW = 1_700_000_000.0
TOTAL = {"name": "revenue"}


def clock() -> float:
    return NOW


def stream_records(lab: Lab, table: Table) -> list[dict[str, Any]]:
    """Every record on the table's stream, oldest first, as Lambda would deliver them."""
    streams = lab.streams_client()
    arn = table.latest_stream_arn
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records.extend(streams.get_records(ShardIterator=iterator)["Records"])
    return records


def amount(record: dict[str, Any]) -> Decimal:
    return Decimal(record["dynamodb"]["NewImage"]["amount"]["N"])


def sequence(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


@pytest.fixture
def orders(lab: Lab, make_table: MakeTable) -> list[dict[str, Any]]:
    table = make_table("order_id", stream=True)
    for n, value in enumerate([5, 7, 11, 13]):
        table.put_item(Item={"order_id": f"o{n}", "amount": value})
    records = stream_records(lab, table)
    assert len(records) == 4
    return records


@pytest.fixture
def totals(make_table: MakeTable) -> Table:
    table = make_table("name")
    table.put_item(Item={**TOTAL, "sum": 0})
    return table


@pytest.fixture
def dedupe(make_table: MakeTable) -> Table:
    return make_table("event_id", ttl_attribute="expires_at")


def total(totals: Table) -> Decimal:
    return Decimal(str(totals.get_item(Key=TOTAL, ConsistentRead=True)["Item"]["sum"]))


def test_duplicates_and_replays_apply_once(
    orders: list[dict[str, Any]], totals: Table, dedupe: Table
) -> None:
    calls: list[str] = []

    @idempotent_stream_handler(dedupe, ttl_seconds=3600, clock=clock)
    def add_revenue(record: dict[str, Any]) -> None:
        calls.append(record["eventID"])
        increment(totals, TOTAL, "sum", amount(record))  # not idempotent by itself

    batch = {"Records": [*orders, orders[1]]}
    assert add_revenue(batch) == {"batchItemFailures": []}
    assert add_revenue(batch) == {"batchItemFailures": []}
    assert total(totals) == 36
    assert calls == [r["eventID"] for r in orders]
    marker = dedupe.get_item(Key={"event_id": orders[0]["eventID"]})["Item"]
    assert marker == {
        "event_id": orders[0]["eventID"],
        "status": "done",
        "expires_at": int(NOW) + 3600,
    }


def test_a_failure_reports_it_and_later_records_and_a_retry_completes(
    orders: list[dict[str, Any]], totals: Table, dedupe: Table
) -> None:
    failing = {orders[1]["eventID"]}

    @idempotent_stream_handler(dedupe)
    def add_revenue(record: dict[str, Any]) -> None:
        if record["eventID"] in failing:
            raise RuntimeError("downstream unavailable")
        increment(totals, TOTAL, "sum", amount(record))

    result = add_revenue({"Records": orders})
    assert result == {"batchItemFailures": [{"itemIdentifier": sequence(r)} for r in orders[1:]]}
    assert total(totals) == 5
    for record in orders[1:]:
        assert "Item" not in dedupe.get_item(Key={"event_id": record["eventID"]})
    failing.clear()
    assert add_revenue({"Records": orders}) == {"batchItemFailures": []}
    assert total(totals) == 36


def test_the_transactional_path_is_exactly_once_under_replay(
    lab: Lab, orders: list[dict[str, Any]], totals: Table, dedupe: Table
) -> None:
    client = lab.client()

    def apply(record: dict[str, Any]) -> bool:
        add = {
            "Update": {
                "TableName": totals.name,
                "Key": {"name": {"S": "revenue"}},
                "UpdateExpression": "ADD #s :a",
                "ExpressionAttributeNames": {"#s": "sum"},
                "ExpressionAttributeValues": {":a": {"N": str(amount(record))}},
            }
        }
        return write_once(client, [add], dedupe_table_name=dedupe.name, event_id=record["eventID"])

    assert [apply(r) for r in orders] == [True] * 4
    assert [apply(r) for r in [*orders, *orders]] == [False] * 8
    assert total(totals) == 36


def test_write_once_inside_the_handler_takes_over_its_claim(
    lab: Lab, orders: list[dict[str, Any]], totals: Table, dedupe: Table
) -> None:
    client = lab.client()

    @idempotent_stream_handler(dedupe)
    def add_revenue(record: dict[str, Any]) -> None:
        add = {
            "Update": {
                "TableName": totals.name,
                "Key": {"name": {"S": "revenue"}},
                "UpdateExpression": "ADD #s :a",
                "ExpressionAttributeNames": {"#s": "sum"},
                "ExpressionAttributeValues": {":a": {"N": str(amount(record))}},
            }
        }
        write_once(client, [add], dedupe_table_name=dedupe.name, event_id=record["eventID"])

    assert add_revenue({"Records": orders}) == {"batchItemFailures": []}
    assert add_revenue({"Records": orders}) == {"batchItemFailures": []}
    assert total(totals) == 36
    marker = dedupe.get_item(Key={"event_id": orders[0]["eventID"]})["Item"]
    assert marker["status"] == "done"


def test_dedupe_put_is_a_low_level_put() -> None:
    entry = dedupe_put("dedupe", "e1", 60)
    put = entry["Put"]
    assert put["TableName"] == "dedupe"
    assert put["Item"]["event_id"] == {"S": "e1"}
    assert set(put["Item"]["expires_at"]) == {"N"}
    assert "attribute_not_exists(#c0)" in put["ConditionExpression"]


def test_a_dead_invocations_claim_is_taken_over_after_its_lease(
    orders: list[dict[str, Any]], totals: Table, dedupe: Table
) -> None:
    record = orders[0]
    # A claim left by an invocation that timed out mid-record: its lease has run out.
    dedupe.put_item(
        Item={
            "event_id": record["eventID"],
            "status": "in_progress",
            "claim_token": "dead",
            "lease_until": int(NOW) - 1,
            "expires_at": int(NOW) + 60,
        }
    )

    @idempotent_stream_handler(dedupe, clock=clock)
    def add_revenue(rec: dict[str, Any]) -> None:
        increment(totals, TOTAL, "sum", amount(rec))

    assert add_revenue({"Records": [record]}) == {"batchItemFailures": []}
    assert total(totals) == 5


def test_a_live_claim_elsewhere_is_reported_for_retry(
    orders: list[dict[str, Any]], totals: Table, dedupe: Table
) -> None:
    record = orders[0]
    dedupe.put_item(
        Item={
            "event_id": record["eventID"],
            "status": "in_progress",
            "claim_token": "busy",
            "lease_until": int(NOW) + 300,
        }
    )

    @idempotent_stream_handler(dedupe, clock=clock)
    def add_revenue(rec: dict[str, Any]) -> None:
        increment(totals, TOTAL, "sum", amount(rec))

    result = add_revenue({"Records": [record]})
    assert result == {"batchItemFailures": [{"itemIdentifier": sequence(record)}]}
    assert total(totals) == 0
    assert dedupe.get_item(Key={"event_id": record["eventID"]})["Item"]["claim_token"] == "busy"


def test_the_lease_follows_the_lambda_context(orders: list[dict[str, Any]], dedupe: Table) -> None:
    seen: list[Any] = []

    @idempotent_stream_handler(dedupe, clock=clock)
    def inspect(rec: dict[str, Any]) -> None:
        seen.append(dedupe.get_item(Key={"event_id": rec["eventID"]})["Item"]["lease_until"])

    context = types.SimpleNamespace(get_remaining_time_in_millis=lambda: 30_000)
    inspect({"Records": orders[:1]}, context)
    assert seen == [int(NOW + 30) + 1]


def test_a_record_without_event_id_fails_alone_in_order(dedupe: Table) -> None:
    @idempotent_stream_handler(dedupe)
    def noop(_: dict[str, Any]) -> None:
        return None

    records = [
        {"eventID": "ok-1", "dynamodb": {"SequenceNumber": "1"}},
        {"dynamodb": {"SequenceNumber": "2"}},
        {"eventID": "ok-3", "dynamodb": {"SequenceNumber": "3"}},
    ]
    result = noop({"Records": records})
    assert result == {"batchItemFailures": [{"itemIdentifier": "2"}, {"itemIdentifier": "3"}]}


def test_the_dedupe_table_must_be_keyed_by_event_id(make_table: MakeTable) -> None:
    @idempotent_stream_handler(make_table("id"))
    def noop(_: dict[str, Any]) -> None:
        return None

    with pytest.raises(ValueError, match="event_id"):
        noop({"Records": []})
