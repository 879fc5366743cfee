"""What every secure handler relies on: who may act, and the owner-keyed tables."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeSerializer
from flask import g

from dynaguard.demo.db import table
from dynaguard.secure import Forbidden, OwnedTable, current_identity

_SERIALIZER = TypeSerializer()


def require_self(username: str) -> str:
    """The caller's identity, if the path names the caller; otherwise 403.

    The keys below come from the identity anyway (OwnedTable); this only refuses a path that
    pretends otherwise, instead of quietly answering about the caller's own data.
    """
    me = current_identity()
    if username != me:
        raise Forbidden("you may only act on your own resources")
    return me


def require_admin() -> str:
    """The caller's identity, if the caller's token carries the admin role; otherwise 403."""
    me = current_identity()
    if g.get("role") != "admin":
        raise Forbidden("this operation needs the admin role")
    return me


def owned_records() -> OwnedTable:
    """The records table, keyed by the caller: ``owner`` from the identity, ``record_id`` sort."""
    return OwnedTable(table("records"), owner_attribute="owner", sort_attribute="record_id")


def own_profile() -> OwnedTable:
    """The users table, where the caller's own item is keyed by their username."""
    return OwnedTable(table("users"), owner_attribute="username")


def projection(names: tuple[str, ...]) -> dict[str, Any]:
    """Read only ``names`` (as placeholders): attributes not listed never leave DynamoDB."""
    placeholders = {f"#p{i}": name for i, name in enumerate(names)}
    return {
        "ProjectionExpression": ", ".join(placeholders),
        "ExpressionAttributeNames": placeholders,
    }


def typed(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values as the low-level client's typed values (``{"S": ...}``), for transactions."""
    return {name: _SERIALIZER.serialize(value) for name, value in values.items()}
