"""Hostile ``[scan]`` tables, target URLs and ``dynaguard scan`` options, each with the exit due.

The target is a closed port on 127.0.0.1: a valid run ends with exit 3 ("does not answer"), an
invalid one must end with exit 2 before that first request. Credentials in rejected headers are
``SECRET-...`` and must never be echoed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from tests.hostile.config_cases import CONFIG, DEEP, PYPROJECT, deep_cases, random_text, toml_string
from tests.hostile.config_run import DIR, TARGET, Case, build

FAST = "[scan]\nretries = 0\n"
"""Every scan case starts from this: a refused connection is not retried with backoff."""

# key -> (valid values, wrong values), as TOML text.
SCAN_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "spec": (
        ('"openapi.json"', '"https://[::1]/openapi.json"'),
        (
            "true",
            "1",
            '["a.json"]',
            "{ a = 1 }",
            '"a\\u0000b"',
            '"http://[::1"',
            '"http://h:99999"',
        ),
    ),
    "active": (("true", "false"), ('"yes"', '"true"', "1", "0", "[true]", "{ a = 1 }")),
    "rate": (("5", "2.5", "0"), ("-1", '"1"', "true", "nan", "inf", "-inf", "[1]")),
    "concurrency": (("2", "64"), ("0", "65", "true", "1.5", '"4"', "2.0", "nan")),
    "timeout": (("5", "0.5", "300"), ("0", "301", '"10"', "true", "nan", "inf", "-1")),
    "max-response-bytes": (("2048",), ("1", "true", "1.5", '"2048"', "-1", "[]")),
    "retries": (("1",), ("-1", "11", "true", "1.5", '"1"')),
    "race-requests": (("4",), ("1", "201", "true", '"4"', "4.0")),
    "probes": (
        ('["race"]', '["bola-read", "exposure"]', "[]"),
        ('"race"', '["nope"]', "[1]", "true", '["RACE"]', '["race", "nope"]', '[""]'),
    ),
    "exclude": (
        ('["DELETE /users/*"]', '["/admin/*"]', '["get /x"]', '["*"]'),
        ('"/x"', "[1]", '["DELTE /x"]', '["admin/*"]', "true", '[""]', '["GET  /x"]'),
    ),
    "select": (('["DG2"]', '["dg201"]'), ('["XX"]', '["DG999"]', '"DG1"', "[1]", "true", '[""]')),
    "ignore": (('["DG8"]',), ('["B101"]', '["DG0"]', '"DG1"', "[true]", "{ a = 1 }")),
    "fail-on": (('"none"', '"low"'), ('"severe"', "1", "true", '["high"]')),
    "format": (('"json"', '"html"'), ('"yaml"', "1", "true", '["json"]')),
}


def scan(
    name: str,
    config: str | bytes | None,
    *args: str,
    target: str = TARGET,
    file: str = "dynaguard.toml",
    **fields: Any,
) -> Case:
    """``dynaguard scan TARGET ARGS`` in a directory whose ``file`` holds ``config``; ``fields``
    are the rest of the :class:`Case`."""
    argv = ("scan", target, "--progress", "none", *args)
    return build(f"scan {name}", argv, config, file, **fields)


def _table(key: str, value: str) -> str:
    return f"[scan]\n{key} = {value}\n" + ("" if key == "retries" else "retries = 0\n")


def key_cases() -> Iterator[Case]:
    for key, (valid, wrong) in SCAN_KEYS.items():
        for value in valid:
            yield scan(f"{key} = {value}", _table(key, value), expect=3)
        for value in wrong:
            needles = (CONFIG, f"scan.{key}")
            yield scan(f"{key} = {value}", _table(key, value), expect=2, needles=needles)
    text = '[tool.dynaguard.scan]\nactive = "yes"\n'
    needles = (PYPROJECT, "scan.active")
    yield scan("pyproject active", text, expect=2, needles=needles, file="pyproject.toml")
    for text, needle in [
        ("scan = 1\n", "[scan]"),
        ('scan = "active"\n', "[scan]"),
        ("scan = []\n", "[scan]"),
        ("[[scan]]\nactive = true\n", "[scan]"),
        ("[scan]\nactve = true\n", "scan.actve"),
    ]:
        yield scan(f"structure {text!r}", text, expect=2, needles=(CONFIG, needle))
    text = "[tool.dynaguard]\nscan = 1\n"
    needles = (PYPROJECT, "[scan]")
    yield scan("pyproject scan = 1", text, expect=2, needles=needles, file="pyproject.toml")


def _identity(body: str) -> str:
    return f'{FAST}\n[[scan.identities]]\nname = "alice"\n{body}\n'


_IDENTITY = "scan.identities[0]"
_HEADER = f"{_IDENTITY}.headers"


def identity_cases() -> Iterator[Case]:
    """Identities of the wrong shape, and headers no HTTP request may carry."""
    for text, needle in [
        (f"{FAST}identities = 1\n", "scan.identities"),
        (f"{FAST}identities = [1]\n", "scan.identities"),
        (f"{FAST}[[scan.identities]]\n", "scan.identities"),
        (_identity(""), "needs 'headers'"),
        (_identity('role = "root"\nheaders = { X = "v" }'), "role"),
        (_identity("headers = 1"), "headers"),
        (_identity("headers = { X = 1 }"), "headers"),
        (_identity('headers = { X = ["v"] }'), "headers"),
        (f'{FAST}[[scan.identities]]\nname = 1\nheaders = {{ X = "v" }}\n', "name"),
        (f'{FAST}[[scan.identities]]\nname = "anonymous"\nheaders = {{ X = "v" }}\n', "anonymous"),
        (f'{FAST}[[scan.identities]]\nname = "a b"\nheaders = {{ X = "v" }}\n', "a b"),
        (
            _identity(
                'headers = { X = "v" }\n[[scan.identities]]\nname = "alice"\nheaders = { X = "w" }'
            ),
            "twice",
        ),
        (_identity('[scan.identities.login]\npath = "login"'), "login.path"),
        (_identity('[scan.identities.login]\npath = "/l"\nmethod = "DELETE"'), "login.method"),
        (_identity('[scan.identities.login]\npath = "/l"\nbody = 1'), "login.body"),
        (_identity('[scan.identities.login]\npath = "/l"\ntoken = 1'), "login.token"),
        (_identity('[scan.identities.login]\npath = "/l"\nheader = "X Token"'), "login.header"),
        (_identity('[scan.identities.login]\npath = "/l"\nheader = ""'), "login.header"),
        (
            _identity('[scan.identities.login]\npath = "/l"\nprefix = "Bearer\\r\\n"'),
            "login.prefix",
        ),
        (
            _identity('[scan.identities.login]\npath = "/l"\nbody = { p = "${HOSTILE_UNSET}" }'),
            "HOSTILE_UNSET",
        ),
    ]:
        yield scan(f"identity {text[len(FAST) :]!r}", text, expect=2, needles=(CONFIG, needle))
    for header, value in [
        ("X-API-Key", "SECRET-1\\r\\nX-Evil: 1"),
        ("X-API-Key", "SECRET-1\\n"),
        ("X-API-Key", "SECRET-1\\rx"),
        ("X-API-Key", "SECRET-1\\u0000"),
        ("X-API-Key", "SECRET-1\\u007f"),
        ("X-API-Key", "caf\\u00e9-SECRET-1"),
        ('"X Key"', "SECRET-1"),
        ('"X:Key"', "SECRET-1"),
        ('""', "SECRET-1"),
        ('"X\\nKey"', "SECRET-1"),
        ('"\\u00e9"', "SECRET-1"),
    ]:
        text = _identity(f'headers = {{ {header} = "{value}" }}')
        yield scan(
            f"header {header}={value}", text, expect=2, needles=(CONFIG, _HEADER), secret="SECRET-1"
        )
    for value in ("SECRET-2\nX-Evil: 1", "SECRET-2\r", "\nSECRET-2"):
        text = _identity('headers = { X-API-Key = "${HOSTILE_KEY}" }')
        needles = (CONFIG, _HEADER, "HOSTILE_KEY")
        env = (("HOSTILE_KEY", value),)
        yield scan(
            f"header from env {value!r}",
            text,
            expect=2,
            needles=needles,
            env=env,
            secret="SECRET-2",
        )
    body = "{ p = " * DEEP + "1" + " }" * DEEP
    deep = _identity(f'[scan.identities.login]\npath = "/l"\nbody = {body}')
    yield scan("login body 10000 deep", deep, expect=2, needles=(CONFIG, "deep"))
    for text in [
        _identity('headers = { X-API-Key = "${HOSTILE_KEY}", Cookie = "s=1; t=2" }'),
        _identity(
            '[scan.identities.login]\npath = "/login"\nbody = { u = "a", p = ["x", { y = 1 }] }'
        ),
        _identity('headers = { X = "tab\\tinside and spaces " }'),
    ]:
        yield scan(
            f"valid identity {text[len(FAST) :]!r}", text, expect=3, env=(("HOSTILE_KEY", "k"),)
        )


def flag_cases() -> Iterator[Case]:
    """Options that would quietly change what the scan checks or where it goes."""
    for args, needles in [
        (("--select", "XX"), ("--select", "XX")),
        (("--select", "DG999"), ("--select", "DG999")),
        (("--select", "DG2,XX"), ("--select", "XX")),
        (("--ignore", "XX"), ("--ignore", "XX")),
        (("--probe", "nope"), ("--probe", "nope")),
        (("--probe", "race,nope"), ("--probe", "nope")),
        (("--exclude", "DELTE /x"), ("--exclude", "DELTE")),
        (("--exclude", "admin/*"), ("--exclude", "admin/*")),
        (("--rate", "nan"), ("--rate",)),
        (("--rate", "inf"), ("--rate",)),
        (("--rate", "-1"), ("--rate",)),
        (("--timeout", "nan"), ("--timeout",)),
        (("--timeout", "0"), ("--timeout",)),
        (("--concurrency", "0"), ("--concurrency",)),
        (("--concurrency", "true"), ("--concurrency",)),
        (("--race-requests", "1"), ("--race-requests",)),
        (("--format", "yaml"), ("--format",)),
        (("--fail-on", "severe"), ("--fail-on",)),
        (("--progress", "loud"), ("--progress",)),
        (("--spec", "http://[::1"), ("--spec",)),
        (("--spec", "http://127.0.0.1:99999/openapi.json"), ("--spec",)),
        (("--source", f"{DIR}/missing"), ("--source",)),
    ]:
        yield scan(f"flags {args}", FAST, *args, expect=2, needles=needles)
    for value, needle in [
        ("bob", "NAME:ROLE:HEADER=VALUE"),
        ("bob:user", "NAME:ROLE:HEADER=VALUE"),
        ("bob:root:X=SECRET-3", "root"),
        ("bob:user:=SECRET-3", "header name"),
        ("anonymous:user:X=SECRET-3", "anonymous"),
        ("bob:user:X Y=SECRET-3", "--identity bob"),
        ("bob:user:X=SECRET-3\r\nX-Evil: 1", "--identity bob"),
        ("bob:user:X=SECRET-3\n", "--identity bob"),
        ("bob:user:X=caf\u00e9SECRET-3", "--identity bob"),
        ("bob:user:X=SECRET-3\x00", "--identity bob"),
        ("bob:user:X=${HOSTILE_UNSET}SECRET-3", "HOSTILE_UNSET"),
        ("bob:user:X=${HOSTILE_KEY}", "HOSTILE_KEY"),
    ]:
        env = (("HOSTILE_KEY", "SECRET-3\r\nX-Evil: 1"),)
        yield scan(
            f"--identity {value!r}",
            FAST,
            "--identity",
            value,
            expect=2,
            needles=("--identity", needle),
            env=env,
            secret="SECRET-3",
        )
    for args in [
        ("--select", "DG2"),
        ("--ignore", "dg8"),
        ("--probe", "race,exposure"),
        ("--exclude", "DELETE /users/*"),
        ("--identity", "alice:user:X-API-Key=abc"),
        ("--identity", "alice:admin:Authorization=Bearer a:b=c"),
        ("--active",),
        ("--rate", "0"),
        ("--timeout", "0.1"),
        ("--spec", "openapi.json"),
        ("--format", "json"),
        ("--fail-on", "none"),
    ]:
        yield scan(f"valid flags {args}", FAST, *args, expect=3)


def url_cases() -> Iterator[Case]:
    """Target URLs that cannot be parsed, or name no host, or a port that cannot be."""
    for url in [
        "http://[::1",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:abc",
        "http://127.0.0.1:-1",
        "http://[::1]:99999",
        "http://[zz::1]/",
        "http://[::1]x/",
        "ftp://127.0.0.1/",
        "http://",
        "",
        "127.0.0.1:9",
        "javascript:alert(1)",
        "http://user@/",
        "http://xn--/",
        # Hosts and ports that would be used if the check missed them are the closed port's.
        f"{TARGET}/\n",
        f"{TARGET}/a\tb",
        f"{TARGET}/a b",
        f"{TARGET}\u2028",
    ]:
        yield scan(f"URL {url!r}", FAST, expect=2, needles=("URL",), target=url)
    for url in ["HTTP://127.0.0.1:@PORT@", "http://127.0.0.1:@PORT@/base/", "http://[::1]:@PORT@"]:
        yield scan(f"URL {url!r}", FAST, expect=3, target=url)


def special_cases() -> Iterator[Case]:
    for target, special, needle in [
        ("/dev/zero", None, "not a regular file"),
        (f"{DIR}/fifo", "fifo", "not a regular file"),
        (f"{DIR}/missing.toml", None, "missing.toml"),
        (DIR, None, "directory"),
    ]:
        yield scan(
            f"--config {target}",
            None,
            "--config",
            target,
            expect=2,
            needles=(needle,),
            special=special,
        )
    yield from deep_cases(scan, CONFIG)
    yield scan("BOM", f"\ufeff{FAST}", expect=3)
    yield scan(
        "not UTF-8", b"[scan]\nretries = 0\n# caf\xe9\n", expect=2, needles=(CONFIG, "line 3")
    )


def cases() -> list[Case]:
    """Every enumerated ``dynaguard scan`` case."""
    return [*key_cases(), *identity_cases(), *flag_cases(), *url_cases(), *special_cases()]


def random_case(rng: random.Random) -> Case:
    """A few ``[scan]`` keys at once, each valid or not."""
    keys = rng.sample(sorted(k for k in SCAN_KEYS if k != "retries"), rng.randint(1, 4))
    lines, wrong = [FAST.rstrip("\n")], []
    for key in keys:
        valid, bad = SCAN_KEYS[key]
        if rng.random() < 0.5:
            lines.append(f"{key} = {rng.choice(valid)}")
        else:
            lines.append(f"{key} = {rng.choice(bad)}")
            wrong.append(f"scan.{key}")
    if rng.random() < 0.4:
        lines.append(_random_identity(rng, wrong))
    text = "\n".join(lines) + "\n"
    if not wrong:
        return scan(f"random {text!r}", text, expect=3, secret="SECRET-R")
    # Some keys are checked only once the table's types are right (probe names, the format):
    # the error names at least one wrong key.
    case = scan(f"random {text!r}", text, expect=2, needles=(CONFIG,))
    return replace(case, one_of=tuple(wrong), secret="SECRET-R")


_TOKEN = "abcXYZ019-!#%&'*+.^_`|~"
_FIELD = "abcXYZ019-!#%&'*+.^_`|~ \t\"\\:;=,/"


def _random_identity(rng: random.Random, wrong: list[str]) -> str:
    """An identity whose header name and value are random, and wrong unless HTTP can send them
    (a token; printable ASCII, spaces and tabs); the value never appears in the output."""
    name = random_text(rng, _TOKEN + rng.choice(["", " :\u00e9\n\x00()"]))
    value = "SECRET-R" + random_text(rng, _FIELD + rng.choice(["", "\r\n\x00\x7f\u00e9\u2028"]))
    sendable_name = all(c.isascii() and (c.isalnum() or c in "!#$%&'*+-.^_`|~") for c in name)
    sendable_value = all(c == "\t" or " " <= c <= "~" for c in value)
    if not (name and sendable_name and sendable_value):
        wrong.append("scan.identities[0].headers")
    headers = f"{{ {toml_string(name)} = {toml_string(value)} }}"
    return f'[[scan.identities]]\nname = "r"\nheaders = {headers}'
