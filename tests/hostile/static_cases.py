"""Hostile Python source for ``dynaguard code``: one generator per kind, each drawing its shape
from a seeded ``random.Random`` (the same seed, the same trees).

Here the kinds whose abstract state grows without bound unless the analyser bounds it: a request
value nested in itself in a loop, helper chains that double their argument, random call graphs
of up to 400 functions, recursion, generators, class hierarchies and metaclasses, import cycles.
Nesting past Python's limits, size and odd text are in ``static_limits.py``; ``SOURCE_KINDS``
names them all. Each case scans its tree with a random format, ``--jobs`` 1 or 2, and stdout,
``-`` or a file as output; the tree's ``sentinel.py`` must still be reported (exit 1).
File-system and output cases are in ``static_files.py``.
"""

from __future__ import annotations

import random

from tests.hostile.static_limits import deep, encodings, huge, wide
from tests.hostile.static_run import Case
from tests.hostile.static_source import PRELUDE, SHAPES, Generator, module, route, source_case

# -- unbounded abstract state -----------------------------------------------------------------


def nesting(rng: random.Random) -> Case:
    """A handler that nests its request value in itself, in loops nested 1-4 deep."""
    depth, lines = rng.randint(1, 4), rng.randint(1, 30)
    shapes = [rng.choice(SHAPES) for _ in range(lines)]
    body = ["d = request.get_json()"]
    for level in range(depth):
        loop = rng.choice(["for _ in range(10):", "while d:", "for k in d:"])
        body.append("    " * level + loop)
    indent = "    " * depth
    body += [f"{indent}d = {shape}" for shape in shapes]
    if rng.random() < 0.3:
        body += [f"{indent}d['self'] = d", f"{indent}o = type('O', (), {{}})()", f"{indent}o.a = d"]
    body += ["table.put_item(Item={'id': 'a', 'd': d})", "return {}"]
    return source_case("nesting", f"depth={depth} lines={lines}", rng, PRELUDE + route("n", body))


def chain(rng: random.Random) -> Case:
    """Helpers ``f0..fN`` (N up to 40), each calling the one below it 1-3 times on a value it
    builds from its argument; the put is in the deepest helper or in the handler."""
    depth, calls = rng.randint(1, 40), rng.randint(1, 3)
    shape = rng.choice(SHAPES)
    methods = rng.random() < 0.3
    own = "self, " if methods else ""
    call = "self.f{}" if methods else "f{}"
    sink_low = rng.random() < 0.5
    lines = [f"def f0({own}d):"]
    lines += ["    table.put_item(Item={'id': 'a', 'd': d})"] if sink_low else []
    lines += [f"    return {shape}"]
    for i in range(1, depth + 1):
        inner = call.format(i - 1)
        nested = "d"
        for _ in range(calls):
            nested = f"{inner}({nested})"
        lines += [f"def f{i}({own}d):", f"    d = {shape}", f"    return {nested}"]
    helpers = "\n".join(lines) + "\n"
    if methods:
        helpers = "class H:\n" + "\n".join(f"    {line}" for line in lines) + "\n"
    top = f"H().f{depth}" if methods else f"f{depth}"
    body = [f"v = {top}(request.get_json())"]
    body += [] if sink_low else ["table.put_item(Item={'id': request.json['id'], 'v': v})"]
    source = PRELUDE + helpers + "\n" + route("c", [*body, "return {}"])
    return source_case("chain", f"depth={depth} calls={calls} methods={methods}", rng, source)


def call_graph(rng: random.Random, size: int | None = None) -> Case:
    """``size`` (50-400) functions each calling 1-5 others at random, building values from
    their arguments; every few a DynamoDB call, and a handler calling the first."""
    size = size or rng.randint(50, 400)
    fanout = rng.randint(1, 5)
    ops = [
        "table.put_item(Item=x)",
        "table.get_item(Key={'id': a})",
        "table.update_item(Key={'id': a}, UpdateExpression='SET v = :v', "
        "ExpressionAttributeValues={':v': b})",
        "table.delete_item(Key={'id': b})",
    ]
    lines = []
    for i in range(size):
        lines += [f"def f{i}(a, b):", f"    x = {{'k{i}': a, 'n': b}}"]
        for callee in rng.sample(range(size), min(fanout, size)):
            lines.append(rng.choice([f"    x = f{callee}(x, a) or x", f"    f{callee}(b, x)"]))
        if rng.random() < 0.15:
            lines.append(f"    {rng.choice(ops)}")
        lines.append("    return x")
    source = module(lines, "g", ["return f0(request.get_json(), request.args)"])
    return source_case("call-graph", f"size={size} fanout={fanout}", rng, source)


