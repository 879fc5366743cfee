"""Input and to_item: every accepted body is an item DynamoDB will store."""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import Field

from dynaguard.secure import BadRequest, Input, create_if_absent, parse_body, to_item

if TYPE_CHECKING:
    from .secure_support import MakeTable


class Reading(Input):
    label: str
    value: float | None = None
    amount: Decimal | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    tags: set[str] = Field(default_factory=set)


@pytest.mark.parametrize(
    "body",
    [
        {"label": "a", "value": float("nan")},
        {"label": "a", "value": float("inf")},
        {"label": "a", "amount": "1" * 39},
        {"label": "a", "amount": "1E+126"},
        {"label": "a", "amount": "1E-131"},
        {"label": "a", "extra": {"deep": [1, float("nan")]}},
        {"label": "a", "extra": {"n": 10**39 + 1}},
        {"label": "a", "extra": {"blob": "x" * (400 * 1024)}},
    ],
)
def test_values_dynamodb_cannot_store_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(BadRequest):
        parse_body(Reading, data=body)


def test_json_nan_literals_are_refused() -> None:
    body = json.loads('{"label": "a", "extra": {"x": NaN}}')
    with pytest.raises(BadRequest) as caught:
        parse_body(Reading, data=body)
    assert "NaN" in caught.value.details["errors"][0]["message"]


@pytest.mark.parametrize(
    "amount", ["9.9999999999999999999999999999999999999E+125", "1E-130", "1" * 38, "0"]
)
def test_numbers_at_the_limits_are_accepted(amount: str) -> None:
    assert parse_body(Reading, data={"label": "a", "amount": amount}).amount == Decimal(amount)


def test_to_item_converts_drops_and_lets_the_server_win(make_table: MakeTable) -> None:
    body = parse_body(
        Reading,
        data={"label": " x ", "value": 0.1, "extra": {"f": 1.5, "n": 10**40}, "tags": []},
    )
    item = to_item(body, pk="p1", label_owner="srv", label=None, version=1)
    assert item == {
        "pk": "p1",
        "value": Decimal("0.1"),
        "extra": {"f": Decimal("1.5"), "n": Decimal("1E+40")},
        "label_owner": "srv",
        "version": 1,
    }
    table = make_table("pk")
    create_if_absent(table, item)
    assert table.get_item(Key={"pk": "p1"})["Item"] == item


class Colour(enum.Enum):
    RED = "red"


class Rich(Input):
    when: dt.datetime
    ident: uuid.UUID
    colour: Colour


def test_to_item_handles_rich_types() -> None:
    ident = uuid.uuid4()
    body = Rich(when=dt.datetime(2024, 1, 2, 3, 4, 5), ident=ident, colour=Colour.RED)
    assert to_item(body) == {"when": "2024-01-02T03:04:05", "ident": str(ident), "colour": "red"}


def test_to_item_refuses_oversized_items() -> None:
    with pytest.raises(BadRequest, match="400 KB"):
        to_item(Reading(label="a"), blob="x" * (400 * 1024))


def test_to_item_refuses_what_boto3_cannot_serialise() -> None:
    with pytest.raises(ValueError, match="object"):
        to_item(Reading(label="a"), thing=object())
