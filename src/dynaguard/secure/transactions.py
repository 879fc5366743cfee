"""Several writes as one: all or nothing, and a failure that says which item failed (DG501, DG502)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from dynaguard.secure.errors import Conflict, client_error_code

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

CANCELLED = "TransactionCanceledException"
# Errors that mean "not applied, and retrying the same request may succeed or conflict again".
_CONFLICTS = {CANCELLED, "TransactionInProgressException", "IdempotentParameterMismatchException"}


def transact_write(
    client: DynamoDBClient,
    items: Sequence[Mapping[str, Any]],
    *,
    labels: Sequence[str] | None = None,
    client_request_token: str | None = None,
) -> None:
    """Run ``TransactWriteItems`` (low-level, typed values); a cancellation is a ``Conflict``.

    The conflict's ``details["failed"]`` lists each failed item's index, label, table and
    cancellation code; the item images DynamoDB may return are never exposed.
    """
    if labels is not None and len(labels) != len(items):
        raise ValueError(f"{len(labels)} labels for {len(items)} transaction items")
    request: dict[str, Any] = {
        "TransactItems": cast("list[TransactWriteItemTypeDef]", [dict(i) for i in items])
    }
    if client_request_token is not None:
        # Makes a retried call idempotent for ten minutes (DynamoDB's token window).
        request["ClientRequestToken"] = client_request_token
    try:
        client.transact_write_items(**request)
    except ClientError as exc:
        if client_error_code(exc) not in _CONFLICTS:
            raise
        raise _conflict(exc, items, labels) from None


def _conflict(
    exc: ClientError, items: Sequence[Mapping[str, Any]], labels: Sequence[str] | None
) -> Conflict:
    reasons: list[Any] = list(exc.response.get("CancellationReasons", []))
    failed = [
        {
            "index": index,
            "label": labels[index] if labels is not None else None,
            "table": _table_of(items[index]) if index < len(items) else None,
            "code": reason.get("Code"),
            "message": reason.get("Message"),
        }
        for index, reason in enumerate(reasons)
        if reason.get("Code") not in (None, "None")
    ]
    code = client_error_code(exc)
    if not failed:
        return Conflict(f"the transaction was not applied ({code})", details={"code": code})
    names = ", ".join(f"{_name(f)} failed {f['code']}" for f in failed)
    return Conflict(
        f"the transaction was cancelled, nothing was applied: {names}",
        details={"code": code, "failed": failed},
    )


def _table_of(item: Mapping[str, Any]) -> str | None:
    for operation in item.values():
        if isinstance(operation, Mapping) and "TableName" in operation:
            return str(operation["TableName"])
    return None


def _name(failure: Mapping[str, Any]) -> str:
    if failure["label"] is not None:
        return repr(failure["label"])
    return f"item #{failure['index']} (table {failure['table']})"
