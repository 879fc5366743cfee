"""Transfers between records: each write is careful on its own, the pair is not."""

from __future__ import annotations

from botocore.exceptions import ClientError
from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import table

bp = Blueprint("transfers", __name__)


@bp.post("/users/<username>/transfers")
@auth_required
def transfer(username: str) -> ResponseReturnValue:
    body = request.get_json()
    amount = int(body["amount"])  # expect: DG301, DG302
    source = {"owner": username, "record_id": body["from_record_id"]}  # expect: DG302
    target = {"owner": body["to_owner"], "record_id": body["to_record_id"]}  # expect: DG302
    records = table("records")
    try:
        records.update_item(  # expect: DG201
            Key=source,
            UpdateExpression="SET balance = balance - :amount",
            ConditionExpression="balance >= :amount",
            ExpressionAttributeValues={":amount": amount},
        )
        # A second, separate write: when it fails, the debit above has already happened.
        records.update_item(  # expect: DG501
            Key=target,
            UpdateExpression="SET balance = balance + :amount",
            ConditionExpression="attribute_exists(record_id)",
            ExpressionAttributeValues={":amount": amount},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return jsonify({"error": "insufficient balance or unknown record"}), 409
    return jsonify(
        status="completed",
        amount=amount,
        from_record_id=source["record_id"],
        to_owner=target["owner"],
        to_record_id=target["record_id"],
    )
