"""Search the caller's records: an allowlisted field, values and names only as placeholders."""

from __future__ import annotations

from boto3.dynamodb.conditions import Attr
from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from dynaguard.demo.auth import auth_required
from dynaguard.demo.secure.common import owned_records
from dynaguard.demo.secure.models import Search
from dynaguard.secure import parse_body

bp = Blueprint("search", __name__)


@bp.get("/search/records")
@auth_required
def search_records() -> ResponseReturnValue:
    search = parse_body(Search, data=request.args.to_dict())
    # Attr() puts the name in ExpressionAttributeNames; the query reads only the caller's partition.
    found = owned_records().query(FilterExpression=Attr(search.field).contains(search.q))
    return {"records": found}
