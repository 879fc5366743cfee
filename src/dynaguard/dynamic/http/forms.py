"""A request body encoded as the operation takes it: JSON, a URL-encoded form or a multipart form.

A form has no types and no nesting: numbers and booleans go as their JSON text (``12``,
``true``), lists as repeated fields, objects as JSON text. A probe's extra or invalid value is
thus sent as a form field like any other, which is what a mass-assignment probe needs.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from dynaguard.dynamic.spec.bodies import FORM, JSON, MULTIPART


def encode(value: Any, media: str, schema: Mapping[str, Any] | None = None) -> tuple[bytes, str]:
    """(the body, its Content-Type); a value that is not an object is sent as JSON whatever the
    operation takes (a probe sending a malformed body means it)."""
    if media == JSON or not isinstance(value, Mapping):
        return to_json(value), JSON
    fields = list(_fields(value))
    if media == FORM:
        return urlencode(fields).encode("utf-8"), FORM
    return _multipart(fields, _files(schema or {}))


def to_json(value: Any) -> bytes:
    """JSON as sent; NaN and Infinity are written as such on purpose (validation probes)."""
    return json.dumps(value, allow_nan=True).encode("utf-8")


def _fields(value: Mapping[Any, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, item in value.items():
        for one in item if isinstance(item, list) else [item]:
            pairs.append((str(name), _text(one)))
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return to_json(value).decode("utf-8")


def _files(schema: Mapping[str, Any]) -> set[str]:
    """Fields sent as files: Swagger 2's ``type: file``, OpenAPI's ``format: binary``."""
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return set()
    return {
        str(name)
        for name, sub in props.items()
        if isinstance(sub, Mapping) and (sub.get("type") == "file" or sub.get("format") == "binary")
    }


def _multipart(fields: list[tuple[str, str]], files: set[str]) -> tuple[bytes, str]:
    boundary = f"dynaguard-{secrets.token_hex(12)}"
    parts = []
    for name, text in fields:
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        head = f'Content-Disposition: form-data; name="{quoted}"'
        if name in files:
            head += '; filename="dynaguard.txt"\r\nContent-Type: application/octet-stream'
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n".encode() + text.encode("utf-8") + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"{MULTIPART}; boundary={boundary}"
