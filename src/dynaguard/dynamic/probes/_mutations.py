"""Invalid variants of a valid body, one fault each: wrong types, out-of-range values, missing
required fields, oversized strings, deep nesting and the values DynamoDB itself refuses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.dynamic.markers import Markers
from dynaguard.dynamic.spec.operations import Param
from dynaguard.dynamic.spec.samples import properties, required, schema_type

OVERSIZED = 420_000
"""Characters of an oversized string: above DynamoDB's 400 KB item limit."""
DEEP = 40
"""Nesting depth of a deep document: above DynamoDB's 32 levels."""
HUGE_NUMBER = 10**39
"""40 digits: DynamoDB numbers have at most 38 significant digits."""


@dataclass(frozen=True, slots=True)
class Mutation:
    """One invalid body and how to recognise it stored."""

    label: str
    """What is wrong, e.g. ``quantity: string instead of integer``."""
    body: dict[str, Any]
    field: str
    """The property concerned."""
    sent: Any
    """The invalid value sent (``MISSING`` when the field was dropped)."""


MISSING: Any = object()


def mutations(
    schema: Mapping[str, Any], valid: Mapping[str, Any], markers: Markers, key: str | None
) -> Iterator[Mutation]:
    """Each variant once; ``key`` is the client-chosen key property, if any."""
    props = properties(schema)
    for name, sub in props.items():
        yield from _typed(name, sub, valid, markers)
    for name in required(schema):
        if name in valid and name != key:
            body = {k: v for k, v in valid.items() if k != name}
            yield Mutation(f"required '{name}' missing", body, name, MISSING)
    strings = [n for n, s in props.items() if schema_type(s) == "string" and n != key]
    if strings:
        yield _with(valid, strings[0], "x" * OVERSIZED, f"'{strings[0]}': {OVERSIZED} characters")
    if props:
        first = next(iter(props))
        deep: Any = markers.new()
        for _ in range(DEEP):
            deep = {"a": deep}
        yield _with(valid, first, deep, f"'{first}': nested {DEEP} levels deep")
    if key is not None:
        yield _with(valid, key, "", f"key '{key}': empty string")


def _typed(
    name: str, schema: Mapping[str, Any], valid: Mapping[str, Any], markers: Markers
) -> Iterator[Mutation]:
    kind = schema_type(schema)
    wrong: Any = markers.number() if kind == "string" else markers.new()
    yield _with(valid, name, wrong, f"'{name}': {type(wrong).__name__} instead of {kind}")
    if kind in ("integer", "number"):
        for bound, step, word in (("minimum", -1, "below"), ("maximum", 1, "above")):
            if isinstance(schema.get(bound), (int, float)):
                yield _with(
                    valid,
                    name,
                    schema[bound] + step,
                    f"'{name}': {word} the {bound} {schema[bound]}",
                )
        if isinstance(schema.get("minimum"), (int, float)) and schema["minimum"] >= 0:
            yield _with(valid, name, -7, f"'{name}': negative")
        yield _with(valid, name, HUGE_NUMBER, f"'{name}': a number of 40 digits")
        yield _with(valid, name, float("nan"), f"'{name}': NaN")
        yield _with(valid, name, float("inf"), f"'{name}': Infinity")
    if kind == "string" and isinstance(schema.get("pattern"), str):
        broken = f"!{markers.new()}!"
        if not _matches(schema["pattern"], broken):
            yield _with(valid, name, broken, f"'{name}': does not match {schema['pattern']}")
    # A maxLength past OVERSIZED (2**31 is common) is the oversized string's case: one past it
    # would be gigabytes.
    limit = schema.get("maxLength")
    if kind == "string" and isinstance(limit, int) and limit < OVERSIZED:
        yield _with(
            valid,
            name,
            "x" * (limit + 1),
            f"'{name}': longer than maxLength {limit}",
        )
    if schema.get("enum"):
        yield _with(valid, name, markers.new(), f"'{name}': not one of {schema['enum']}")


def query_mutations(
    params: Iterable[Param], markers: Markers
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, query) for typed query parameters: a word where a number is expected, out of range."""
    for param in params:
        kind = schema_type(param.schema)
        if kind not in ("integer", "number", "boolean"):
            continue
        yield f"query '{param.name}': a word instead of {kind}", {param.name: markers.new()}
        for bound, step, word in (("minimum", -1, "below"), ("maximum", 1, "above")):
            if isinstance(param.schema.get(bound), (int, float)):
                yield (
                    f"query '{param.name}': {word} the {bound}",
                    {param.name: param.schema[bound] + step},
                )


def _matches(pattern: str, value: str) -> bool:
    if _risky(pattern):
        return True  # a pattern that may take for ever: do not claim the value breaks it
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True  # a pattern Python cannot read: do not claim the value breaks it


def _risky(pattern: str) -> bool:
    """Long, many unbounded quantifiers, or a quantified group holding a quantifier or an
    alternative (``(a+)+``, ``(\\w|\\d)*``): the shapes whose search can take exponential time.
    NOTE: Python's re has no timeout and holds the GIL, so one such search stalls the scan."""
    if len(pattern) > 1_000:
        return True
    opened: list[int] = []
    unbounded = 0
    escaped = False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            opened.append(index)
        elif char in "*+":
            unbounded += 1
        elif char == ")" and opened:
            inner = pattern[opened.pop() + 1 : index]
            quantified = pattern[index + 1 : index + 2] in ("*", "+", "{")
            if quantified and any(c in inner for c in "*+{|"):
                return True
    return unbounded > 4


def _with(valid: Mapping[str, Any], name: str, value: Any, label: str) -> Mutation:
    return Mutation(label, {**valid, name: value}, name, value)
