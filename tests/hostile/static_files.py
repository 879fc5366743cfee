"""Hostile trees for ``dynaguard code`` by what they hold rather than what the code says:
FIFOs, links to devices, symbolic link loops, names that are not UTF-8, folders a thousand deep,
files and folders the run may not read, Serverless, SAM and CDK files that are YAML bombs or
endless brackets; and reports sent where they cannot or should not go.

Each kind is a table of variants (name -> builder of a :class:`Case` from a random format and
``--jobs``); ``every()`` gives each variant once, ``random_case`` one at random.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

from tests.hostile.static_cases import SOURCE_KINDS, call_graph
from tests.hostile.static_limits import DEEP_SHAPES, DEPTHS, deep
from tests.hostile.static_run import FORMATS, Case
from tests.hostile.static_source import APP, options

Variant = Callable[[random.Random], Case]
_APP = APP.encode()
_INIT = (b"pkg/__init__.py", b"")


def _case(kind: str, name: str, rng: random.Random, **fields: Any) -> Case:
    """A case of ``kind`` run as ``options`` draws, unless ``fields`` say otherwise."""
    drawn = options(rng)
    drawn.update(fields)
    return Case(kind, f"{kind} {name}", **drawn)


def _specials(kind: str, specials: tuple[tuple[bytes, str], ...], **fields: Any) -> Variant:
    return lambda rng: _case(kind, repr(specials)[:80], rng, specials=specials, **fields)


def _error(kind: str, name: str, needles: tuple[str, ...], **fields: Any) -> Variant:
    """A variant whose input is bad: exit 2 with an error naming ``needles``."""
    return lambda rng: _case(kind, name, rng, expect=2, needles=needles, **fields)


def _read_option(flag: str, name: str, special: str) -> Variant:
    """``flag`` naming ``name`` in the tree, a special file (``Case.specials``): refused."""
    specials = ((name.encode(), special),)
    return _error("devices", f"{flag} {special}", (name,), specials=specials, flags=(flag, name))


FIFOS: dict[str, Variant] = {
    "fifo.py": _specials("fifo", ((b"fifo.py", "fifo"),)),
    "in a package": _specials("fifo", ((b"pkg/q.py", "fifo"),), files=(_INIT,)),
    "excluded": _specials("fifo", ((b".venv/lib/x.py", "fifo"),)),
    "named as a path": _specials("fifo", ((b"fifo.py", "fifo"),), paths=(".", "fifo.py")),
    "the only path": _specials(
        "fifo", ((b"fifo.py", "fifo"),), paths=("fifo.py",), sentinel=False, expect=0
    ),
    "socket.py": _specials("fifo", ((b"socket.py", "socket"),)),
    "with --jobs 2": lambda rng: _case(
        "fifo",
        "--jobs 2",
        rng,
        files=((b"a.py", _APP),),
        specials=((b"f.py", "fifo"),),
        flags=("--jobs", "2"),
    ),
}
DEVICES: dict[str, Variant] = {
    "zero.py": _specials("devices", ((b"zero.py", "zero"),)),
    "urandom.py": _specials("devices", ((b"pkg/urandom.py", "urandom"),), files=(_INIT,)),
    "null.py": _specials("devices", ((b"null.py", "null"),)),
    "path /dev/zero": _specials("devices", (), paths=(".", "/dev/zero")),
    "--config /dev/zero": _error(
        "devices", "--config", ("/dev/zero",), flags=("--config", "/dev/zero")
    ),
    "--baseline /dev/zero": _error(
        "devices", "--baseline", ("/dev/zero", "--baseline"), flags=("--baseline", "/dev/zero")
    ),
    "--config link to /dev/zero": _read_option("--config", "cfg.toml", "zero"),
    "--baseline FIFO": _read_option("--baseline", "b.json", "fifo"),
}
LINKS: dict[str, Variant] = {
    "loop.py": _specials("links", ((b"loop.py", "loop"),)),
    "pair": _specials("links", ((b"a.py", "link:b.py"), (b"b.py", "link:a.py"))),
    "dangling": _specials("links", ((b"gone.py", "dangling"),)),
    "folder to its parent": _specials("links", ((b"pkg/up", "link:.."),), files=(_INIT,)),
    "folder named .py to itself": _specials("links", ((b"self.py", "link:."),)),
    "to the sentinel": _specials("links", ((b"again.py", "link:sentinel.py"),)),
    "chain of 45": _specials(
        "links",
        (
            *tuple((f"l{i}.py".encode(), f"link:l{i + 1}.py") for i in range(45)),
            (b"l45.py", "link:sentinel.py"),
        ),
    ),
    "loop as a path": _specials("links", ((b"loop.py", "loop"),), paths=(".", "loop.py")),
    "only a loop": _error(
        "links",
        "only a loop",
        ("symbolic link loop",),
        specials=((b"loop.py", "loop"),),
        paths=("loop.py",),
    ),
    "folder loop as a path": _specials("links", ((b"d", "link:d"),), paths=(".", "d")),
}


def _named(name: bytes, folder: bool = False) -> Variant:
    path = name + b"/app.py" if folder else name
    return lambda rng: _case("names", repr(path)[:80], rng, files=((path, _APP),))


NAMES: dict[str, Variant] = {
    "not UTF-8": _named(b"bad\xff.py"),
    "not UTF-8 folder": _named(b"d\xe9j\xe0", folder=True),
    "surrogate-like bytes": _named(b"\xed\xb3\xbf.py"),
    "newline": _named(b"new\nline.py"),
    "markup": _named(b"<script>alert(1)<\\script>&amp;.py"),
    "CDATA end": _named(b"]]>.py"),
    "quotes": _named(b"\"'`.py"),
    "glob characters": _named(b"[a]*?.py"),
    "leading dash": _named(b"-o.py"),
    "spaces": _named(b" a b .py"),
    "255 bytes": _named(b"x" * 252 + b".py"),
    "NFD": _named("cafe\u0301.py".encode()),
    "bidi": _named("\u202egnp.py".encode()),
    "escape sequence": _named(b"\x1b[31mred.py"),
    "folder named .py": _specials("names", ((b"dir.py", "dir"),)),
    "file named .py": _named(b".py"),
    "empty files": lambda rng: _case(
        "names", "empty files", rng, files=tuple((f"e{i}.py".encode(), b"") for i in range(50))
    ),
    "empty package": lambda rng: _case("names", "empty package", rng, files=(_INIT,)),
    "not UTF-8 path given": lambda rng: _case(
        "names", "path given", rng, files=((b"bad\xff.py", _APP),), paths=("bad\udcff.py", ".")
    ),
}


def _deep_tree(levels: int) -> Variant:
    path = b"d/" * levels + b"app.py"
    return lambda rng: _case("names", f"folders {levels} deep", rng, files=((path, _APP),))


NAMES.update({f"{n} folders deep": _deep_tree(n) for n in (100, 500, 990, 1500)})


def _unreadable(name: str, mode: str, *, path: str | None = None, expect: int = 1) -> Variant:
    """``pkg/`` (or ``pkg/q.py``) under ``mode``; scanned as ``.`` or as ``path`` (then refused:
    exit 2 where the command line's checks see it, 3 where the run does)."""
    target = b"pkg/q.py" if name == "file" else b"pkg"
    paths = (path,) if path else (".",)
    needles = (path,) if path else ()
    return lambda rng: _case(
        "permissions",
        f"{name} {mode} as {paths[0]}",
        rng,
        files=(_INIT, (b"pkg/q.py", _APP)),
        specials=((target, f"mode:{mode}"),),
        paths=paths,
        expect=expect,
        needles=needles,
        privileged=True,
        sentinel=path is None,
    )


def _closed(flag: str, mode: str) -> Variant:
    """The report (``-o``) or a baseline written into a folder under ``mode``: refused, named."""
    name = "shut/report.out" if flag == "-o" else "shut/b.json"
    target: dict[str, Any] = {"output": name} if flag == "-o" else {"flags": (flag, name)}
    return lambda rng: _case(
        "permissions",
        f"{flag} in a folder {mode}",
        rng,
        specials=((b"shut", "dir"), (b"shut", f"mode:{mode}")),
        expect=2,
        needles=(name,),
        privileged=True,
        **target,
    )


PERMISSIONS: dict[str, Variant] = {
    "file 000": _unreadable("file", "000"),
    "file 200": _unreadable("file", "200"),
    "folder 000": _unreadable("folder", "000"),
    "folder without read": _unreadable("folder", "300"),
    "folder without execute": _unreadable("folder", "600"),
    "file given": _unreadable("file", "000", path="pkg/q.py", expect=2),
    "folder without read given": _unreadable("folder", "300", path="pkg", expect=2),
    "folder without execute given": _unreadable("folder", "600", path="pkg", expect=3),
    "file in a folder without execute given": _unreadable(
        "folder", "600", path="pkg/q.py", expect=3
    ),
    "-o in a read-only folder": _closed("-o", "555"),
    "-o in a folder without execute": _closed("-o", "600"),
    "-o over a read-only file": lambda rng: _case(
        "permissions",
        "-o over 444",
        rng,
        files=((b"report.out", b"old"),),
        specials=((b"report.out", "mode:444"),),
        output="report.out",
        privileged=True,
    ),
    "--write-baseline in a read-only folder": _closed("--write-baseline", "555"),
    "--write-baseline in a folder without execute": _closed("--write-baseline", "600"),
}


def _output(name: str, output: str, expect: int = 1, **fields: Any) -> Variant:
    needles = (output,) if expect == 2 else ()
    return lambda rng: _case(
        "output", name, rng, output=output, expect=expect, needles=needles, **fields
    )


def _baseline(name: str, path: str, expect: int = 0, **fields: Any) -> Variant:
    """``--write-baseline path``: exit 0 (every finding is baselined), or 2 naming ``path``."""
    needles = (path,) if expect == 2 else ()
    flags = ("--write-baseline", path)
    return lambda rng: _case(
        "output",
        f"--write-baseline {name}",
        rng,
        flags=flags,
        expect=expect,
        needles=needles,
        **fields,
    )


OUTPUTS: dict[str, Variant] = {
    "new file": _output("new file", "report.out"),
    "existing file": _output("existing", "report.out", files=((b"report.out", b"old"),)),
    "-": _output("-", "-"),
    "link to a file": _output(
        "link",
        "link.out",
        files=((b"real.out", b"old"),),
        specials=((b"link.out", "link:real.out"),),
    ),
    "dangling link": _output("dangling", "link.out", specials=((b"link.out", "dangling"),)),
    "link to a folder": _output(
        "link to folder", "link.out", 2, specials=((b"d", "dir"), (b"link.out", "link:d"))
    ),
    "folder": _output("folder", ".", 2),
    "missing folder": _output("missing", "no/such/dir/report.out", 2),
    "FIFO": _output("FIFO", "out.fifo", specials=((b"out.fifo", "fifo-out"),)),
    "socket": _output("socket", "out.sock", 2, specials=((b"out.sock", "socket"),)),
    "/dev/null": _output("/dev/null", "/dev/null"),
    "/dev/full": _output("/dev/full", "/dev/full", 2),
    "/proc": _output("/proc", "/proc/version", 2),
    "link loop": _output("link loop", "loop.out", 2, specials=((b"loop.out", "loop"),)),
    "name too long": _output("name too long", "r" * 300, 2),
    "not UTF-8 name": _output("not UTF-8", "r\udcff.out"),
    "newline in name": _output("newline", "r\n.out"),
    "over the sentinel": _output("over sentinel", "sentinel.py"),
    "baseline": _baseline("new file", "b.json"),
    "baseline /dev/full": _baseline("/dev/full", "/dev/full", 2),
    "baseline FIFO": _baseline("FIFO", "b.fifo", specials=((b"b.fifo", "fifo-out"),)),
    "baseline link loop": _baseline("link loop", "b.json", 2, specials=((b"b.json", "loop"),)),
}


def _format(fmt: str, jobs: str, output: str | None) -> Variant:
    files = ((b"a.py", _APP), _INIT, (b"pkg/b.py", _APP))
    return lambda rng: Case(
        "formats",
        f"formats {fmt} --jobs {jobs} -o {output}",
        files,
        fmt=fmt,
        output=output,
        flags=("--jobs", jobs),
    )


FORMATS_ALL: dict[str, Variant] = {
    f"{fmt} {jobs} {output}": _format(fmt, jobs, output)
    for fmt in FORMATS
    for jobs in ("1", "2")
    for output in (None, "report.out")
}


def _deep_jobs(shape: str, depth: int) -> Variant:
    def make(rng: random.Random) -> Case:
        case = deep(rng, shape, depth)
        return Case(
            "jobs",
            f"jobs 2 {case.name}",
            (*case.files, (b"other.py", _APP)),
            fmt=case.fmt,
            output=case.output,
            flags=("--jobs", "2"),
        )

    return make


JOBS: dict[str, Variant] = {
    f"{shape} {depth}": _deep_jobs(shape, depth)
    for shape, depth in [
        ("parens", 199),
        ("lists", 199),
        ("calls", 199),
        ("binop", 990),
        ("binop", 3000),
        ("elif", 200),
        ("elif", 1000),
        ("if", 99),
        ("def", 99),
        ("class", 99),
        ("attr", 1000),
        ("subscript", 990),
    ]
}


def _laughs(tail: str) -> bytes:
    """YAML whose aliases nest 30 deep, nine to a level: 9**30 strings if walked, then ``tail``
    (where the bomb is used)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 30)]
    return ("\n".join(lines) + "\n" + tail).encode()


_SAM = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
_HANDLER = "      Handler: sentinel.create_user\n      Events:\n"


def _descriptor(name: str, *files: tuple[bytes, bytes]) -> Variant:
    return lambda rng: _case("descriptors", name, rng, files=files)


DESCRIPTORS: dict[str, Variant] = {
    "SAM billion laughs": _descriptor(
        "SAM laughs", (b"template.yaml", _laughs(_SAM + _HANDLER + "        E: *a29\n"))
    ),
    "Serverless billion laughs": _descriptor(
        "Serverless laughs",
        (b"serverless.yml", _laughs("functions:\n  f:\n    handler: app.f\n    events: *a29\n")),
    ),
    "YAML 10,000 deep": _descriptor("deep YAML", (b"template.yaml", b"a: " + b"[" * 10_000)),
    "YAML not UTF-8": _descriptor("YAML bytes", (b"serverless.yml", b"functions: {f: \xff}\n")),
    "YAML python tag": _descriptor(
        "YAML tag", (b"template.yaml", b"a: !!python/object/apply:os.system ['true']\n")
    ),
    "YAML over 1 MB": _descriptor("big YAML", (b"template.yml", b"# x\n" * 300_000)),
    "YAML of the wrong shapes": _descriptor(
        "YAML shapes",
        (b"template.yaml", (_SAM + "      Handler: [1, {a: b}]\n      Events: 7\n").encode()),
        (b"serverless.yml", b"functions: [1, 2]\nprovider: 3\n"),
    ),
    "CDK brackets": _descriptor(
        "CDK brackets",
        (b"cdk.json", b"{}\n"),
        (b"lib/stack.ts", b"// aws-cdk\n" + b"api.root.addMethod(" * 20_000),
    ),
    "CDK not UTF-8": _descriptor(
        "CDK bytes", (b"cdk.json", b"{}\n"), (b"lib/stack.ts", b"// aws-cdk \xff\n")
    ),
    "cdk.json a FIFO": lambda rng: _case(
        "descriptors", "cdk.json FIFO", rng, specials=((b"cdk.json", "fifo"),)
    ),
    "template.yaml a link to /dev/zero": lambda rng: _case(
        "descriptors", "template.yaml /dev/zero", rng, specials=((b"template.yaml", "zero"),)
    ),
}

FILE_KINDS: dict[str, dict[str, Variant]] = {
    "descriptors": DESCRIPTORS,
    "fifo": FIFOS,
    "devices": DEVICES,
    "links": LINKS,
    "names": NAMES,
    "permissions": PERMISSIONS,
    "output": OUTPUTS,
    "formats": FORMATS_ALL,
    "jobs": JOBS,
}
"""Every kind of hostile tree or destination, by name, with its variants."""


def every(rng: random.Random) -> Iterator[Case]:
    """Each variant of each kind once."""
    for variants in FILE_KINDS.values():
        for variant in variants.values():
            yield variant(rng)


def random_case(rng: random.Random) -> Case:
    """A variant of a kind, both drawn at random (its format and ``--jobs`` too)."""
    variants = FILE_KINDS[rng.choice(sorted(FILE_KINDS))]
    return variants[rng.choice(sorted(variants))](rng)


def campaign_cases(count: int, seed: int) -> list[Case]:
    """``count`` cases: every file variant, every ``deep`` construct at every depth, and call
    graphs of 50 to 400 functions once, then random cases of every kind (three of source for
    one of files), all drawn from ``seed``."""
    rng = random.Random(seed)
    fixed = [*every(rng)]
    fixed += [deep(rng, shape, depth) for shape in sorted(DEEP_SHAPES) for depth in DEPTHS]
    fixed += [call_graph(rng, size) for size in (50, 100, 200, 300, 400)]
    kinds = sorted(SOURCE_KINDS)
    extra: list[Case] = []
    while len(fixed) + len(extra) < count:
        if len(extra) % 4 == 3:
            extra.append(random_case(rng))
        else:
            extra.append(SOURCE_KINDS[kinds[len(extra) % len(kinds)]](rng))
    return [*fixed, *extra][:count]


SLOW = frozenset({"call-graph", "huge", "wide"})
"""Source kinds whose cases take seconds each."""
