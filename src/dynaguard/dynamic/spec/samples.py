"""Valid request values from the spec: examples, defaults, enums, else generated from the schema.

Deterministic on purpose (no random search): the same spec gives the same requests, so a finding
can be reproduced. Plain string fields carry a fresh marker so the object can be recognised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynaguard.dynamic.markers import Markers

MAX_ITEMS = 4
MAX_LENGTH = 65_536
MAX_VALUES = 1_000
"""A sample stops growing here, whatever ``minItems``, ``minLength`` and nested properties ask:
a spec asking for 10^9 values must not make the scanner build them (the request sent is then
merely invalid)."""

_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "ZHluYWd1YXJk",
    "binary": "dynaguard",
}


def schema_type(schema: Mapping[str, Any]) -> str:
    """The schema's main type; 3.1 lists (``["string", "null"]``) give their first non-null."""
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "null")
    if isinstance(declared, str):
        return declared
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string" if "enum" not in schema else type_of(schema["enum"][0])


def type_of(value: Any) -> str:
    """The JSON Schema type name of a Python JSON value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else "string"


def merged(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """``allOf`` folded into one schema; ``oneOf``/``anyOf`` replaced by their first choice."""
    if not isinstance(schema, Mapping):
        return {}  # a boolean schema (JSON Schema's "anything")
    result: dict[str, Any] = {
        k: v for k, v in schema.items() if k not in ("allOf", "oneOf", "anyOf")
    }
    for raw in schema.get("allOf") or ():
        part = merged(raw)
        result["properties"] = {**result.get("properties", {}), **part.get("properties", {})}
        result["required"] = [*result.get("required", []), *part.get("required", [])]
        result.update({k: v for k, v in part.items() if k not in ("properties", "required")})
    for choice in ("oneOf", "anyOf"):
        if schema.get(choice):
            return merged({**result, **schema[choice][0]})
    return result


def properties(schema: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Writable properties of an object schema (``readOnly`` ones are the server's)."""
    props = merged(schema).get("properties") or {}
    return {k: v for k, v in props.items() if isinstance(v, Mapping) and not v.get("readOnly")}


def required(schema: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(merged(schema).get("required") or ())


def sample(schema: Mapping[str, Any] | None, markers: Markers | None = None) -> Any:
    """A valid value for ``schema``; strings get markers when ``markers`` is given."""
    return _sample(schema, markers, 0, [MAX_VALUES])


def _sample(
    schema: Mapping[str, Any] | None, markers: Markers | None, depth: int, left: list[int]
) -> Any:
    left[0] -= 1
    schema = merged(schema or {})
    kind = schema_type(schema)
    if kind == "string" and markers is not None and _markable(schema):
        return _marker_string(schema, markers)
    for key in ("const", "example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("examples") and isinstance(schema["examples"], list):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    return _generate(schema, kind, markers, depth, left)


def _generate(
    schema: Mapping[str, Any], kind: str, markers: Markers | None, depth: int, left: list[int]
) -> Any:
    if kind == "object":
        if depth > 6 or left[0] <= 0:
            return {}
        return {
            name: _sample(sub, markers, depth + 1, left) for name, sub in properties(schema).items()
        }
    if kind == "array":
        if depth > 6 or left[0] <= 0:
            return []
        count = min(max(1, int(schema.get("minItems", 1))), MAX_ITEMS)
        return [_sample(schema.get("items") or {}, markers, depth + 1, left) for _ in range(count)]
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return _plain_string(schema)


def _markable(schema: Mapping[str, Any]) -> bool:
    """Free-text fields only: an enum, a format or a pattern decides the value itself."""
    if schema.get("enum") or schema.get("pattern") or "const" in schema:
        return False
    fmt = schema.get("format")
    return fmt in (None, "email", "uri", "url") and int(schema.get("maxLength", 64)) >= 14


def _marker_string(schema: Mapping[str, Any], markers: Markers) -> str:
    marker = markers.new()
    fmt = schema.get("format")
    if fmt == "email":
        return f"{marker}@example.com"
    if fmt in ("uri", "url"):
        return f"https://example.com/{marker}"
    return marker.ljust(_min_length(schema), "x")[: int(schema.get("maxLength", 10**6))]


def _plain_string(schema: Mapping[str, Any]) -> str:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    if fmt == "email":
        return "dynaguard@example.com"
    text = "dynaguard".ljust(_min_length(schema), "x")
    return text[: int(schema.get("maxLength", 10**6))]


def _min_length(schema: Mapping[str, Any]) -> int:
    return min(int(schema.get("minLength", 0)), MAX_LENGTH)


def _number(schema: Mapping[str, Any], kind: str) -> int | float:
    low = schema.get("minimum")
    high = schema.get("maximum")
    value: float = 1
    if isinstance(low, (int, float)):
        value = max(value, low + (1 if schema.get("exclusiveMinimum") is True else 0))
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        value = max(value, schema["exclusiveMinimum"] + 1)
    if isinstance(high, (int, float)):
        value = min(value, high)
    # NOTE: integral values go out as JSON integers even for "number": boto3 refuses Python
    # floats, and a valid request must not be the one that crashes a naive handler.
    return int(value) if kind == "integer" or float(value).is_integer() else float(value)
