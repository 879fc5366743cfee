"""The admin listing: hidden from the UI's menu, and that was taken for protection."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import table

bp = Blueprint("admin", __name__)


@bp.get("/admin/users")
@auth_required
def list_users() -> ResponseReturnValue:
    # Any signed-in user gets here: authenticated is not the same as admin.
    items = table("users").scan()["Items"]  # expect: DG202
    return jsonify({"users": items})  # expect: DG801
