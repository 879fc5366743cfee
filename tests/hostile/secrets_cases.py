"""The ``secrets`` class of the hostile-input campaign: credentials against an echoing server.

One case is a set of credentials (``Credentials``) of every kind a scan holds: a login password,
an API key, an API key with a trailing newline, a session cookie and a bearer token the server
hands out, a Basic header, ``user:password`` in the target URL and a password sent to a login
that answers a malformed response. ``run_case`` scans ``EchoServer`` with them through the CLI
once per output format and returns what went wrong: a credential in any spelling on stdout or
stderr, a crash, or live markup in the Markdown report. ``credentials(rng)`` draws the shapes for
the campaign (bench/hostile/secrets.py); the tests draw theirs with hypothesis.
"""

from __future__ import annotations

import base64
import html
import json
import os
import random
import string
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote, quote_plus

from click.testing import CliRunner
from markdown_it import MarkdownIt

from dynaguard.cli import main
from tests.hostile.secrets_server import EchoServer

FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")
DOCS = "https://github.com/dynaguard/dynaguard/blob/main/docs/rules/"
SEVERITY_ROWS = 5

CONFIG = """\
[scan]
race-requests = 2

[[scan.identities]]
name = "alice"
login = { path = "/login", body = { username = "alice", password = "${DG_PASSWORD}" } }

[[scan.identities]]
name = "bob"
headers = { X-API-Key = "${DG_API_KEY}" }

[[scan.identities]]
name = "carol"
login = { path = "/login", cookie = "sid", body = { username = "carol", pass = "${DG_PASSWORD}-carol" } }

[[scan.identities]]
name = "erin"
login = { path = "/login-broken", body = { username = "erin", password = "${DG_BROKEN_PASSWORD}" } }

[[scan.identities]]
name = "root"
role = "admin"
headers = { Authorization = "Basic ${DG_BASIC}" }
"""
"""alice logs in for a token, bob sends an API key, carol logs in for a session cookie, erin's
login answers a malformed response, root sends a Basic header; dave (``--identity``) sends an
API key with a trailing newline."""

HEADER_SAFE = "".join(c for c in string.printable if c.isprintable() and c != " ")
"""What an HTTP library sends in a header value (ASCII, no control character)."""
COOKIE_SAFE = "".join(c for c in HEADER_SAFE if c not in '",;\\')
"""What a cookie value may hold (RFC 6265)."""


@dataclass(frozen=True)
class Credentials:
    """Every credential of one case."""

    password: str
    """alice's login password (carol's is it plus ``-carol``)."""
    api_key: str
    """bob's ``X-API-Key`` (header-safe)."""
    newline_key: str
    """dave's ``X-API-Key``, sent with a trailing newline (header-safe before it)."""
    token: str
    """The bearer token ``POST /login`` hands out (header-safe)."""
    cookie: str
    """The session cookie's value ``POST /login`` sets (cookie-safe)."""
    basic_password: str
    """root's password in ``Authorization: Basic base64(root:<it>)``."""
    url_user: str
    """The user in the target URL's userinfo."""
    url_password: str
    """The password in the target URL's userinfo."""
    broken_password: str
    """erin's password, sent to a login that answers a malformed response."""

    def secrets(self) -> dict[str, str]:
        """What must never be shown, by name."""
        return {
            "login password": self.password,
            "cookie login password": self.password + "-carol",
            "API key": self.api_key,
            "API key with a newline": self.newline_key + "\n",
            "token": self.token,
            "cookie": self.cookie,
            "Basic credentials": f"root:{self.basic_password}",
            "Basic password": self.basic_password,
            "URL userinfo": f"{self.url_user}:{self.url_password}",
            "URL password": self.url_password,
            "broken login password": self.broken_password,
        }

    def env(self) -> dict[str, str]:
        basic = base64.b64encode(f"root:{self.basic_password}".encode()).decode()
        return {
            "DG_PASSWORD": self.password,
            "DG_API_KEY": self.api_key,
            "DG_NEWLINE_KEY": self.newline_key + "\n",
            "DG_BASIC": basic,
            "DG_BROKEN_PASSWORD": self.broken_password,
        }


def spellings(secret: str) -> Iterator[str]:
    """``secret`` as a report, a log or an error message could spell it (written apart from the
    redactor's own list, so that the test does not grade the code by its own answer)."""
    raw = secret.encode()
    for value in {secret, secret.strip()}:
        yield value
        yield json.dumps(value)[1:-1]
        yield json.dumps(value, ensure_ascii=False)[1:-1]
        yield quote(value, safe="")
        yield quote(value)
        yield quote_plus(value)
        yield html.escape(value)
        yield html.escape(value, quote=False)
        yield repr(value)[1:-1]
        yield repr(value.encode())[2:-1]
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        yield encoded.decode()
        yield encoded.decode().rstrip("=")


def leaks(output: str, secrets: dict[str, str]) -> list[str]:
    """The secrets found in ``output``, each named with the spelling found."""
    found = []
    for name, secret in secrets.items():
        shown = next((s for s in spellings(secret) if len(s) >= 4 and s in output), None)
        if shown is not None:
            found.append(f"{name} {secret!r} shown as {shown!r}")
    return found


def markdown_problems(document: str) -> list[str]:
    """What a Markdown report must never contain: HTML, images, links other than the rule
    docs, or a broken severity table."""
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = parser.parse(document)
    inline = [child for token in tokens for child in token.children or ()]
    problems = [f"live {t.type}: {t.content!r}" for t in (*tokens, *inline) if "html" in t.type]
    problems += [f"image {t.attrGet('src')!r}" for t in inline if t.type == "image"]
    problems += [
        f"link to {t.attrGet('href')!r}"
        for t in inline
        if t.type == "link_open" and not str(t.attrGet("href")).startswith(DOCS)
    ]
    tables = sum(1 for t in tokens if t.type == "table_open")
    rows = sum(1 for t in tokens if t.type == "tr_open")
    if (tables, rows) != (1, SEVERITY_ROWS + 1):
        problems.append(f"{tables} tables with {rows} rows instead of the severity table")
    return problems


