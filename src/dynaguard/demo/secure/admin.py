"""The admin listing: a role check first, and only the attributes an admin needs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import table
from dynaguard.demo.secure.common import projection, require_admin

bp = Blueprint("admin", __name__)

ADMIN_FIELDS = ("username", "display_name", "email", "role")


@bp.get("/admin/users")
@auth_required
def list_users() -> ResponseReturnValue:
    require_admin()
    kwargs = projection(ADMIN_FIELDS)
    users: list[dict[str, Any]] = []
    while True:
        page = table("users").scan(**kwargs)
        users.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return {"users": users}
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
