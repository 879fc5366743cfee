"""Conditional single-item writes: no silent overwrite, no phantom upsert, no lost update.

Covers DG401 (lost update), DG402 (create overwrites), DG403 (phantom upsert), DG404 (client
version trusted) and DG502 (a failed condition must surface, here as 404 or 409).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from dynaguard.secure.errors import BadRequest, Conflict, NotFound, client_error_code
from dynaguard.secure.updates import UpdateSpec, build_update
from dynaguard.secure.values import dynamo_number

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

CONDITION_FAILED = "ConditionalCheckFailedException"


class KeySchema(NamedTuple):
    hash_key: str
    range_key: str | None

    @property
    def attributes(self) -> tuple[str, ...]:
        return (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)


_SCHEMAS: dict[tuple[str | None, str | None, str], KeySchema] = {}


def key_schema(table: Table) -> KeySchema:
    """The table's key attributes, described once per endpoint and table name."""
    meta = table.meta.client.meta
    cache_key = (meta.endpoint_url, meta.region_name, table.name)
    schema = _SCHEMAS.get(cache_key)
    if schema is None:
        roles = {entry["KeyType"]: entry["AttributeName"] for entry in table.key_schema}
        schema = _SCHEMAS[cache_key] = KeySchema(roles["HASH"], roles.get("RANGE"))
    return schema


def create_if_absent(table: Table, item: Mapping[str, Any]) -> None:
    """Put ``item`` only if no item has its key; otherwise ``Conflict`` (409)."""
    schema = key_schema(table)
    missing = [name for name in schema.attributes if name not in item]
    if missing:
        raise ValueError(f"the item lacks its key attribute(s) {missing}")
    try:
        # The condition is evaluated on the item with this exact key, so checking the hash key
        # attribute is enough for composite keys too.
        table.put_item(
            Item=dict(item),
            ConditionExpression="attribute_not_exists(#c0)",
            ExpressionAttributeNames={"#c0": schema.hash_key},
        )
    except ClientError as exc:
        if client_error_code(exc) != CONDITION_FAILED:
            raise
        raise Conflict("the item already exists", details={"key": _key_of(item, schema)}) from None


def update_if_exists(
    table: Table,
    key: Mapping[str, Any],
    fields: Mapping[str, Any],
    *,
    allowed: Collection[str],
) -> dict[str, Any]:
    """Update allowlisted ``fields`` of an existing item; ``NotFound`` rather than upsert."""
    schema = key_schema(table)
    spec = build_update(fields, allowed=allowed, key_attributes=schema.attributes)
    spec = spec.with_condition("attribute_exists(#c0)", {"#c0": schema.hash_key})
    with _missing_is_not_found(key):
        return _update(table, key, spec)


def versioned_update(
    table: Table,
    key: Mapping[str, Any],
    fields: Mapping[str, Any],
    *,
    expected_version: int,
    allowed: Collection[str],
    version_attribute: str = "version",
) -> dict[str, Any]:
    """Optimistic locking: apply only if the stored version equals ``expected_version``.

    The new version (expected + 1) is computed here, never taken from the client; a stale version
    is a ``Conflict`` (409) and a missing item ``NotFound`` (404). Create items with a version
    (e.g. ``to_item(body, version=1)``): an item without one is always stale.
    """
    spec = _versioned_spec(key_schema(table), fields, allowed, expected_version, version_attribute)
    try:
        return _update(table, key, spec, ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except ClientError as exc:
        if client_error_code(exc) != CONDITION_FAILED:
            raise
        raise _stale_or_missing(exc, key, expected_version, version_attribute) from None


def increment(
    table: Table, key: Mapping[str, Any], attribute: str, amount: int | Decimal = 1
) -> Decimal:
    """Atomically add ``amount`` to a number of an existing item and return the new value."""
    schema = key_schema(table)
    if attribute in schema.attributes:
        raise ValueError(f"{attribute!r} is a key attribute")
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise BadRequest("the amount must be an integer or a decimal")
    try:
        value = dynamo_number(amount, "amount")
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    # ADD is applied by DynamoDB itself, so concurrent increments never read-modify-write.
    spec = UpdateSpec("ADD #n0 :v0", {"#n0": attribute}, {":v0": value}).with_condition(
        "attribute_exists(#c0)", {"#c0": schema.hash_key}
    )
    with _missing_is_not_found(key):
        response = table.update_item(Key=dict(key), ReturnValues="UPDATED_NEW", **spec.kwargs())
    return Decimal(response["Attributes"][attribute])  # type: ignore[arg-type]


def delete_if_exists(table: Table, key: Mapping[str, Any]) -> None:
    """Delete an existing item; ``NotFound`` when there is none (a delete is never a silent no-op)."""
    with _missing_is_not_found(key):
        table.delete_item(
            Key=dict(key),
            ConditionExpression="attribute_exists(#c0)",
            ExpressionAttributeNames={"#c0": key_schema(table).hash_key},
        )


@contextmanager
def _missing_is_not_found(key: Mapping[str, Any]) -> Iterator[None]:
    # Every guarded write here conditions on attribute_exists(<hash key>): failing means absent.
    try:
        yield
    except ClientError as exc:
        if client_error_code(exc) != CONDITION_FAILED:
            raise
        raise NotFound(details={"key": dict(key)}) from None


def _update(table: Table, key: Mapping[str, Any], spec: UpdateSpec, **extra: Any) -> dict[str, Any]:
    response = table.update_item(Key=dict(key), ReturnValues="ALL_NEW", **spec.kwargs(), **extra)
    return dict(response.get("Attributes", {}))


def _versioned_spec(
    schema: KeySchema,
    fields: Mapping[str, Any],
    allowed: Collection[str],
    expected: int,
    version_attribute: str,
) -> UpdateSpec:
    if isinstance(expected, bool) or not isinstance(expected, int):
        raise BadRequest("the expected version must be an integer")
    if version_attribute in fields:
        # The version is server-controlled (DG404), even if a careless allowlist names it.
        raise BadRequest(
            f"{version_attribute!r} cannot be updated", details={"fields": [version_attribute]}
        )
    return build_update(
        fields,
        allowed=allowed,
        key_attributes=schema.attributes,
        extra_set={version_attribute: expected + 1},
    ).with_condition(
        "attribute_exists(#c0) AND #c1 = :c0",
        {"#c0": schema.hash_key, "#c1": version_attribute},
        {":c0": expected},
    )


def _stale_or_missing(
    exc: ClientError, key: Mapping[str, Any], expected: int, version_attribute: str
) -> NotFound | Conflict:
    # ALL_OLD returns the item that failed the condition: present means stale, absent missing.
    old: Any = exc.response.get("Item")
    if not old:
        return NotFound(details={"key": dict(key)})
    current = old.get(version_attribute)
    current_version = TypeDeserializer().deserialize(current) if current else None
    return Conflict(
        f"the item was changed: expected version {expected}, found {current_version}",
        details={"expected_version": expected, "current_version": current_version},
    )


def _key_of(item: Mapping[str, Any], schema: KeySchema) -> dict[str, Any]:
    return {name: item[name] for name in schema.attributes}