def scan_output(server: EchoServer, creds: Credentials, fmt: str, config: Path) -> tuple[str, str]:
    """``dynaguard scan`` of ``server`` as every identity, in ``fmt``: (stdout, stderr)."""
    userinfo = f"{quote(creds.url_user, safe='')}:{quote(creds.url_password, safe='')}"
    target = server.url.replace("http://", f"http://{userinfo}@")
    args = ["scan", target, "--active", "--config", str(config), "--format", fmt]
    args += ["--progress", "plain"]
    result = CliRunner().invoke(main, args, env=creds.env())
    crash = result.exception is not None and not isinstance(result.exception, SystemExit)
    if crash or result.exit_code not in (0, 1):
        detail = repr(result.exception) if crash else result.stderr.strip()
        raise AssertionError(f"--format {fmt}: exit {result.exit_code}: {detail}")
    return result.stdout, result.stderr


def refused_output(creds: Credentials) -> tuple[int, str, str]:
    """``dynaguard scan`` given an identity whose API key ends in a line break: (exit code,
    stdout, stderr). It must be refused before any request, without showing the key."""
    args = ["scan", "http://127.0.0.1:9", "--identity", "dave:user:X-API-Key=${DG_NEWLINE_KEY}"]
    result = CliRunner().invoke(main, args, env=creds.env())
    return result.exit_code, result.stdout, result.stderr


def run_case(creds: Credentials) -> list[str]:
    """What went wrong scanning the echo server with ``creds``, in every format (empty: nothing)."""
    problems: list[str] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        EchoServer(token=creds.token, cookie=creds.cookie) as server,
    ):
        config = Path(folder) / "dynaguard.toml"
        config.write_text(CONFIG, encoding="utf-8")
        for fmt in FORMATS:
            try:
                stdout, stderr = scan_output(server, creds, fmt, config)
            except AssertionError as exc:
                problems.append(str(exc))
                continue
            problems += [
                f"--format {fmt} stdout: {leak}" for leak in leaks(stdout, creds.secrets())
            ]
            problems += [
                f"--format {fmt} stderr: {leak}" for leak in leaks(stderr, creds.secrets())
            ]
            if fmt == "markdown":
                problems += [f"markdown: {problem}" for problem in markdown_problems(stdout)]
    return problems


def coincidental(creds: Credentials) -> bool:
    """Whether a credential is spelled in what every scan prints whatever the credentials are
    (rule titles, the HTML page, field names): finding it there would prove nothing."""
    fixed = _fixed_text()
    return any(len(s) >= 4 and s in fixed for v in creds.secrets().values() for s in spellings(v))


@cache
def _fixed_text() -> str:
    reference = credentials(random.Random(0))
    with (
        tempfile.TemporaryDirectory() as folder,
        EchoServer(token=reference.token, cookie=reference.cookie) as server,
    ):
        config = Path(folder) / "dynaguard.toml"
        config.write_text(CONFIG, encoding="utf-8")
        return "\n".join("\n".join(scan_output(server, reference, fmt, config)) for fmt in FORMATS)


# Shapes credentials take: each draw adds a random core, so two never coincide by chance.
_SHAPES = (
    lambda rng: "".join(rng.choice(string.hexdigits) for _ in range(32)),
    lambda rng: "sk_live_" + "".join(rng.choice(string.ascii_letters) for _ in range(24)),
    lambda rng: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0." + "".join(rng.choices("AZaz09_-", k=20)),
    lambda rng: base64.b64encode(rng.randbytes(18)).decode(),
    lambda rng: "p'a\"s\\s%2F&amp;<b>" + rng.choice(["", "{}", "}],"]),
    lambda rng: "[x](javascript:alert(1))|`" + rng.choice(["*", "_", "#"]),
)
_TEXT_SHAPES = (
    lambda rng: "pässwörd €" + rng.choice(["😀", "\u202e", "\u200f", "日本"]),
    lambda rng: "tab\there esc\x1b[31m " + rng.choice(["\r", "\x7f", "\x85"]),
    lambda rng: " spaced  password ",
    lambda rng: "".join(rng.choice(string.printable) for _ in range(rng.randint(8, 200))),
)


def credentials(rng: random.Random) -> Credentials:
    """One case: every credential drawn from the shapes, with a random core each."""

    def header(alphabet: str = HEADER_SAFE) -> str:
        shape = rng.choice(_SHAPES)(rng)
        kept = "".join(c for c in shape if c in alphabet)
        return kept + "".join(rng.choice(string.ascii_letters) for _ in range(8))

    def text() -> str:
        shape = rng.choice((*_SHAPES, *_TEXT_SHAPES))(rng)
        return shape + "".join(rng.choice(string.ascii_letters + "é") for _ in range(8))

    return Credentials(
        password=text(),
        api_key=header(),
        newline_key=header(),
        token=header(),
        cookie=header(COOKIE_SAFE),
        basic_password=text(),
        url_user="u" + header(string.ascii_letters + string.digits),
        url_password=text(),
        broken_password=text(),
    )


def env_safe(value: str) -> bool:
    """Whether ``value`` can travel in an environment variable (no NUL, no lone surrogate)."""
    try:
        os.fsencode(value)
    except UnicodeError:
        return False
    return "\x00" not in value
