"""transact_write: all or nothing, and a 409 that names the item that failed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from dynaguard.lab import Lab
from dynaguard.secure import Conflict, transact_write

if TYPE_CHECKING:
    from .secure_support import MakeTable


def transfer(table: str, source: str, target: str, amount: int) -> list[dict[str, Any]]:
    """A debit guarded by the balance and a credit guarded by existence, as one transaction."""
    amount_value = {":amount": {"N": str(amount)}}
    return [
        {
            "Update": {
                "TableName": table,
                "Key": {"account": {"S": source}},
                "UpdateExpression": "SET #b = #b - :amount",
                "ConditionExpression": "#b >= :amount",
                "ExpressionAttributeNames": {"#b": "balance"},
                "ExpressionAttributeValues": amount_value,
                # Asks DynamoDB for the failing image; transact_write must not leak it.
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {
            "Update": {
                "TableName": table,
                "Key": {"account": {"S": target}},
                "UpdateExpression": "SET #b = #b + :amount",
                "ConditionExpression": "attribute_exists(#b)",
                "ExpressionAttributeNames": {"#b": "balance"},
                "ExpressionAttributeValues": amount_value,
            }
        },
    ]


@pytest.fixture
def accounts(make_table: MakeTable) -> str:
    table = make_table("account")
    table.put_item(Item={"account": "alice", "balance": 50, "pin": "1234"})
    table.put_item(Item={"account": "bob", "balance": 0})
    return table.name


def balances(lab: Lab, name: str) -> dict[str, int]:
    table = lab.resource().Table(name)
    items = {a: table.get_item(Key={"account": a})["Item"] for a in ("alice", "bob")}
    return {a: int(str(item["balance"])) for a, item in items.items()}


def test_a_transfer_is_applied_whole(lab: Lab, accounts: str) -> None:
    transact_write(lab.client(), transfer(accounts, "alice", "bob", 20), labels=["debit", "credit"])
    assert balances(lab, accounts) == {"alice": 30, "bob": 20}


def test_a_failed_condition_names_the_item_and_applies_nothing(lab: Lab, accounts: str) -> None:
    with pytest.raises(Conflict) as caught:
        transact_write(
            lab.client(), transfer(accounts, "alice", "bob", 80), labels=["debit", "credit"]
        )
    error = caught.value
    assert error.code == 409
    assert "'debit' failed ConditionalCheckFailed" in error.message
    assert error.details["failed"] == [
        {
            "index": 0,
            "label": "debit",
            "table": accounts,
            "code": "ConditionalCheckFailed",
            "message": "The conditional request failed",
        }
    ]
    assert "1234" not in repr(error.details)
    assert balances(lab, accounts) == {"alice": 50, "bob": 0}


def test_without_labels_the_index_and_table_name_the_item(lab: Lab, accounts: str) -> None:
    with pytest.raises(Conflict) as caught:
        transact_write(lab.client(), transfer(accounts, "alice", "carol", 10))
    assert f"item #1 (table {accounts}) failed ConditionalCheckFailed" in caught.value.message
    assert balances(lab, accounts) == {"alice": 50, "bob": 0}


def test_labels_must_match_the_items(lab: Lab, accounts: str) -> None:
    with pytest.raises(ValueError, match="labels"):
        transact_write(lab.client(), transfer(accounts, "alice", "bob", 1), labels=["one"])


def test_other_errors_are_not_disguised_as_conflicts(lab: Lab) -> None:
    item = {"Put": {"TableName": "secure_no_such_table", "Item": {"k": {"S": "v"}}}}
    with pytest.raises(ClientError):
        transact_write(lab.client(), [item])
