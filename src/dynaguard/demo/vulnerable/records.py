"""Records owned by users, addressed as /users/<username>/records/<record_id>.

The recurring mistake: the username in the path is used as the partition key, as if the router
had checked that it is the caller's.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from boto3.dynamodb.conditions import Key
from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import STARTING_BALANCE, now, table

bp = Blueprint("records", __name__)


@bp.get("/users/<username>/records")
def list_records(username: str) -> ResponseReturnValue:  # expect: DG203
    # No @auth_required: the list "only shows titles", so it was left open.
    result = table("records").query(KeyConditionExpression=Key("owner").eq(username))
    return jsonify({"records": result["Items"]})


@bp.post("/users/<username>/records")
@auth_required
def create_record(username: str) -> ResponseReturnValue:
    body = request.get_json()
    item = {
        "owner": username,
        "record_id": str(uuid4()),
        "title": body.get("title"),
        "notes": body.get("notes", ""),
        # The UI never sends a balance, so the default "is" server-controlled.
        "balance": body.get("balance", STARTING_BALANCE),  # expect: DG103
        "counter": 0,
        "version": 1,
        "created_at": now(),
    }
    table("records").put_item(Item=item)  # expect: DG201, DG301
    return jsonify(item), 201


@bp.get("/users/<username>/records/<record_id>")
@auth_required
def get_record(username: str, record_id: str) -> ResponseReturnValue:
    key = {"owner": username, "record_id": record_id}
    item = table("records").get_item(Key=key).get("Item")  # expect: DG201
    if item is None:
        return jsonify({"error": "not found"}), 404
    return jsonify(item)


@bp.put("/users/<username>/records/<record_id>")
@auth_required
def replace_record(username: str, record_id: str) -> ResponseReturnValue:
    body = request.get_json()
    version = int(body["version"])  # expect: DG302
    # The client says which version it edited and the server bumps it, never comparing it with
    # the stored one: a stale editor overwrites a newer edit, and a missing record is created.
    result = table("records").update_item(  # expect: DG201, DG301, DG403, DG404
        Key={"owner": username, "record_id": record_id},
        UpdateExpression="SET title = :title, notes = :notes, version = :version",
        ExpressionAttributeValues={
            ":title": body.get("title"),
            ":notes": body.get("notes", ""),
            ":version": version + 1,  # expect: DG103
        },
        ReturnValues="ALL_NEW",
    )
    return jsonify(result["Attributes"])


@bp.delete("/users/<username>/records/<record_id>")
@auth_required
def delete_record(username: str, record_id: str) -> ResponseReturnValue:
    # delete_item succeeds whether or not the item existed, so 204 proves nothing.
    key = {"owner": username, "record_id": record_id}
    table("records").delete_item(Key=key)  # expect: DG201, DG403
    return "", 204


@bp.post("/users/<username>/records/<record_id>/increment")
@auth_required
def increment_counter(username: str, record_id: str) -> ResponseReturnValue:
    step = int(request.args.get("by", "1"))  # expect: DG301, DG302
    records = table("records")
    key = {"owner": username, "record_id": record_id}
    found = records.get_item(Key=key).get("Item")  # expect: DG201
    item: dict[str, Any] = found or {**key, "counter": 0}
    item["counter"] = item.get("counter", 0) + step
    # Read, add in Python, write back: two requests that read the same value both store value + 1.
    records.put_item(Item=item)  # expect: DG401, DG403
    return jsonify({"record_id": record_id, "counter": item["counter"]})
