"""Sign-up and profiles, written the way tutorials often write them."""

from __future__ import annotations

from botocore.exceptions import ClientError
from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.security import generate_password_hash

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import now, table

bp = Blueprint("users", __name__)


@bp.post("/users")
def sign_up() -> ResponseReturnValue:
    data = request.get_json()
    users = table("users")
    data["password_hash"] = generate_password_hash(data.pop("password"))  # expect: DG302
    data.setdefault("role", "user")  # a default, so a role sent by the client wins
    data["created_at"] = now()
    try:
        # The whole body is the item, so {"role": "admin", "is_admin": true} is stored as sent.
        users.put_item(  # expect: DG101
            Item=data, ConditionExpression="attribute_not_exists(username)"
        )
    except ClientError as exc:  # expect: DG502
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        # A taken username is treated as a retried sign-up: the client is told "created" anyway.
    return jsonify({"status": "created", "username": data.get("username")}), 201


@bp.get("/users/<username>")
@auth_required
def get_profile(username: str) -> ResponseReturnValue:
    item = table("users").get_item(Key={"username": username}).get("Item")
    if item is None:
        return jsonify({"error": "not found"}), 404
    return jsonify(item)  # expect: DG801


@bp.patch("/users/<username>")
@auth_required
def update_profile(username: str) -> ResponseReturnValue:
    changes = request.get_json()
    # Placeholders keep values out of the expression, but the client still picks the attributes,
    # the path picks the user, and a missing user is created on the fly.
    result = table("users").update_item(  # expect: DG102, DG201, DG403
        Key={"username": username},
        UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in changes),
        ExpressionAttributeNames={f"#{name}": name for name in changes},
        ExpressionAttributeValues={f":{name}": value for name, value in changes.items()},
        ReturnValues="ALL_NEW",
    )
    return jsonify(result["Attributes"])  # expect: DG801
