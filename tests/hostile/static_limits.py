"""Hostile source by size and form: one construct nested up to and past Python's own limits,
files near and past the 2 MB cap, displays and calls thousands wide, and text that is not quite
Python (odd encodings, a BOM, NUL bytes, invalid syntax). Kinds of ``static_cases.SOURCE_KINDS``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.hostile.static_run import Case
from tests.hostile.static_source import APP, PRELUDE, route, source_case

DEPTHS = (1, 10, 50, 99, 100, 101, 150, 199, 200, 201, 300, 500, 990, 1000, 1010, 3000, 20_000)
"""Python's own limits sit among these: 100 indentation levels, 200 nested brackets, the
parser's and the compiler's recursion limits near 1,000 and beyond."""
DEEP_SHAPES: dict[str, Callable[[int], list[str]]] = {
    "elif": lambda n: (
        ["v = request.json['a']", "if v == 0:\n        table.put_item(Item=request.json)"]
        + [f"elif v == {i}:\n        v = v + 1" for i in range(1, n)]
    ),
    "binop": lambda n: ["v = " + " + ".join(["request.json['a']"] * n)],
    "attr": lambda n: ["v = request" + ".json" * n],
    "call": lambda n: ["v = request.get_json" + "()" * n],
    "unary": lambda n: ["v = " + "-" * n + "request.json['a']"],
    "not": lambda n: ["v = " + "not " * n + "request.json['a']"],
    "lambda": lambda n: ["v = " + "lambda: " * n + "request.json"],
    "subscript": lambda n: ["v = request.json" + "['a']" * n],
    "ternary": lambda n: ["v = " + "request.json if request.args else " * n + "1"],
    "parens": lambda n: ["v = " + "(" * n + "request.json" + ")" * n],
    "lists": lambda n: ["v = " + "[" * n + "request.json" + "]" * n],
    "dicts": lambda n: ["v = " + "{'a': " * n + "request.json" + "}" * n],
    "calls": lambda n: ["v = " + "dict(" * n + "request.json" + ")" * n],
    "fstring": lambda n: ["v = " + 'f"{' * min(n, 5) + "request.json" + '}"' * min(n, 5)],
    "if": lambda n: [_nested(n, "if request.args:", "v = request.json")],
    "for": lambda n: [_nested(n, "for v in request.json:", "v = [v]")],
    "with": lambda n: [_nested(n, "with open('x') as v:", "v = request.json")],
    "try": lambda n: [_nested(n, "try:", "v = request.json", "except Exception:")],
    "def": lambda n: [_nested(n, "def f(v=request.json):", "return v"), "v = request.json"],
    "class": lambda n: [_nested(n, "class K:", "v = 1"), "v = request.json"],
    "comprehension": lambda n: ["v = " + "[" * n + "x for x in request.json" + "]" * n],
    "decorators": lambda n: ["v = request.json"],
    "strings": lambda n: ["v = " + " ".join(["'ab'"] * n) + " + request.json['a']"],
    "compare": lambda n: ["v = " + " < ".join(["request.json['a']"] * n)],
    "boolop": lambda n: ["v = " + " or ".join(["request.json['a']"] * n)],
}


def _nested(depth: int, opener: str, inner: str, closer: str = "") -> str:
    """``opener`` blocks nested ``depth`` deep around ``inner`` (a handler body's lines). One
    space per level, and at most ``MAX_BLOCKS`` levels: past Python's 100 the file no longer
    parses anyway, and 20,000 levels of indentation would be gigabytes of text."""
    depth = min(depth, MAX_BLOCKS)
    lines = [" " * level + opener for level in range(depth)] + [" " * depth + inner]
    for level in reversed(range(depth)):
        if closer:  # ``except E:`` and its ``pass``
            lines += [" " * level + closer, " " * (level + 1) + "pass"]
    return "\n    ".join(lines)


MAX_BLOCKS = 1010


def deep(rng: random.Random, shape: str | None = None, depth: int | None = None) -> Case:
    """One construct nested ``depth`` deep in a handler (``DEPTHS``), the put after it."""
    shape = shape or rng.choice(sorted(DEEP_SHAPES))
    depth = depth or rng.choice(DEPTHS)
    body = DEEP_SHAPES[shape](depth)
    decorators = (
        "".join("@app.before_request\n" for _ in range(depth)) if shape == "decorators" else ""
    )
    handler = route("deep", [*body, "table.put_item(Item={'id': 'd', 'v': v})", "return {}"])
    source = PRELUDE + decorators + handler
    return source_case("deep", f"{shape} x{depth}", rng, source)


# -- size --------------------------------------------------------------------------------------


def huge(rng: random.Random) -> Case:
    """Files near and past the 2 MB cap, 5,000 routes, one body of 60,000 statements, a line
    of 1.9 MB, a million blank lines."""
    kind = rng.choice(["under-cap", "over-cap", "routes", "statements", "long-line", "blank"])
    if kind in ("under-cap", "over-cap"):
        target = 2 * 1024 * 1024 + (-4096 if kind == "under-cap" else 4096)
        unit = "def f{}(x):\n    return {{'v': x}}\n"
        text, i = PRELUDE, 0
        while len(text) < target - 64:
            text += unit.format(i)
            i += 1
        source = text + "#" * max(0, target - len(text) - 1) + "\n"
    elif kind == "routes":
        count = rng.choice([500, 2000, 5000])
        source = PRELUDE + "".join(
            route(f"r{i}", [f"table.put_item(Item=request.json if {i} else {{}})"])
            for i in range(count)
        )
    elif kind == "statements":
        count = rng.choice([10_000, 60_000])
        body = ["d = request.get_json()", *(f"d = {{'k{i}': d}}" for i in range(count))]
        source = PRELUDE + route("long", [*body, "table.put_item(Item=d)"])
    elif kind == "long-line":
        source = PRELUDE + "X = '" + "x" * 1_900_000 + "'\n"
    else:
        source = PRELUDE + "\n" * 1_000_000 + route("b", ["table.put_item(Item=request.json)"])
    return source_case("huge", kind, rng, source)


def wide(rng: random.Random) -> Case:
    """Dict displays of up to 100,000 request values, 250-argument calls and signatures,
    updates naming thousands of attributes, a key set in a loop a thousand times."""
    n = rng.choice([100, 1000, 10_000, 100_000])
    kind = rng.choice(["dict", "merge", "params", "update", "loop", "set"])
    if kind == "dict":
        item = ", ".join(f"'k{i}': request.json['k{i}']" for i in range(n))
        body = [f"table.put_item(Item={{{item}}})"]
    elif kind == "merge":
        parts = ", ".join(f"**request.json.get('p{i}', {{}})" for i in range(min(n, 10_000)))
        body = [f"table.put_item(Item={{{parts}}})"]
    elif kind == "params":
        m = min(n, 250)
        params = ", ".join(f"p{i}" for i in range(m))
        args = ", ".join(f"request.json['a{i}']" for i in range(m))
        helper = (
            f"def put({params}):\n    table.put_item(Item=dict({params.replace('p', 'k=p', 1)}))\n"
        )
        return source_case(
            "wide", f"params x{m}", rng, PRELUDE + helper + route("w", [f"put({args})"])
        )
    elif kind == "update":
        m = min(n, 10_000)
        expression = ", ".join(f"#a{i} = :v{i}" for i in range(m))
        names = ", ".join(f"'#a{i}': 'a{i}'" for i in range(m))
        values = ", ".join(f"':v{i}': request.json['v{i}']" for i in range(m))
        body = [
            "table.update_item(Key={'id': request.json['id']}, "
            f"UpdateExpression='SET {expression}', ExpressionAttributeNames={{{names}}}, "
            f"ExpressionAttributeValues={{{values}}})"
        ]
    elif kind == "loop":
        body = ["item = {}", f"for i in range({n}):", "    item[f'k{i}'] = request.json[str(i)]"]
        body += ["table.put_item(Item=item)"]
    else:
        members = ", ".join(f"request.json['s{i}']" for i in range(min(n, 10_000)))
        body = [f"table.put_item(Item={{'id': 'w', 's': {{{members}}}}})"]
    return source_case("wide", f"{kind} x{n}", rng, PRELUDE + route("w", [*body, "return {}"]))


# -- not quite Python --------------------------------------------------------------------------


def encodings(rng: random.Random) -> Case:
    """The same route in odd encodings and with odd bytes: a BOM (valid), UTF-16, Latin-1 with
    a coding cookie, NUL bytes, truncated UTF-8, CR line ends, bidi and zero-width characters,
    invalid syntax, tabs mixed with spaces, random bytes."""
    text = APP
    variants: dict[str, Callable[[], bytes]] = {
        "bom": lambda: b"\xef\xbb\xbf" + text.encode(),
        "utf-16": lambda: text.encode("utf-16"),
        "latin-1": lambda: b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + text.encode(),
        "nul": lambda: text.encode().replace(b"\n\n", b"\n\x00\n", 1),
        "truncated": lambda: text.encode() + "# caf\u00e9".encode()[:-1],
        "cr": lambda: text.replace("\n", "\r").encode(),
        "crlf": lambda: text.replace("\n", "\r\n").encode(),
        "bidi": lambda: text.replace("/app", "/\u202eapp\u2066").encode() + b"# \xe2\x80\x8b\n",
        "syntax": lambda: text.encode() + b"\ndef (:\n",
        "tabs": lambda: text.replace("    return", "\treturn").encode(),
        "random": lambda: bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4096))),
        "python2": lambda: b"print 'hello'\nexec 'x = 1'\n" + text.encode(),
        "formfeed": lambda: text.replace("\n\n", "\n\x0c\n").encode(),
        "surrogates": lambda: text.encode() + b"X = '\\udcff'\n",
        "legacy-async": lambda: text.encode() + b"def send(data, async=False):\n    return data\n",
        "ctrl-z": lambda: text.encode() + b"\x1a\n",
        "unicode-names": lambda: (
            text.replace("table.", "t\u0430ble.").encode() + "\u0442able = table\n".encode()
        ),
    }
    kind = rng.choice(sorted(variants))
    return source_case("encoding", kind, rng, variants[kind]())
