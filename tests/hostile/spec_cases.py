"""Hostile API descriptions, one generator per kind of hostility, each case named, and
``scan_case``, which scans one against a trivial API on 127.0.0.1 and judges how it ended.

``cases()`` interleaves the generators, so any prefix of it covers every kind. The specs campaign
(bench/hostile/specs.py) and the slow tests scan each case read-only and active;
tests/hostile/test_specs.py keeps one fast regression per kind.
"""

from __future__ import annotations

import copy
import gzip
import json
import random
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice, zip_longest
from pathlib import Path
from typing import Any

import yaml

from tests.hostile.scan_runs import IDENTITIES, Bounds, scan_judged
from tests.hostile.served import HostileServer

DEMO_SPEC = Path(__file__).resolve().parents[2] / "src" / "dynaguard" / "demo" / "openapi.json"


@dataclass(frozen=True)
class SpecCase:
    """One hostile API description and how the scan gets it."""

    kind: str
    """The generator: ``types``, ``missing``, ``keys``, ``nesting``, ``aliases``, ``refs``,
    ``huge``, ``encoding``, ``version``, ``served``."""
    name: str
    body: bytes
    served: str = ""
    """Empty: ``--spec FILE``. Else the target serves it with this behaviour of
    tests/hostile/served.py at ``/specs/case`` (``--spec URL``), or at ``/openapi.json`` when it
    starts with ``discover:``, or from another origin when it starts with ``other:``."""
    refused: str = ""
    """When set, the only right end is exit 2 with a message holding this text."""

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"


def base_openapi() -> dict[str, Any]:
    """The demo twins' OpenAPI 3.0 description: resources, refs, bodies, security, enums."""
    document: dict[str, Any] = json.loads(DEMO_SPEC.read_text())
    return document


def base_swagger() -> dict[str, Any]:
    """A Swagger 2.0 description with a body, form data, refs and a recursive definition."""
    pet = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "maxLength": 40},
            "age": {"type": "integer", "minimum": 0},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "owner": {"$ref": "#/definitions/Person"},
        },
    }
    person = {"type": "object", "properties": {"pets": {"$ref": "#/definitions/Pets"}}}
    pet_id = {"in": "path", "name": "pet_id", "type": "string", "required": True}
    return {
        "swagger": "2.0",
        "info": {"title": "pets", "version": "1"},
        "basePath": "/v1",
        "security": [{"key": []}],
        "definitions": {
            "Pet": pet,
            "Person": person,
            "Pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
        },
        "parameters": {"PetId": pet_id},
        "paths": {
            "/pets": {
                "get": {"responses": {"200": {"schema": {"$ref": "#/definitions/Pets"}}}},
                "post": {
                    "parameters": [
                        {"in": "body", "name": "pet", "schema": {"$ref": "#/definitions/Pet"}}
                    ],
                    "responses": {"201": {"schema": {"$ref": "#/definitions/Pet"}}},
                },
            },
            "/pets/{pet_id}": {
                "parameters": [{"$ref": "#/parameters/PetId"}],
                "get": {"responses": {"200": {"schema": {"$ref": "#/definitions/Pet"}}}},
                "delete": {"tags": ["admin"], "responses": {"204": {"description": "gone"}}},
                "patch": {
                    "parameters": [
                        {"in": "formData", "name": "name", "type": "string", "required": True},
                        {"in": "query", "name": "limit", "type": "integer", "maximum": 9},
                    ],
                    "responses": {"200": {"schema": {"$ref": "#/definitions/Pet"}}},
                },
            },
        },
    }


def _json(document: Any) -> bytes:
    return json.dumps(document).encode()


def _yaml(document: Any) -> bytes:
    return yaml.safe_dump(document, sort_keys=False).encode()


