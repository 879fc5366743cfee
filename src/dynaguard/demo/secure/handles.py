"""Unique handles: the first claim wins, a second one is a 409."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import now, table
from dynaguard.demo.secure.models import HandleClaim
from dynaguard.secure import NotFound, create_if_absent, current_identity, parse_body

bp = Blueprint("handles", __name__)


@bp.post("/handles")
@auth_required
def claim_handle() -> ResponseReturnValue:
    claim = parse_body(HandleClaim)
    owner = current_identity()
    # attribute_not_exists in the same request as the write: no check-then-put race.
    create_if_absent(
        table("handles"), {"handle": claim.handle, "owner": owner, "created_at": now()}
    )
    return {"handle": claim.handle, "owner": owner}, 201


@bp.get("/handles/<handle>")
@auth_required
def get_handle(handle: str) -> ResponseReturnValue:
    item = table("handles").get_item(Key={"handle": handle}).get("Item")
    if item is None:
        raise NotFound("no such handle")
    return {"handle": item["handle"], "owner": item["owner"]}
