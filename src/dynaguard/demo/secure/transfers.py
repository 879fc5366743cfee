"""Transfers: the debit and the credit commit together or not at all."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import client, state
from dynaguard.demo.secure.common import owned_records, require_self, typed
from dynaguard.demo.secure.models import Transfer
from dynaguard.secure import BadRequest, parse_body, transact_write

bp = Blueprint("transfers", __name__)


@bp.post("/users/<username>/transfers")
@auth_required
def transfer(username: str) -> ResponseReturnValue:
    require_self(username)
    body = parse_body(Transfer)
    source = owned_records().key(body.from_record_id)
    target = {"owner": body.to_owner, "record_id": body.to_record_id}
    if source == target:
        raise BadRequest("a transfer needs two different records")
    debit = _balance_update(source, "SET #b = #b - :amount", "#b >= :amount", body.amount)
    credit = _balance_update(target, "SET #b = #b + :amount", "attribute_exists(#b)", body.amount)
    # TransactionCanceled becomes a 409 naming the failing side; neither write is applied.
    transact_write(client(), [debit, credit], labels=["source record", "target record"])
    return {
        "status": "completed",
        "amount": body.amount,
        "from_record_id": body.from_record_id,
        "to_owner": body.to_owner,
        "to_record_id": body.to_record_id,
    }


def _balance_update(
    key: dict[str, Any], expression: str, condition: str, amount: int
) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": state().names.records,
            "Key": typed(key),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#b": "balance"},
            "ExpressionAttributeValues": {":amount": {"N": str(amount)}},
        }
    }