def recursion(rng: random.Random) -> Case:
    """Self and mutual recursion (rings of 2-50 functions), through methods or not, each turn
    wrapping the value once more."""
    ring = rng.randint(1, 50)
    shape = rng.choice(SHAPES)
    lines = []
    for i in range(ring):
        after = (i + 1) % ring
        lines += [
            f"def r{i}(d, n):",
            "    if n <= 0:",
            "        table.put_item(Item={'id': 'x', 'd': d})",
            "        return d",
            f"    return r{after}({shape}, n - 1) or r{i}(d, n - 2)",
        ]
    extra = ""
    if rng.random() < 0.5:
        extra = (
            "class Node:\n    def __init__(self, d):\n        self.d = d\n"
            "        self.next = Node(self) if d else None\n"
            "    def walk(self):\n        return self.next.walk() if self.next else self.d\n\n"
        )
    body = ["d = r0(request.get_json(), 100)"]
    body += ["d = Node(d).walk()"] if extra else []
    source = module([extra, *lines], "r", [*body, "return {}"])
    return source_case("recursion", f"ring={ring} node={bool(extra)}", rng, source)


def generators(rng: random.Random) -> Case:
    """Generator pipelines: ``yield from`` chains 1-40 deep, endless generators, async ones."""
    depth = rng.randint(1, 40)
    lines = ["def g0(d):", "    while True:", "        yield {'x': d, 'y': d}"]
    for i in range(1, depth + 1):
        step = rng.choice(
            [
                f"    yield from g{i - 1}(d)",
                f"    for v in g{i - 1}(d):\n        yield [v, d]",
                f"    yield from (w for w in g{i - 1}([d, d]) if w)",
            ]
        )
        lines += [f"def g{i}(d):", step]
    lines += [
        "async def a0(d):",
        "    async for v in ag(d):\n        return [v async for v in ag(v)]",
        "async def ag(d):",
        "    for v in g0(d):\n        yield v",
    ]
    body = [f"it = g{depth}(request.get_json())", "first = next(it)", "coro = a0(first)"]
    body += ["items = list(zip(range(3), it))", "table.put_item(Item={'v': first, 'all': items})"]
    return source_case("generators", f"depth={depth}", rng, module(lines, "gen", body))


def classes(rng: random.Random) -> Case:
    """Class hierarchies 1-300 deep or 1-60 wide, metaclasses, ``__getattr__`` returning self,
    bases rebound into a cycle, classes built with ``type()``."""
    depth, width = rng.randint(1, 300), rng.randint(1, 60)
    lines = [
        "class Meta(type):",
        "    def __new__(m, name, bases, ns):",
        "        return super().__new__(m, name, bases, {**ns, 'meta': ns})",
        "    def __call__(cls, *a, **k):",
        "        return super().__call__(cls, *a, **k)",
        "class C0(metaclass=Meta):",
        "    def __init__(self, d):\n        self.d = d",
        "    def __getattr__(self, name):\n        return self",
        "    def save(self):\n        table.put_item(Item=self.d)",
    ]
    for i in range(1, depth + 1):
        lines += [f"class C{i}(C{i - 1}):", "    def save(self):\n        super().save()"]
    bases = ", ".join(f"W{j}" for j in range(width))
    lines += [f"class W{j}:\n    x{j} = {j}" for j in range(width)]
    lines += [f"class Wide({bases}):\n    pass"]
    if rng.random() < 0.5:
        lines += [
            "class A(C0):\n    pass",
            "class B(A):\n    pass",
            "A = B",
            "class A(A):\n    pass",
        ]
    if rng.random() < 0.5:
        lines += [f"D = type('D', (C{depth},), {{'save': lambda self: C0.save(self)}})"]
    body = [f"o = C{depth}(request.get_json())", "o.anything.more.save()", "o.save()", "Wide()"]
    source = module(lines, "cls", [*body, "return {}"])
    return source_case("classes", f"depth={depth} width={width}", rng, source)


def modules(rng: random.Random) -> Case:
    """Import cycles, modules importing themselves, star imports in a ring, relative imports
    past the top, project files named like the libraries the models explain."""
    ring = rng.randint(2, 30)
    sources: list[str | bytes] = []
    for i in range(ring):
        after = (i + 1) % ring
        sources.append(
            f"from m{after} import *\nfrom . import m{i}\nimport m{i}\nfrom .... import up\n"
            f"from m{after} import f{after}\n\n"
            f"def f{i}(d):\n    return f{after}({{'x': d}})\n"
        )
    sources.append(
        PRELUDE + "from m0 import f0\n\n" + route("mod", ["table.put_item(Item=f0(request.json))"])
    )
    case = source_case("modules", f"ring={ring}", rng, *sources)
    # A vendored copy of a library the models explain is the library, wherever it sits below
    # the top (a top-level ``flask/`` is a project package and hides Flask's routes).
    named = [
        (b"boto3.py", b"def resource(*a):\n    return None\n"),
        (b"lib/flask/__init__.py", b""),
    ]
    named += [(b"m0/__init__.py", b"from m0 import *\n")]
    return Case(
        case.kind,
        case.name,
        case.files + tuple(named),
        fmt=case.fmt,
        output=case.output,
        flags=case.flags,
    )


SOURCE_KINDS: dict[str, Generator] = {
    "nesting": nesting,
    "chain": chain,
    "call-graph": call_graph,
    "recursion": recursion,
    "generators": generators,
    "classes": classes,
    "deep": deep,
    "huge": huge,
    "wide": wide,
    "encoding": encodings,
    "modules": modules,
}
"""Every kind of hostile source, by name."""