def places(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a document, parents before children."""
    yield path
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        yield from places(child, (*path, key))


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``document`` with ``value`` at ``path``."""
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


def _deleted(document: Any, path: tuple[Any, ...]) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return changed


def _name(path: tuple[Any, ...]) -> str:
    return "/" + "/".join(str(p) for p in path)


HOSTILE_VALUES: tuple[Any, ...] = (
    None, 0, -1, 10**40, 1.5, True, "", "x", [], {}, [None], {"$ref": 5}, {"$ref": "#/nowhere"},
)  # fmt: skip
"""What replaces a value in the type-confusion cases, in turn."""


def type_confusions() -> Iterator[SpecCase]:
    """Each place of both base documents holding the wrong type of value, the values in turn."""
    bases = (("openapi", base_openapi()), ("swagger", base_swagger()))
    for turn, (label, document) in enumerate(bases):
        found = [p for p in places(document) if p]
        for index, path in enumerate(found):
            value = HOSTILE_VALUES[(index + turn) % len(HOSTILE_VALUES)]
            yield SpecCase(
                "types", f"{label}{_name(path)}={value!r}", _json(replaced(document, path, value))
            )


def missing_fields() -> Iterator[SpecCase]:
    """Each key of both base documents removed in turn."""
    for label, document in (("swagger", base_swagger()), ("openapi", base_openapi())):
        for path in places(document):
            if path and isinstance(path[-1], str):
                yield SpecCase("missing", f"{label}{_name(path)}", _json(_deleted(document, path)))


def yaml_keys() -> Iterator[SpecCase]:
    """YAML mappings keyed by integers, null, booleans and floats where names are expected."""
    places: list[tuple[str, tuple[Any, ...]]] = [
        ("paths", ("paths",)),
        ("properties", ("definitions", "Pet", "properties")),
        ("responses", ("paths", "/pets", "get", "responses")),
        ("definitions", ("definitions",)),
        ("security", ("security", 0)),
        ("path-item", ("paths", "/pets")),
        ("info", ("info",)),
    ]
    keys: tuple[Any, ...] = (12, None, True, 1.5)
    for (label, path), key in ((p, k) for p in places for k in keys):
        document = base_swagger()
        node = document
        for part in path:
            node = node[part]
        node[key] = node[next(iter(node))] if node else {}
        yield SpecCase("keys", f"{label}[{key!r}]", _yaml(document))
    document = base_swagger()
    document["paths"] = {12: document["paths"]["/pets"], None: {}}
    yield SpecCase("keys", "paths only integer and null", _yaml(document), refused="not a string")


def _deep(depth: int, leaf: Any, wrap: Callable[[Any], Any]) -> Any:
    node = leaf
    for _ in range(depth):
        node = wrap(node)
    return node


def deep_nesting() -> Iterator[SpecCase]:
    """Documents nested 100 to 100,000 deep, in schemas, extensions and lists, JSON and YAML."""
    shapes: dict[str, Callable[[Any], Any]] = {
        "properties": lambda n: {"type": "object", "properties": {"a": n}},
        "items": lambda n: {"type": "array", "items": n},
        "allOf": lambda n: {"allOf": [n]},
        "list": lambda n: [n],
        "object": lambda n: {"a": n},
    }
    for depth in (100, 129, 400, 999, 5_000, 100_000):
        for shape, wrap in shapes.items():
            document = base_swagger()
            if shape in ("list", "object"):
                document["paths"]["/pets"]["get"]["x-deep"] = _deep(depth, 1, wrap)
            else:
                document["definitions"]["Pet"]["properties"]["deep"] = _deep(depth, {}, wrap)
            body = (
                '{"swagger":"2.0","paths":{},"x":' + "[" * depth + "]" * depth + "}"
                if depth > 900
                else json.dumps(document)
            ).encode()
            refused = "" if depth <= 100 else "nest"
            yield SpecCase("nesting", f"{shape} {depth} deep", body, refused=refused)
    for depth in (500, 1_200, 50_000):
        flow = "swagger: '2.0'\npaths: {}\nx: " + "[" * depth + "]" * depth + "\n"
        yield SpecCase("nesting", f"yaml flow {depth} deep", flow.encode(), refused="nest")
    for depth in (500, 1_200):  # a block's size grows with the square of its depth
        block = "swagger: '2.0'\npaths: {}\nx:\n" + "".join(
            "  " * i + "- \n" for i in range(1, depth)
        )
        yield SpecCase("nesting", f"yaml block {depth} deep", block.encode(), refused="nest")


def alias_bombs() -> Iterator[SpecCase]:
    """YAML aliases: a billion laughs in each place, a recursive alias, merge keys."""
    laughs = "\n".join(
        f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" if i else '  l0: &l0 ["lol"]'
        for i in range(10)
    )
    head = f"swagger: '2.0'\nx-bomb:\n{laughs}\n"
    for place in ("x-ext", "schema", "enum", "paths"):
        body = {
            "x-ext": head + "paths:\n  /a:\n    get:\n      x-b: *l9\n",
            "schema": head
            + "paths:\n  /a:\n    post:\n      parameters:\n      - {in: body, name: b, schema: {type: object, properties: {a: {example: *l9}}}}\n",
            "enum": head
            + "paths:\n  /a:\n    get:\n      parameters:\n      - {in: query, name: q, type: string, enum: *l9}\n",
            "paths": head + "paths: *l9\n",
        }[place]
        yield SpecCase("aliases", f"billion laughs in {place}", body.encode(), refused="alias")
    yield SpecCase(
        "aliases",
        "recursive alias",
        b"swagger: '2.0'\npaths:\n  /a: &a\n    get: {x-self: *a}\n",
        refused="",
    )
    yield SpecCase("aliases", "recursive list", b"swagger: '2.0'\npaths: {}\nx: &a [*a, *a]\n")
    merges = "\n".join(
        f"  m{i}: &m{i}\n" + "".join(f"    k{j}: *m{i - 1}\n" for j in range(10))
        if i
        else "  m0: &m0 {a: 1}"
        for i in range(9)
    )
    yield SpecCase(
        "aliases",
        "merge keys",
        f"swagger: '2.0'\nx:\n{merges}\npaths:\n  /a:\n    get:\n      <<: *m8\n".encode(),
    )
    shared = "swagger: '2.0'\nx: &s {type: string}\npaths:\n" + "".join(
        f"  /p{i}:\n    get:\n      parameters: [{{in: query, name: q, schema: *s}}]\n"
        for i in range(200)
    )
    yield SpecCase("aliases", "modest sharing", shared.encode())


def _fan_out(width: int, levels: int, cyclic: bool = False) -> dict[str, Any]:
    """Schema ``L0`` names ``L1`` ``width`` times, which names ``L2``... (a tiny spec)."""
    schemas: dict[str, Any] = {}
    for level in range(levels):
        ref = {"$ref": f"#/components/schemas/L{level + 1}"}
        schemas[f"L{level}"] = {
            "type": "object",
            "properties": {f"p{i}": ref for i in range(width)},
        }
    schemas[f"L{levels}"] = (
        {"type": "object", "properties": {"back": {"$ref": "#/components/schemas/L0"}}}
        if cyclic
        else {"type": "string"}
    )
    body = {"$ref": "#/components/schemas/L0"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "fan", "version": "1"},
        "components": {"schemas": schemas},
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": body}}},
                    "responses": {"201": {"content": {"application/json": {"schema": body}}}},
                }
            },
            "/things/{id}": {
                "parameters": [{"in": "path", "name": "id", "required": True}],
                "get": {"responses": {"200": {"content": {"application/json": {"schema": body}}}}},
            },
        },
    }


