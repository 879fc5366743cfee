"""The embedded DynamoDB starts on loopback, serves real API calls, and stops."""

from __future__ import annotations

import httpx
import pytest

from dynaguard.lab import Lab, TableSpec, create_tables


def test_embedded_lab_serves_tables_on_loopback() -> None:
    with Lab(embedded=True) as lab:
        assert lab.endpoint_url is not None
        assert lab.endpoint_url.startswith("http://127.0.0.1:")
        create_tables(lab.client(), [TableSpec("lab_items", "pk", "sk", stream=True)])
        table = lab.resource().Table("lab_items")
        table.put_item(Item={"pk": "a", "sk": "b", "n": 1})
        assert table.get_item(Key={"pk": "a", "sk": "b"})["Item"]["n"] == 1
        described = lab.client().describe_table(TableName="lab_items")["Table"]
        assert described["StreamSpecification"]["StreamEnabled"] is True
        url = lab.endpoint_url
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=1.0)


def test_create_tables_is_idempotent_and_enables_ttl() -> None:
    with Lab(embedded=True) as lab:
        spec = TableSpec("lab_dedupe", "event_id", ttl_attribute="expires_at")
        create_tables(lab.client(), [spec])
        create_tables(lab.client(), [spec])
        ttl = lab.client().describe_time_to_live(TableName="lab_dedupe")
        assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_env_points_children_at_the_endpoint() -> None:
    with Lab(embedded=True) as lab:
        env = lab.env()
        assert env["AWS_ENDPOINT_URL_DYNAMODB"] == lab.endpoint_url
        assert env["AWS_DEFAULT_REGION"] == lab.region
