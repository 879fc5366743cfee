"""The parts of an API description the scanner reads, checked before it reads them.

The first problem is one error naming its JSON pointer (``/paths/~1pets/post/parameters/0/name:
expected a string, found null``), so a hostile or broken spec never reaches the code that reads
it. ``$ref``s are followed as the reader follows them, each target checked once per use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dynaguard.dynamic.errors import SpecError
from dynaguard.dynamic.spec.refs import pointer, target

METHODS = ("get", "put", "post", "delete", "patch")
"""The operations the scanner reads (operations.py); other keys of a path item are left alone."""
LOCATIONS = ("path", "query", "header", "cookie", "body", "formData")

_STRING = (str,)
_NUMBER = (int, float)
_OBJECT = (Mapping,)
_ARRAY = (list,)
_SCHEMA = (Mapping, bool)
"""A schema is an object, or ``true``/``false`` (JSON Schema; read as "anything")."""


def check_shape(document: Mapping[str, Any], version: str, source: str) -> None:
    """Raise SpecError at the first node the reader could not use."""
    _Walk(document, version, source).run()


class _Walk:
    """A worklist of (kind, node, pointer): no recursion, so no nesting exhausts the stack."""

    def __init__(self, document: Mapping[str, Any], version: str, source: str) -> None:
        self.document = document
        self.version = version
        self.source = source
        self.todo: list[tuple[str, Any, str]] = [("document", document, "")]
        self.seen: set[tuple[str, str]] = set()

    def run(self) -> None:
        while self.todo:
            kind, node, where = self.todo.pop()
            _CHECKS[kind](self, node, where)

    def push(self, kind: str, node: Any, where: str) -> None:
        """Check ``node`` as a ``kind`` later, after following its ``$ref`` chain."""
        followed: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            self.expect(ref, _STRING, f"{where}/$ref", "a string")
            if ref in followed:
                return  # a cycle of refs: the reader resolves it to an empty schema
            followed.add(ref)
            try:
                node = target(self.document, ref)
            except LookupError as exc:
                raise self.error(f"{where}/$ref", str(exc)) from None
            where = ref[1:]
        if (kind, where) not in self.seen:
            self.seen.add((kind, where))
            self.todo.append((kind, node, where))

    def error(self, where: str, problem: str) -> SpecError:
        return SpecError(f"{self.source}: {where or '/'}: {problem}")

    def expect(self, value: Any, types: tuple[type, ...], where: str, what: str) -> None:
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise self.error(where, f"expected {what}, found {_kind(value)}")

    def field(
        self, node: Mapping[str, Any], where: str, key: str, types: tuple[type, ...], what: str
    ) -> Any:
        """``node[key]``, checked when present (None when absent)."""
        if key in node:
            self.expect(node[key], types, f"{where}/{_escape(key)}", what)
        return node.get(key)

    def each(self, kind: str, node: Any, where: str) -> None:
        """Every entry of an array, as a ``kind``."""
        self.expect(node, _ARRAY, where, "an array")
        for index, item in enumerate(node):
            self.push(kind, item, f"{where}/{index}")

    def entries(self, kind: str, node: Any, where: str) -> None:
        """Every value of an object with string keys, as a ``kind``."""
        self.expect(node, _OBJECT, where, "an object")
        for key, value in node.items():
            self.key(key, where)
            self.push(kind, value, f"{where}/{_escape(key)}")

    def key(self, key: Any, where: str) -> None:
        if not isinstance(key, str):
            raise self.error(where, f"key {key!r} is not a string")

    def strings(self, node: Mapping[str, Any], where: str, key: str) -> None:
        """``node[key]``, when present, is an array of strings."""
        for index, item in enumerate(self.field(node, where, key, _ARRAY, "an array") or ()):
            self.expect(item, _STRING, f"{where}/{_escape(key)}/{index}", "a string")


def _document(walk: _Walk, node: Any, where: str) -> None:
    info = walk.field(node, where, "info", _OBJECT, "an object")
    if info is not None:
        walk.field(info, "/info", "title", _STRING, "a string")
    if walk.version == "2.0":
        walk.field(node, where, "basePath", _STRING, "a string")
    elif "servers" in node:
        walk.each("server", node["servers"], "/servers")
    if "security" in node:
        walk.push("security", node["security"], "/security")
    paths = node["paths"]
    for key, item in paths.items():
        walk.key(key, "/paths")
        if key.startswith("x-"):
            continue  # an extension, not a path: the reader skips it too
        if not key.startswith("/"):
            raise walk.error(pointer(("paths", key)), "a path must begin with '/'")
        walk.push("path", item, pointer(("paths", key)))


def _server(walk: _Walk, node: Any, where: str) -> None:
    walk.expect(node, _OBJECT, where, "an object")
    walk.field(node, where, "url", _STRING, "a string")


def _path(walk: _Walk, node: Any, where: str) -> None:
    walk.expect(node, _OBJECT, where, "an object")
    if "parameters" in node:
        walk.each("parameter", node["parameters"], f"{where}/parameters")
    for method in METHODS:
        if method in node:
            walk.push("operation", node[method], f"{where}/{method}")


def _operation(walk: _Walk, node: Any, where: str) -> None:
    walk.expect(node, _OBJECT, where, "an object")
    for key in ("operationId", "summary", "description"):
        walk.field(node, where, key, _STRING, "a string")
    walk.strings(node, where, "tags")
    if "security" in node:
        walk.push("security", node["security"], f"{where}/security")
    if "parameters" in node:
        walk.each("parameter", node["parameters"], f"{where}/parameters")
    if "requestBody" in node and walk.version != "2.0":
        walk.push("body", node["requestBody"], f"{where}/requestBody")
    if "responses" in node:
        responses = node["responses"]
        walk.expect(responses, _OBJECT, f"{where}/responses", "an object")
        for status, response in responses.items():
            # NOTE: YAML reads ``200:`` as an integer; the reader takes str() of the status.
            if not isinstance(status, (str, int)):
                walk.key(status, f"{where}/responses")
            walk.push("response", response, f"{where}/responses/{_escape(status)}")


def _parameter(walk: _Walk, node: Any, where: str) -> None:
    walk.expect(node, _OBJECT, where, "an object")
    for key in ("name", "in"):
        if key not in node:
            raise walk.error(where, f"a parameter needs '{key}'")
        walk.expect(node[key], _STRING, f"{where}/{key}", "a string")
    if node["in"] not in LOCATIONS:
        raise walk.error(f"{where}/in", f"{node['in']!r} is not one of {', '.join(LOCATIONS)}")
    walk.field(node, where, "required", (bool,), "a boolean")
    if "schema" in node:
        walk.push("schema", node["schema"], f"{where}/schema")
    elif node["in"] != "body":
        _simple(walk, node, where)  # Swagger 2: the parameter is its own schema


def _body(walk: _Walk, node: Any, where: str) -> None:
    walk.expect(node, _OBJECT, where, "an object")
    walk.field(node, where, "required", (bool,), "a boolean")
    if "content" in node:
        walk.entries("media", node["content"], f"{where}/content")


def _media(walk: _Walk, node: Any, where: str) -> None:
    walk.expect(node, _OBJECT, where, "an object")
    if "schema" in node:
        walk.push("schema", node["schema"], f"{where}/schema")


def _response(walk: _Walk, node: Any, where: str) -> None:
    walk.expect(node, _OBJECT, where, "an object")
    if walk.version == "2.0" and "schema" in node:
        walk.push("schema", node["schema"], f"{where}/schema")
    elif walk.version != "2.0" and "content" in node:
        walk.entries("media", node["content"], f"{where}/content")


def _security(walk: _Walk, node: Any, where: str) -> None:
    walk.expect(node, _ARRAY, where, "an array")
    for index, requirement in enumerate(node):
        at = f"{where}/{index}"
        walk.expect(requirement, _OBJECT, at, "an object")
        for name in requirement:
            walk.key(name, at)
            walk.strings(requirement, at, name)


def _schema(walk: _Walk, node: Any, where: str) -> None:
    walk.expect(node, _SCHEMA, where, "a schema (an object)")
    if isinstance(node, bool):
        return
    _simple(walk, node, where)
    if "properties" in node:
        walk.entries("schema", node["properties"], f"{where}/properties")
    if "additionalProperties" in node:
        walk.push("schema", node["additionalProperties"], f"{where}/additionalProperties")
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            walk.each("schema", node[key], f"{where}/{key}")
    walk.strings(node, where, "required")


def _simple(walk: _Walk, node: Mapping[str, Any], where: str) -> None:
    """What samples and probes read of any schema, a Swagger 2 parameter's included."""
    kind = node.get("type")
    if isinstance(kind, list):
        walk.strings(node, where, "type")
    else:
        walk.field(node, where, "type", _STRING, "a string or an array of strings")
    if "items" in node:
        walk.push("schema", node["items"], f"{where}/items")
    if walk.field(node, where, "enum", _ARRAY, "an array") == []:
        raise walk.error(f"{where}/enum", "an enum needs at least one value")
    for key in ("minItems", "maxItems", "minLength", "maxLength"):
        if walk.field(node, where, key, (int,), "an integer") is not None and node[key] < 0:
            raise walk.error(f"{where}/{key}", f"expected a count, found {node[key]}")
    for key in ("minimum", "maximum"):
        walk.field(node, where, key, _NUMBER, "a number")
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        walk.field(node, where, key, (*_NUMBER, bool), "a number or a boolean")
    for key in ("format", "pattern"):
        walk.field(node, where, key, _STRING, "a string")
    for key in ("readOnly", "writeOnly", "nullable"):
        walk.field(node, where, key, (bool,), "a boolean")


_CHECKS: dict[str, Callable[[_Walk, Any, str], None]] = {
    "document": _document,
    "server": _server,
    "path": _path,
    "operation": _operation,
    "parameter": _parameter,
    "body": _body,
    "media": _media,
    "response": _response,
    "security": _security,
    "schema": _schema,
}


def _escape(key: Any) -> str:
    return pointer((key,))[1:]


def _kind(value: Any) -> str:
    """``null``, ``a boolean``, ``an integer``...: what the JSON (or YAML) holds."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    names = {int: "an integer", float: "a number", str: "a string", list: "an array"}
    name = next((n for t, n in names.items() if isinstance(value, t)), "an object")
    return f"{name} ({_short(value)})" if isinstance(value, (int, float, str)) else name


def _short(value: Any) -> str:
    if isinstance(value, int) and value.bit_length() > 64:
        return "a huge one"  # NOTE: str() refuses integers past 4,300 digits
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
