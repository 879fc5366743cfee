"""Strict request bodies: an allowlist by construction (DG101, DG103) and validation (DG301, DG302)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Self, TypeVar

from flask import request
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from werkzeug.exceptions import BadRequest as WerkzeugBadRequest

from dynaguard.secure.errors import BadRequest
from dynaguard.secure.settings import current_settings
from dynaguard.secure.values import (
    MAX_ITEM_BYTES,
    MAX_SORT_KEY_BYTES,
    is_absent,
    item_size,
    to_dynamo,
)

M = TypeVar("M", bound=BaseModel)
_FROM_REQUEST: Any = object()


def _fits_key(value: str) -> str:
    if len(value.encode()) > MAX_SORT_KEY_BYTES:
        raise ValueError(f"a key may hold at most {MAX_SORT_KEY_BYTES} bytes")
    return value


KeyStr = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_fits_key)
]
"""A string usable as a DynamoDB key attribute: non-empty, within the key size limit."""


class Input(BaseModel):
    """Base of request bodies: unknown fields are errors, strings are stripped, and every value
    fits DynamoDB (no NaN or infinity, numbers within 38 digits and range, item under 400 KB).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _fits_dynamodb(self) -> Self:
        # Nested Any/dict values bypass pydantic's float checks; JSON may even carry NaN literals.
        item = to_dynamo(self.model_dump(exclude_none=True), path="body")
        if item_size(item) > MAX_ITEM_BYTES:
            raise ValueError(f"the item would exceed DynamoDB's {MAX_ITEM_BYTES // 1024} KB limit")
        return self


def parse_body(model: type[M], *, data: Any = _FROM_REQUEST) -> M:
    """Validate the request's JSON body (or ``data``) into ``model``; every failure is a 400.

    Unknown fields are listed in ``details["unknown_fields"]``, or dropped when the app sets
    ``DYNAGUARD_UNKNOWN_FIELDS = "drop"``.
    """
    _require_forbid(model)
    payload = _request_json() if data is _FROM_REQUEST else data
    if not isinstance(payload, Mapping):
        raise BadRequest("the request body must be a JSON object")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
    unknown = [e["loc"] for e in errors if e["type"] == "extra_forbidden"]
    if unknown and current_settings().unknown_fields == "drop":
        try:
            return model.model_validate(_without(payload, unknown))
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False, include_input=False)
            unknown = []
    raise _invalid(errors, unknown)


def to_item(model: BaseModel, **server_fields: Any) -> dict[str, Any]:
    """``model`` as a DynamoDB item; ``server_fields`` (owner, id, version...) override it.

    Floats become Decimal; None and empty sets are left out (a None server field removes it).
    """
    item: dict[str, Any] = to_dynamo(model.model_dump(exclude_none=True), path="body")
    item.update({name: to_dynamo(value, path=name) for name, value in server_fields.items()})
    item = {name: value for name, value in item.items() if not is_absent(value)}
    if item_size(item) > MAX_ITEM_BYTES:
        raise BadRequest(f"the item would exceed DynamoDB's {MAX_ITEM_BYTES // 1024} KB limit")
    return item


def _require_forbid(model: type[BaseModel]) -> None:
    # A model that ignores or allows extra fields would make "reject" silently lie.
    if model.model_config.get("extra") != "forbid":
        raise TypeError(
            f"{model.__name__} must forbid extra fields: subclass dynaguard.secure.Input "
            "or set model_config = ConfigDict(extra='forbid')"
        )


def _request_json() -> Any:
    if not request.is_json:
        raise BadRequest("the request body must be JSON (Content-Type: application/json)")
    try:
        return request.get_json()
    except WerkzeugBadRequest:
        raise BadRequest("the request body is not valid JSON") from None


def _without(payload: Mapping[str, Any], locations: Sequence[tuple[int | str, ...]]) -> Any:
    pruned = copy.deepcopy(dict(payload))
    for loc in locations:
        parent: Any = pruned
        for part in loc[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            parent.pop(loc[-1], None)
    return pruned


def _invalid(errors: Sequence[Any], unknown: Sequence[tuple[int | str, ...]]) -> BadRequest:
    fields = [
        {"field": _dotted(e["loc"]), "message": e["msg"], "type": e["type"]}
        for e in errors
        if e["type"] != "extra_forbidden"
    ]
    details: dict[str, Any] = {}
    parts = []
    if unknown:
        details["unknown_fields"] = [_dotted(loc) for loc in unknown]
        parts.append("unknown fields: " + ", ".join(details["unknown_fields"]))
    if fields:
        details["errors"] = fields
        parts.append(
            "invalid fields: " + ", ".join(sorted({f["field"] or "(body)" for f in fields}))
        )
    return BadRequest("; ".join(parts), details=details)


def _dotted(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)
