"""Sign-up and profiles: allowlisted bodies, create-if-absent, the caller's own item, projections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint
from flask.typing import ResponseReturnValue
from werkzeug.security import generate_password_hash

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import now, table
from dynaguard.demo.secure.common import own_profile, projection, require_self
from dynaguard.demo.secure.models import PROFILE_FIELDS, ProfileUpdate, SignUp
from dynaguard.secure import NotFound, create_if_absent, current_identity, parse_body, to_item

bp = Blueprint("users", __name__)

PUBLIC_FIELDS = ("username", "display_name")
OWNER_FIELDS = (*PUBLIC_FIELDS, "email")


@bp.post("/users")
def sign_up() -> ResponseReturnValue:
    body = parse_body(SignUp)
    item = to_item(
        body,
        password=None,  # never stored; only its hash is
        password_hash=generate_password_hash(body.password),
        role="user",
        created_at=now(),
    )
    create_if_absent(table("users"), item)
    return {"status": "created", "username": body.username}, 201


@bp.get("/users/<username>")
@auth_required
def get_profile(username: str) -> ResponseReturnValue:
    # The projection means the password hash and the role are never even read.
    result = table("users").get_item(Key={"username": username}, **projection(OWNER_FIELDS))
    if "Item" not in result:
        raise NotFound("no such user")
    return profile_view(result["Item"], own=username == current_identity())


@bp.patch("/users/<username>")
@auth_required
def update_profile(username: str) -> ResponseReturnValue:
    require_self(username)
    fields = parse_body(ProfileUpdate).model_dump(exclude_none=True)
    updated = own_profile().update(None, fields, allowed=PROFILE_FIELDS)
    return profile_view(updated, own=True)


def profile_view(item: Mapping[str, Any], *, own: bool) -> dict[str, Any]:
    """The attributes a client may see: public ones, plus the e-mail for its owner."""
    shown = OWNER_FIELDS if own else PUBLIC_FIELDS
    return {name: item[name] for name in shown if name in item}