def ref_cases() -> Iterator[SpecCase]:
    """$ref fan-out and cycles, chains, refs to nowhere, to scalars, external and malformed."""
    yield SpecCase("refs", "fan-out 50^4", _json(_fan_out(50, 4)), refused="$refs are resolved")
    yield SpecCase("refs", "fan-out 10^6, cut 16 deep", _json(_fan_out(10, 6)))
    yield SpecCase(
        "refs", "fan-out 50^4 cyclic", _json(_fan_out(50, 4, True)), refused="$refs are resolved"
    )
    yield SpecCase("refs", "fan-out 3^8", _json(_fan_out(3, 8)))
    many = _fan_out(20, 3)
    for i in range(300):
        many["paths"][f"/x{i}"] = many["paths"]["/things"]
    yield SpecCase("refs", "fan-out 20^3 on 300 paths", _json(many))
    cycles: dict[str, Any] = {
        "self": {"$ref": "#/components/schemas/A"},
        "root": {"$ref": "#"},
        "paths": {"$ref": "#/paths"},
        "mutual": {"$ref": "#/components/schemas/B"},
        "to-a-string": {"$ref": "#/info/title"},
        "to-an-array": {"$ref": "#/tags"},
        "nowhere": {"$ref": "#/components/schemas/Nope"},
        "external": {"$ref": "https://example.com/s.json#/A"},
        "file": {"$ref": "../../etc/passwd"},
        "non-string": {"$ref": ["#/components/schemas/A"]},
        "huge index": {"$ref": "#/tags/" + "9" * 5000},
        "superscript index": {"$ref": "#/tags/²"},
        "bad escape": {"$ref": "#/components/schemas/~2A"},
        "empty": {"$ref": ""},
        "hash": {"$ref": "#"},
    }
    for name, schema in cycles.items():
        document = _fan_out(1, 1)
        document["tags"] = [{"name": "t"}]
        document["components"]["schemas"]["A"] = {"$ref": "#/components/schemas/A"}
        document["components"]["schemas"]["B"] = {"allOf": [{"$ref": "#/components/schemas/C"}]}
        document["components"]["schemas"]["C"] = {"items": {"$ref": "#/components/schemas/B"}}
        document["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ] = schema
        yield SpecCase("refs", f"schema ref {name}", _json(document))
    chain_doc = _fan_out(1, 1)
    schemas = chain_doc["components"]["schemas"]
    for i in range(10_000):
        schemas[f"C{i}"] = {"$ref": f"#/components/schemas/C{i + 1}"}
    schemas["C10000"] = {"type": "string"}
    chain_doc["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ] = {"$ref": "#/components/schemas/C0"}
    yield SpecCase("refs", "chain of 10,000 refs", _json(chain_doc))
    loop = base_swagger()
    loop["paths"]["/loop"] = {"$ref": "#/paths/~1loop"}
    loop["paths"]["/pets"]["get"]["parameters"] = [{"$ref": "#/paths/~1pets/get/parameters/0"}]
    yield SpecCase("refs", "path item and parameter refs to themselves", _json(loop))


def huge_specs() -> Iterator[SpecCase]:
    """Many paths, parameters, properties and enum values; long strings; over the size cap."""

    def paths(count: int) -> dict[str, Any]:
        item = {
            "get": {"responses": {"200": {"description": "ok"}}},
            "delete": {"responses": {"204": {"description": "ok"}}},
        }
        found: dict[str, Any] = {}
        for i in range(count):
            found[f"/r{i}"] = {
                "post": {"requestBody": {"content": {"application/json": {"schema": {}}}}}
            }
            found[f"/r{i}/{{id}}"] = item
        return found

    document = {"openapi": "3.0.0", "info": {"title": "big"}, "paths": paths(30_000)}
    yield SpecCase("huge", "60,000 paths", _json(document))
    padded = dict(document, **{"x-pad": "x" * (17 * 2**20)})
    yield SpecCase("huge", "17 MiB", _json(padded), refused="MiB")
    big = base_swagger()
    big["info"]["description"] = "d" * (8 * 2**20)
    yield SpecCase("huge", "8 MiB description", _json(big))
    params = base_swagger()
    params["paths"]["/pets"]["get"]["parameters"] = [
        {"in": "query", "name": f"q{i}", "type": "integer", "required": True} for i in range(10_000)
    ]
    yield SpecCase("huge", "10,000 required query parameters", _json(params))
    props = base_swagger()
    props["definitions"]["Pet"]["properties"] = {f"p{i}": {"type": "string"} for i in range(50_000)}
    yield SpecCase("huge", "50,000 properties", _json(props))
    enum = base_swagger()
    enum["definitions"]["Pet"]["properties"]["name"]["enum"] = list(range(500_000))
    yield SpecCase("huge", "500,000 enum values", _json(enum))
    counts = base_swagger()
    counts["definitions"]["Pet"]["properties"]["tags"]["minItems"] = 10**12
    counts["definitions"]["Pet"]["properties"]["name"] = {"type": "string", "minLength": 10**12}
    counts["definitions"]["Pet"]["properties"]["age"] = {"type": "string", "maxLength": 2**31}
    yield SpecCase("huge", "minItems, minLength and maxLength of 10^12", _json(counts))
    nested = base_swagger()
    nested["definitions"]["Pet"]["properties"]["grid"] = _deep(
        12, {"type": "string"}, lambda n: {"type": "array", "items": n, "minItems": 1000}
    )
    yield SpecCase("huge", "arrays of 1000 nested 12 deep", _json(nested))
    redos = base_swagger()
    redos["definitions"]["Pet"]["properties"]["name"]["pattern"] = r"(\w|\w|\w|\w|\w|\w)*\d$"
    yield SpecCase("huge", "a pattern that backtracks for hours", _json(redos))
    long_path = base_swagger()
    long_path["paths"]["/" + "a" * 2**20] = long_path["paths"]["/pets"]
    long_path["paths"]["/" + "{p}" * 5000] = long_path["paths"]["/pets"]
    yield SpecCase("huge", "a 1 MiB path and 5,000 parameters in one", _json(long_path))


def encodings() -> Iterator[SpecCase]:
    """Not UTF-8, byte order marks, NUL bytes, lone surrogates, compressed, empty, garbage."""
    text = json.dumps(base_swagger())
    rng = random.Random(18)
    bodies: dict[str, tuple[bytes, str]] = {
        "latin-1": (text.replace("pets", "pétś").encode("latin-1", "replace"), "UTF-8"),
        "utf-16": (text.encode("utf-16"), "UTF-8"),
        "utf-32": (text.encode("utf-32"), "UTF-8"),
        "utf-8 bom": (b"\xef\xbb\xbf" + text.encode(), ""),
        "invalid utf-8": (text.encode()[:50] + b"\xff\xfe\xc3" + text.encode()[50:], "UTF-8"),
        "nul bytes": (text.encode().replace(b'"pets"', b'"pe\x00ts"'), ""),
        "lone surrogates": (text.replace('"/pets"', '"/p\\ud800ets"').encode(), ""),
        "escaped nul in a path": (text.replace('"/pets"', '"/p\\u0000ets"').encode(), ""),
        "gzip": (gzip.compress(text.encode()), "UTF-8"),
        "empty": (b"", "not an OpenAPI"),
        "whitespace": (b" \n\t\n", "neither JSON nor YAML"),
        "garbage": (bytes(rng.randrange(256) for _ in range(4096)), ""),
        "ascii garbage": ("".join(rng.choice("{}[]:,\"'-&*!| \n") for _ in range(4096)).encode(), ""),
        "nan and infinity": (text.replace('"minimum": 0', '"minimum": NaN, "maximum": Infinity').encode(), ""),
        "duplicate keys": (text.replace('"swagger": "2.0"', '"swagger": "2.0", "paths": 5'), ""),
        "yaml tags": (b"swagger: '2.0'\npaths:\n  /a:\n    get:\n      x-when: 2024-01-01\n      x-bin: !!binary aGk=\n      x-set: !!set {a, b}\n", "YAML"),
        "yaml python tag": (b"swagger: '2.0'\npaths: !!python/object/apply:os.system ['true']\n", "YAML"),
        "json lines": ((text + "\n" + text).encode(), ""),
    }  # fmt: skip
    for name, (body, refused) in bodies.items():
        raw = body if isinstance(body, bytes) else body.encode()
        yield SpecCase("encoding", name, raw, refused=refused)


def versions() -> Iterator[SpecCase]:
    """Wrong, missing, mistyped and mixed OpenAPI / Swagger versions."""
    swagger = base_swagger()
    openapi = base_openapi()
    del swagger["swagger"]
    del openapi["openapi"]
    marks: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
        "openapi 3.2.0": (openapi, {"openapi": "3.2.0"}, "version"),
        "openapi 4": (openapi, {"openapi": "4.0.0"}, "version"),
        "openapi number 3.0": (openapi, {"openapi": 3.0}, "version"),
        "openapi null": (openapi, {"openapi": None}, "version"),
        "openapi list": (openapi, {"openapi": ["3.0.0"]}, "version"),
        "openapi 2.0": (openapi, {"openapi": "2.0"}, "version"),
        "swagger 1.2": (swagger, {"swagger": "1.2"}, "version"),
        "swagger number 2": (swagger, {"swagger": 2.0}, "version"),
        "swagger 3.0.0": (swagger, {"swagger": "3.0.0"}, "version"),
        "no version": (swagger, {}, "version"),
        "both, 3.0 body": (openapi, {"openapi": "3.0.0", "swagger": "2.0"}, ""),
        "both, 2.0 body": (swagger, {"openapi": "3.0.0", "swagger": "2.0"}, ""),
        "3.1 with a 2.0 body": (swagger, {"openapi": "3.1.0"}, ""),
        "2.0 with a 3.0 body": (openapi, {"swagger": "2.0"}, ""),
        "3.0.0-rc0": (openapi, {"openapi": "3.0.0-rc0"}, ""),
        "3.1 webhooks only": ({"webhooks": {}}, {"openapi": "3.1.0"}, "paths"),
        "asyncapi": ({"channels": {}}, {"asyncapi": "2.6.0"}, "version"),
    }
    for name, (document, version, refused) in marks.items():
        yield SpecCase("version", name, _json({**version, **document}), refused=refused)


def served_specs() -> Iterator[SpecCase]:
    """A description served by URL: huge, slow, compressed, redirected, missing, on another
    origin or at the default path (behaviours of tests/hostile/served.py)."""
    good = _json(base_swagger())
    for where in ("", "discover:", "other:"):
        for how, refused in (
            ("spec", ""),
            ("huge", "MiB"),
            ("huge-chunked", "MiB"),
            ("trickle-body", ""),
            ("trickle-head", ""),
            ("silent", ""),
            ("gzip-bomb", ""),
            ("redirect-bad-port", ""),
            ("redirect-loop", ""),
            ("status-500", ""),
            ("garbage", ""),
            ("lie-length", ""),
            ("json-bomb", ""),
        ):
            yield SpecCase(
                "served", f"{where or 'url:'}{how}", good, served=f"{where}{how}", refused=refused
            )


GENERATORS: tuple[Callable[[], Iterator[SpecCase]], ...] = (
    served_specs,
    ref_cases,
    alias_bombs,
    deep_nesting,
    huge_specs,
    encodings,
    versions,
    yaml_keys,
    type_confusions,
    missing_fields,
)


def cases() -> Iterator[SpecCase]:
    """Every case, the generators interleaved: any prefix covers every kind."""
    for group in zip_longest(*(generator() for generator in GENERATORS)):
        yield from (case for case in group if case is not None)


def first(count: int) -> list[SpecCase]:
    return list(islice(cases(), count))


BOUNDS = Bounds(max_time=10.0, timeout=2.0, seconds=45.0)
"""Time enough for --max-time, cleanup and reading the spec."""


def scan_case(case: SpecCase, active: bool) -> str:
    """Scan with ``case``'s spec (a file, a URL on the target or elsewhere, or the target's own
    /openapi.json): "" when the scan ended cleanly, else what went wrong, labelled."""
    where, _, how = case.served.rpartition(":")
    target_routes = {"/openapi.json": how} if where == "discover" else {"/specs/": how}
    with (
        HostileServer(target_routes if how else {}, spec=case.body) as target,
        HostileServer({"/specs/": how or "spec"}, spec=case.body) as other,
        tempfile.TemporaryDirectory(prefix="dg-spec-") as folder,
    ):
        if not how:
            path = Path(folder) / "spec"
            path.write_bytes(case.body)
            spec = ["--spec", str(path)]
        elif where == "discover":
            spec = []
        else:
            spec = ["--spec", (other if where == "other" else target).url + "/specs/case"]
        args = [target.url, *spec, *IDENTITIES]
        return scan_judged(case.label, args, active, BOUNDS, refused=case.refused)
