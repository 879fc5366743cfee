"""Hostile API descriptions (issue 18): each is read, or refused with one message naming where
(exit 2 from the CLI); never a traceback, a hang or gigabytes of memory.

One regression per kind of spec_cases.py and a property over random type confusion run in the
normal suite; every case scanned in a child process, read-only and active, is the slow part
(``pytest -m hostile_slow``, as bench/hostile/specs.py does).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynaguard.cli import main
from dynaguard.dynamic.api import build_model
from dynaguard.dynamic.errors import SpecError
from dynaguard.dynamic.markers import Markers
from dynaguard.dynamic.plan import plan
from dynaguard.dynamic.probes._mutations import mutations
from dynaguard.dynamic.settings import ScanOptions
from dynaguard.dynamic.spec.load import MAX_SPEC_BYTES, load_spec, parse_spec
from dynaguard.dynamic.spec.operations import MAX_OPERATIONS, build_spec
from dynaguard.dynamic.spec.samples import sample
from tests.hostile.served import HostileServer
from tests.hostile.spec_cases import (
    SpecCase,
    alias_bombs,
    base_openapi,
    base_swagger,
    first,
    places,
    ref_cases,
    replaced,
    scan_case,
)


def _read(body: bytes) -> int:
    """Everything the scanner does with a spec before sending a request; its operations."""
    api = build_model(build_spec(parse_spec(body, "spec")))
    for op in api.operations:
        sample(op.body, Markers())
        for param in op.params:
            sample(param.schema)
    plan(api, ScanOptions(target="http://127.0.0.1:9", active=True))
    return len(api.operations)


def _refusal(body: bytes) -> str:
    with pytest.raises(SpecError) as refused:
        _read(body)
    return str(refused.value)


def _named(cases: Iterator[SpecCase], name: str) -> SpecCase:
    return next(case for case in cases if case.name == name)


def _json(document: Any) -> bytes:
    return json.dumps(document).encode()


def _swagger_with(path: tuple[Any, ...], value: Any) -> bytes:
    return _json(replaced(base_swagger(), path, value))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            yaml.safe_dump({"swagger": "2.0", "paths": {12: {}}}).encode(),
            "spec: /paths: key 12 is not a string",
        ),
        (
            yaml.safe_dump({"swagger": "2.0", "paths": {None: {}}}).encode(),
            "spec: /paths: key None is not a string",
        ),
        (
            _swagger_with(("paths", "/pets", "post", "parameters", 0, "schema"), "Pet"),
            "spec: /paths/~1pets/post/parameters/0/schema: expected a schema (an object), "
            "found a string ('Pet')",
        ),
        (
            _swagger_with(
                ("paths", "/pets/{pet_id}", "patch", "parameters", 0), {"in": "formData"}
            ),
            "spec: /paths/~1pets~1{pet_id}/patch/parameters/0: a parameter needs 'name'",
        ),
        (
            _swagger_with(("definitions", "Pet", "required"), True),
            "spec: /definitions/Pet/required: expected an array, found a boolean (true)",
        ),
        (
            _swagger_with(("definitions", "Pet", "properties", "age", "minimum"), None),
            "spec: /definitions/Pet/properties/age/minimum: expected a number, found null",
        ),
    ],
    ids=["integer path key", "null path key", "string body schema", "nameless formData",
         "boolean required", "null minimum"],
)  # fmt: skip
def test_type_confusion_is_one_error_naming_its_json_pointer(body: bytes, message: str) -> None:
    assert _refusal(body) == message


def test_documents_nested_thousands_deep_are_refused_before_anything_recurses() -> None:
    for depth in (5_000, 100_000):
        body = b'{"swagger": "2.0", "paths": {}, "x": ' + b"[" * depth + b"]" * depth + b"}"
        assert _refusal(body) == "spec: nested too deeply to read; dynaguard refuses such a spec"
    message = _refusal(b'{"swagger": "2.0", "paths": {}, "x": ' + b"[" * 200 + b"]" * 200 + b"}")
    assert message.startswith("spec: /x/0/0/0/0/0/.../0/0/0 (128 levels): nested deeper than 128")


def test_yaml_alias_bombs_are_refused_unexpanded() -> None:
    for case in alias_bombs():
        if case.name.startswith("billion laughs"):
            assert "YAML aliases expand the document from" in _refusal(case.body), case.name
    recursive = _named(alias_bombs(), "recursive alias").body
    assert _refusal(recursive) == "spec: /paths/~1a/get/x-self: a YAML alias that contains itself"
    assert _read(_named(alias_bombs(), "modest sharing").body) == 200


def test_ref_fan_out_is_refused_and_ref_cycles_are_read() -> None:
    message = _refusal(_named(ref_cases(), "fan-out 50^4").body)
    assert message.startswith(
        "spec: /paths/~1things/post: once $refs are resolved, one of its schemas holds more than "
        "100,000 values"
    )
    for name in ("schema ref self", "schema ref mutual", "schema ref root", "chain of 10,000 refs"):
        assert _read(_named(ref_cases(), name).body) == 2
    assert _read(_named(ref_cases(), "path item and parameter refs to themselves").body) == 5


def test_size_and_operations_are_capped(tmp_path: Path) -> None:
    assert _refusal(b" " * (MAX_SPEC_BYTES + 1)) == (
        "spec: larger than 16 MiB, the most dynaguard reads"
    )
    sparse = tmp_path / "sparse.json"
    with sparse.open("wb") as handle:
        handle.truncate(2**30)  # 1 GiB on disk, none of it read past the cap
    with pytest.raises(SpecError, match="larger than 16 MiB"):
        load_spec(str(sparse), "http://127.0.0.1:9", lambda url: (404, b""))
    count = MAX_OPERATIONS // 2 + 1
    item = {"get": {}, "delete": {}}
    many = {"openapi": "3.0.0", "paths": {f"/r{i}": item for i in range(count)}}
    assert _refusal(_json(many)) == (
        "spec: more than 5,000 operations, the most dynaguard scans; split the description"
    )


def test_huge_counts_and_lengths_make_small_samples() -> None:
    tags = {"type": "array", "items": {"type": "string", "minLength": 10**12}, "minItems": 10**12}
    grid: dict[str, Any] = {"type": "string", "maxLength": 2**31}
    for _ in range(12):
        grid = {"type": "array", "items": grid, "minItems": 1000}
    body = _swagger_with(("definitions", "Pet", "properties"), {"tags": tags, "grid": grid})
    api = build_model(build_spec(parse_spec(body, "spec")))
    pets = next(op for op in api.operations if op.key == "POST /pets")
    assert len(json.dumps(sample(pets.body, Markers()))) < 1_000_000
    assert _read(body) == 5


def test_a_pattern_that_backtracks_for_hours_is_not_searched() -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string", "pattern": r"(\w|\w|\w|\w|\w|\w)*\d$"}},
    }
    started = time.monotonic()
    labels = [m.label for m in mutations(schema, {"name": "1"}, Markers(), None)]
    assert time.monotonic() - started < 60  # searching it would take about 20 minutes
    assert not any("does not match" in label for label in labels)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{}".encode("utf-16"), "spec: not UTF-8 text (byte 0)"),
        (b'{"swagger": "2.0", "paths": {"/p\\ud800": {}}}', "spec: /paths: key '/p\\ud800' holds a lone surrogate"),
        (b"swagger: '2.0'\npaths: {}\nx: 2024-01-01\n", "spec: /x: a YAML date is not a JSON value; quote it as a string"),
        (b'{"openapi": "3.2.0", "paths": {}}', "spec: unsupported version '3.2.0'; expected OpenAPI 3.0/3.1 or Swagger 2.0"),
        (b'{"asyncapi": "2.6.0", "channels": {}}', "spec: no 'openapi' or 'swagger' version: not an API description"),
    ],
    ids=["utf-16", "lone surrogate", "yaml date", "openapi 3.2", "asyncapi"],
)  # fmt: skip
def test_encodings_and_versions_are_named(body: bytes, message: str) -> None:
    assert _refusal(body) == message


def test_a_byte_order_mark_is_read() -> None:
    assert _read(b"\xef\xbb\xbf" + _json(base_swagger())) == 5


def _scan(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["scan", *args, "--format", "json", "--progress", "none"])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_a_spec_url_serving_a_gigabyte_is_read_no_further_than_the_cap() -> None:
    with HostileServer({"/specs/": "huge"}) as target:
        started = time.monotonic()
        code, out, err = _scan(target.url, "--spec", target.url + "/specs/x")
    assert (code, out) == (2, "")
    assert (
        err
        == f"dynaguard: error: {target.url}/specs/x: larger than 16 MiB, the most dynaguard reads\n"
    )
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("how", ["redirect-bad-port", "redirect-broken-ipv6", "trickle-body"])
def test_a_spec_elsewhere_that_redirects_badly_or_trickles_is_one_error(how: str) -> None:
    with HostileServer() as target, HostileServer({"/specs/": how}) as elsewhere:
        code, out, err = _scan(target.url, "--spec", elsewhere.url + "/specs/x", "--timeout", "1")
    assert (code, out) == (2, "")
    assert err.startswith(f"dynaguard: error: --spec {elsewhere.url}/specs/x: ")
    assert err.count("\n") == 1


@cache
def _bases() -> tuple[dict[str, Any], ...]:
    return base_openapi(), base_swagger()


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["\ud800", "#/definitions/Pet", "/x", 10**40]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(["$ref", "type", "properties", "items", "name", "in", "schema", "enum"])
        | st.integers(0, 3) | st.none(),
        inner,
        max_size=3,
    ),
    max_leaves=6,
)  # fmt: skip


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(base=st.integers(0, 1), where=st.integers(0, 10**6), value=_VALUES)
def test_any_value_anywhere_is_read_or_refused_with_a_pointer(
    base: int, where: int, value: Any
) -> None:
    found = [p for p in places(_bases()[base]) if p]
    document = replaced(_bases()[base], found[where % len(found)], value)
    try:
        _read(yaml.safe_dump(document).encode())
    except SpecError as refused:
        assert str(refused).startswith("spec: ")


@cache
def _all_cases() -> list[SpecCase]:
    return first(200)


@pytest.mark.hostile_slow
@pytest.mark.parametrize("index", range(200))
def test_every_spec_case_scans_cleanly_read_only_and_active(index: int) -> None:
    case = _all_cases()[index]
    assert [scan_case(case, active) for active in (False, True)] == ["", ""]
