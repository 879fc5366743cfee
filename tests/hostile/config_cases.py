"""Hostile configuration files and ``dynaguard code`` command lines, each with the exit code due.

Every key of ``[tool.dynaguard]`` gets each wrong type and out-of-range value TOML can spell,
then the file itself goes wrong: not a table, not TOML, not UTF-8, nested 10,000 deep, larger
than any config, or not a file at all. The scanned app has one high finding (DG101), so a valid
configuration gives exit 1, or 0 when it raises the threshold or filters the rule out.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

from tests.cli.test_code_cli import VULNERABLE
from tests.hostile.config_run import DIR, Case, build

CONFIG = f"{DIR}/dynaguard.toml"
PYPROJECT = f"{DIR}/pyproject.toml"
APP = f"{DIR}/app.py"
DEEP = 10_000

# key -> (valid values with the exit code each gives, wrong values); values are TOML text.
CODE_KEYS: dict[str, tuple[tuple[tuple[str, int], ...], tuple[str, ...]]] = {
    "select": (
        (('["DG2"]', 0), ('["dg1"]', 1), ('["DG101", "DG7"]', 1)),
        ("true", "1", '"DG1"', "{ a = 1 }", '["XX"]', '["DG999"]', "[1]", '[["DG1"]]', '[""]'),
    ),
    "ignore": (
        (('["DG101"]', 0), ('["DG2"]', 1)),
        ("false", "2.5", '"DG1"', '["B101"]', '["DG1O1"]', '["DG9"]', "[true]", "1979-05-27"),
    ),
    "exclude": (
        (('["tests/*"]', 1), ("[]", 1), ('["\\u00e9t\\u00e9/**"]', 1)),
        ("true", "1", '"tests/*"', "[1]", "[true]", "{ a = 1 }", "[[]]"),
    ),
    "fail-on": (
        (('"none"', 0), ('"critical"', 0), ('"high"', 1), ('"low"', 1)),
        ("true", "1", '"severe"', '"HIGH"', '["high"]', "{ a = 1 }", '""'),
    ),
    "persona": (
        (('"auditor"', 1), ('"regular"', 1)),
        ("true", "2", '"admin"', '["regular"]', "07:32:00"),
    ),
    "baseline": (
        (),
        ("true", "1", '["b.json"]', "{ a = 1 }", '"a\\u0000b"', "1979-05-27T07:32:00Z"),
    ),
    "jobs": (
        (("2", 1), ("1", 1), ("0x10", 1)),
        (
            "true",
            "false",
            "2.0",
            "1.5",
            '"2"',
            "0",
            "65",
            "-1",
            "nan",
            "inf",
            "[2]",
            "{ a = 1 }",
            "1979-05-27T07:32:00Z",
            "9223372036854775807",
            "1e3",
        ),
    ),
    "format": (
        (('"json"', 1), ('"sarif"', 1)),
        ("true", "1", '"yaml"', '["json"]', '"JSON"'),
    ),
}


def code(
    name: str, config: str | bytes | None, *flags: str, file: str = "dynaguard.toml", **fields: Any
) -> Case:
    """``dynaguard code app.py FLAGS`` beside ``file`` holding ``config``; ``fields`` are the
    rest of the :class:`Case`."""
    app = (("app.py", VULNERABLE.encode()),)
    return build(f"code {name}", ("code", APP, *flags), config, file, app, **fields)


def key_cases() -> Iterator[Case]:
    """Every wrong value of every key, in dynaguard.toml; one of each in pyproject.toml."""
    for key, (valid, wrong) in CODE_KEYS.items():
        for value, expect in valid:
            yield code(f"{key} = {value}", f"{key} = {value}\n", expect=expect)
        for value in wrong:
            yield code(f"{key} = {value}", f"{key} = {value}\n", expect=2, needles=(CONFIG, key))
        text = f"[tool.other]\nx = 1\n\n[tool.dynaguard]\n{key} = {wrong[0]}\n"
        needles = (PYPROJECT, key, "[tool.dynaguard]")
        yield code(f"pyproject {key}", text, expect=2, needles=needles, file="pyproject.toml")


def structure_cases() -> Iterator[Case]:
    """Tables that are not tables, sections that do not exist, models of the wrong shape."""
    pyproject = ("--config", PYPROJECT)
    for text, where in [
        ("tool = 1\n", "[tool]"),
        ('tool = "dynaguard"\n', "[tool]"),
        ("tool = [1, 2]\n", "[tool]"),
        ("[tool]\ndynaguard = 1\n", "[tool.dynaguard]"),
        ('[tool]\ndynaguard = "fail-on = none"\n', "[tool.dynaguard]"),
        ("[[tool.dynaguard]]\njobs = 2\n", "[tool.dynaguard]"),
        ("[tool]\ndynaguard = []\n", "[tool.dynaguard]"),
    ]:
        needles = (PYPROJECT, where)
        yield code(
            f"pyproject {text!r}",
            text,
            *pyproject,
            expect=2,
            needles=needles,
            file="pyproject.toml",
        )
        if "dynaguard" in text:  # found walking up only when it speaks of us
            yield code(f"found {text!r}", text, expect=2, needles=needles, file="pyproject.toml")
    yield code(
        "foreign pyproject", "[tool.ruff]\nline-length = 90\n", expect=1, file="pyproject.toml"
    )
    yield code("foreign bad pyproject", "[tool.ruff\n", expect=1, file="pyproject.toml")
    ours = '[tool.dynaguard]\nfail-on = "none"\n\n[tool.ruff\n'
    yield code(
        "our bad pyproject", ours, expect=2, needles=(PYPROJECT, "line 4"), file="pyproject.toml"
    )
    for text, needle in [
        ("[scann]\nx = 1\n", "scann"),
        ("models = 1\n", "[models]"),
        ("models = []\n", "[models]"),
        ("[models]\nwrappers = 1\n", "wrappers"),
        ("[models]\nunknown = 1\n", "unknown"),
        ('[models]\nidentity-functions = "app.auth.me"\n', "identity-functions"),
        ("[models]\nidentity-functions = [true]\n", "identity-functions"),
        ('[models]\nvalidators = ["save"]\n', "validators"),
        ('[[models.wrappers]]\nfunction = 1\noperation = "put_item"\n', "wrappers[0].function"),
        ('[[models.wrappers]]\nfunction = "a.b"\noperation = "drop_table"\n', "operation"),
        ('[[models.wrappers]]\nfunction = "a.b"\noperation = "put_item"\nitem = true\n', "item"),
        ('[[models.wrappers]]\nfunction = "a.b"\noperation = "put_item"\nitem = -1\n', "item"),
        ("[models.wrappers]\nfunction = 1\n", "wrappers"),
    ]:
        yield code(f"structure {text!r}", text, expect=2, needles=(CONFIG, needle))
    yield code("scan section is scan's", "scan = 1\n", expect=1)


def toml_cases() -> Iterator[Case]:
    """Files that are not TOML, not UTF-8, nested without end, or too large to be a config."""
    for text, line in [  # where tomllib gives no line, what it says instead
        ("jobs = \n", 1),
        ("jobs = 2\njobs = 3\n", 2),
        ('fail-on = "high\n', 1),
        ("[scan\n", 1),
        ("jobs = 2\n\n= 3\n", 3),
        ('a = "\\q"\n', 1),
        ('jobs = 2\na = "\x01"\n', 2),
        ("a = 1979-13-45\n", 1),
        ("a.b = 1\na = 2\n", 2),
        ("jobs = 0x\n", 1),
        ("[a]\n[a]\n", 2),
        ("jobs = 1\na = [1,\n", "end of document"),
        ("jobs = 2\x00\n", 1),
        ("\ufeff\ufeffjobs = 2\n", 1),
    ]:
        where = f"line {line}" if isinstance(line, int) else line
        yield code(f"toml {text!r}", text, expect=2, needles=(CONFIG, where))
    for raw, line in [
        (b"jobs = 2\n# caf\xe9\n", 2),
        (b'fail-on = "\xc3"\n', 1),
        (b"\n\n\njobs = 2 # \xff", 4),
        ("jobs = 2\n".encode("utf-16"), 1),
        (b"jobs = 2\n# \xe2\x82", 2),
    ]:
        yield code(f"bytes {raw[:20]!r}", raw, expect=2, needles=(CONFIG, "UTF-8", f"line {line}"))
    for text, expect in [
        ('\ufefffail-on = "none"\n', 0),
        ('fail-on = "none"\r\njobs = 2\r\n', 0),
        ("", 1),
        ("# only a comment\n", 1),
        ("  \n\t\n", 1),
        (f'exclude = ["{"x" * 500_000}"]\n', 1),
    ]:
        yield code(f"valid {text[:30]!r}", text, expect=expect)
    bom = '\ufeff[tool.dynaguard]\nfail-on = "none"\n'
    yield code("pyproject with a BOM", bom, expect=0, file="pyproject.toml")
    yield from deep_cases(code, CONFIG)
    yield code("1 MB of comments", "# x\n" * 300_000, expect=2, needles=(CONFIG, "1 MB"))


def deep_cases(make: Callable[..., Case], config: str) -> Iterator[Case]:
    """Nesting tomllib recurses into, and nesting it builds without recursing."""
    dotted = ".".join(["a"] * DEEP)
    for name, text in [
        (f"{DEEP} deep arrays", "a = " + "[" * DEEP + "]" * DEEP + "\n"),
        (f"{DEEP} deep inline tables", "a = " + "{ b = " * DEEP + "1" + " }" * DEEP + "\n"),
        (f"{DEEP} deep dotted key", f"{dotted} = 1\n"),
        (f"{DEEP} deep table header", f"[{dotted}]\n"),
        (f"{DEEP} deep array of tables", f"[[{dotted}]]\n"),
        ("100 deep arrays", "a = " + "[" * 100 + "]" * 100 + "\n"),
        (f"{DEEP} unclosed arrays", "a = " + "[" * DEEP + "\n"),
    ]:
        yield make(name, text, expect=2, needles=(config, "deep"))


def special_cases() -> Iterator[Case]:
    """``--config`` and ``--baseline`` naming what is not a regular file, or nothing."""
    for target, special, needle in [
        ("/dev/zero", None, "not a regular file"),
        ("/dev/null", None, "not a regular file"),
        (f"{DIR}/fifo", "fifo", "not a regular file"),
        (f"{DIR}/socket", "socket", "not a regular file"),
        (f"{DIR}/loop", "loop", "symbolic links"),
        (f"{DIR}/missing.toml", None, "missing.toml"),
        (DIR, None, "directory"),
    ]:
        for option in ("--config", "--baseline"):
            # Naming the file names the --config; a baseline's errors name the option as well.
            needles = (target, needle) + (("--baseline",) if option == "--baseline" else ())
            yield code(
                f"{option} {target}",
                None,
                option,
                target,
                expect=2,
                needles=needles,
                special=special,
            )


def flag_cases() -> Iterator[Case]:
    """``dynaguard code`` options and the environment variables behind them."""
    for flags, needle in [
        (("--select", "XX"), "XX"),
        (("--select", "DG999"), "DG999"),
        (("--select", "DG1,XX"), "XX"),
        (("--ignore", "B101"), "B101"),
        (("--ignore", "DG9"), "DG9"),
        (("--jobs", "0"), "--jobs"),
        (("--jobs", "abc"), "--jobs"),
        (("--jobs", "65"), "--jobs"),
        (("--persona", "admin"), "--persona"),
        (("--format", "yaml"), "--format"),
        (("--fail-on", "severe"), "--fail-on"),
        (("--output", DIR), "--output"),
    ]:
        yield code(f"flags {flags}", None, *flags, expect=2, needles=(needle,))
    for variable, value in [
        ("DYNAGUARD_JOBS", "abc"),
        ("DYNAGUARD_JOBS", "1.5"),
        ("DYNAGUARD_FORMAT", "yaml"),
        ("DYNAGUARD_FAIL_ON", "severe"),
        ("DYNAGUARD_PERSONA", "x"),
    ]:
        yield code(f"env {variable}={value}", None, expect=2, env=((variable, value),))
    for flags, expect in [
        (("--select", ""), 1),
        (("--select", " , "), 1),
        (("--select", "dg2"), 0),
        (("--ignore", "DG1,DG2"), 0),
        (("--exclude", ""), 1),
        (("--fail-on", "none"), 0),
    ]:
        yield code(f"valid flags {flags}", None, *flags, expect=expect)


def cases() -> list[Case]:
    """Every enumerated ``dynaguard code`` case."""
    return [
        *key_cases(),
        *structure_cases(),
        *toml_cases(),
        *special_cases(),
        *flag_cases(),
        code("no config", None, expect=1),
    ]


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string, control characters escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if " " <= c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped) + '"'


def random_text(rng: random.Random, alphabet: str, most: int = 12) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, most)))


# Anything but glob characters and dots: no pattern may exclude app.py, which is named anyway.
_GLOB_FREE = "abcXYZ019-_/ \t\r\n\x00\x7f\u00e9\u2028\U0001f600\"'\\=#[]{}"


def random_case(rng: random.Random) -> Case:
    """A few keys at once, each valid or not: rejected if any is wrong, naming every wrong key."""
    keys = rng.sample(sorted(CODE_KEYS), rng.randint(1, 4))
    lines, wrong, expect = [], [], 1
    if "exclude" not in keys and rng.random() < 0.3:
        lines.append(f"exclude = [{toml_string(random_text(rng, _GLOB_FREE.replace('[', '')))}]")
    for key in keys:
        valid, bad = CODE_KEYS[key]
        if valid and rng.random() < 0.5:
            value, result = rng.choice(valid)
            expect = min(expect, result)
        else:
            value = rng.choice(bad)
            wrong.append(key)
        lines.append(f"{key} = {value}")
    if rng.random() < 0.2:
        junk = "".join(rng.choice("abcxyz-_") for _ in range(rng.randint(1, 8)))
        lines.append(f"x{junk} = {rng.choice(['1', 'true', '[]'])}")
        wrong.append(f"x{junk}")
    text = "\n".join(lines) + "\n"
    if not wrong:
        return code(f"random {text!r}", text, expect=expect)
    return code(f"random {text!r}", text, expect=2, needles=(CONFIG, *wrong))
