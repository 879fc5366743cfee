"""Search: the UI's dropdown sends the field name, which goes straight into the expression."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.db import table

bp = Blueprint("search", __name__)


@bp.get("/search/records")
@auth_required
def search_records() -> ResponseReturnValue:
    field = request.args.get("field", "title")
    text = request.args.get("q", "")
    # Values are placeholders, but the field is pasted in: "title, :q) OR NOT contains(title"
    # turns the filter into "(mine AND match) OR no-match", i.e. everyone's records.
    result = table("records").scan(  # expect: DG701
        FilterExpression=f"#owner = :owner AND contains({field}, :q)",
        ExpressionAttributeNames={"#owner": "owner"},
        ExpressionAttributeValues={":owner": g.user_id, ":q": text},
    )
    return jsonify({"records": result["Items"]})
