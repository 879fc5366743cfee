"""Unique handles: the handle is the key, so surely a second claim cannot succeed?"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import table

bp = Blueprint("handles", __name__)


@bp.post("/handles")
@auth_required
def claim_handle() -> ResponseReturnValue:
    handle = request.get_json()["handle"]  # expect: DG302
    # put_item replaces an existing item with the same key: the last claimant silently wins.
    table("handles").put_item(Item={"handle": handle, "owner": g.user_id})  # expect: DG301, DG402
    return jsonify({"handle": handle, "owner": g.user_id}), 201


@bp.get("/handles/<handle>")
@auth_required
def get_handle(handle: str) -> ResponseReturnValue:
    item = table("handles").get_item(Key={"handle": handle}).get("Item")
    if item is None:
        return jsonify({"error": "not found"}), 404
    return jsonify({"handle": item["handle"], "owner": item["owner"]})
