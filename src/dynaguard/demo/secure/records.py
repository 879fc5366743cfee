"""Records: keys derived from the identity, conditional writes, atomic counters."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import STARTING_BALANCE, now
from dynaguard.demo.secure.common import owned_records, require_self
from dynaguard.demo.secure.models import RECORD_FIELDS, Increment, RecordCreate, RecordReplace
from dynaguard.secure import parse_body, to_item

bp = Blueprint("records", __name__)


@bp.get("/users/<username>/records")
@auth_required
def list_records(username: str) -> ResponseReturnValue:
    require_self(username)
    return {"records": owned_records().query()}


@bp.post("/users/<username>/records")
@auth_required
def create_record(username: str) -> ResponseReturnValue:
    require_self(username)
    body = parse_body(RecordCreate)
    server = {"balance": STARTING_BALANCE, "counter": 0, "version": 1, "created_at": now()}
    return owned_records().create(to_item(body, **server)), 201


@bp.get("/users/<username>/records/<record_id>")
@auth_required
def get_record(username: str, record_id: str) -> ResponseReturnValue:
    require_self(username)
    return owned_records().get(record_id)


@bp.put("/users/<username>/records/<record_id>")
@auth_required
def replace_record(username: str, record_id: str) -> ResponseReturnValue:
    require_self(username)
    body = parse_body(RecordReplace)
    fields = body.model_dump(exclude={"version"})
    # The stored version must equal the one the client read; the new one is computed server-side.
    return owned_records().update(
        record_id, fields, allowed=RECORD_FIELDS, expected_version=body.version
    )


@bp.delete("/users/<username>/records/<record_id>")
@auth_required
def delete_record(username: str, record_id: str) -> ResponseReturnValue:
    require_self(username)
    owned_records().delete(record_id)
    return "", 204


@bp.post("/users/<username>/records/<record_id>/increment")
@auth_required
def increment_counter(username: str, record_id: str) -> ResponseReturnValue:
    require_self(username)
    step = parse_body(Increment, data=request.args.to_dict()).by
    # One ADD applied by DynamoDB, guarded by attribute_exists: no lost update, no phantom.
    counter = owned_records().increment(record_id, "counter", step)
    return {"record_id": record_id, "counter": counter}
