"""What every generated source tree is made of: the prelude of a Flask + boto3 module, route
handlers, value shapes that double what they are given, and how a case is run (its format,
``--jobs`` and where the report goes, drawn at random).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.hostile.static_run import FORMATS, Case

Generator = Callable[[random.Random], Case]

PRELUDE = (
    "from flask import Flask, request\nimport boto3\n\napp = Flask(__name__)\n"
    'table = boto3.resource("dynamodb").Table("items")\n\n'
)
SHAPES = (
    '{"x": d, "y": d}',
    "[d, d]",
    "(d, d)",
    '{**d, "x": d}',
    'f"{d}{d}"',
    "d + d",
    "[d] * 2",
    '{"x": [d, {"y": d}]}',
    "{k: d for k in d}",
    "dict(x=d, y=d)",
    "list(d) + [d]",
    "d or {'z': d}",
    "(d if d else [d])",
    "{d: d}",
)
"""Expressions that build a value out of ``d`` twice or more: repeated, each doubles it."""


def options(rng: random.Random) -> dict[str, object]:
    """How a case is run: its format, ``--jobs``, where the report goes, the cache."""
    flags: list[str] = []
    if rng.random() < 0.25:
        flags += ["--jobs", "2"]
    if rng.random() < 0.3:
        flags.append("--no-cache")
    output = rng.choice([None, None, None, "-", "report.out"])
    return {"fmt": rng.choice(FORMATS), "output": output, "flags": tuple(flags)}


def source_case(kind: str, name: str, rng: random.Random, *sources: str | bytes) -> Case:
    """A tree of ``sources`` (``m0.py``, ``m1.py``...) beside the sentinel, run as ``options``
    draws."""
    files = tuple(
        (f"m{i}.py".encode(), s.encode() if isinstance(s, str) else s)
        for i, s in enumerate(sources)
    )
    return Case(kind, f"{kind} {name}", files, **options(rng))  # type: ignore[arg-type]


def route(name: str, body: list[str], args: str = "") -> str:
    lines = "\n".join(f"    {line}" for line in body)
    return f'@app.post("/{name}")\ndef {name}({args}):\n{lines}\n'


def module(helpers: list[str], name: str, body: list[str]) -> str:
    """The prelude, the ``helpers`` (lines of code), and a route ``name`` running ``body``."""
    return PRELUDE + "\n".join(helpers) + "\n\n" + route(name, body)


APP = PRELUDE + route("app", ["table.put_item(Item=request.get_json())", "return {}"])
"""A module whose one route puts the request body (a DG101)."""
