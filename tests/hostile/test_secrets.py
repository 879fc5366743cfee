"""Secrets: no credential a scan holds reaches any output, and server text stays inert in Markdown.

Fast: the issue's own cases scanned against the echo server in every format, errors that name a
URL, and hypothesis on the redactor's spellings and on whole reports. Slow (``hostile_slow``):
hypothesis draws whole sets of credentials and scans the echo server with each.
"""

from __future__ import annotations

import base64
import html
import json
import socket
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dynaguard.catalogue import get_rule
from dynaguard.cli import main
from dynaguard.dynamic.http.client import HttpClient
from dynaguard.dynamic.http.redact import REDACTED, Redactor
from dynaguard.model import Endpoint, Engine, Exchange, Finding, Report, ScanWarning
from dynaguard.report import OutputFormat, render
from tests.hostile.secrets_cases import (
    CONFIG,
    COOKIE_SAFE,
    FORMATS,
    HEADER_SAFE,
    Credentials,
    coincidental,
    credentials,
    env_safe,
    leaks,
    markdown_problems,
    refused_output,
    run_case,
    scan_output,
)
from tests.hostile.secrets_server import MARKUP, EchoServer

ISSUE = Credentials(
    password="hunter2-Pässwörd\"'\\<&>",
    api_key="api-key-1234567890",
    newline_key="newline-key-0987654321",
    token="opaque-token-abcdef",
    cookie="session-cookie-42424242",
    basic_password="basic-pw-31415",
    url_user="scanner",
    url_password="url-pw-27182",
    broken_password="broken-pw-16180",
)
"""The issue's cases: a login password echoed back, an API key with a trailing newline,
``user:password`` in the target URL, and the token, cookie and Basic header the scan holds."""

Outputs = dict[str, tuple[str, str]]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Outputs, list[str]]:
    """(stdout, stderr) of a scan in each format, and everything the server was sent."""
    config = tmp_path_factory.mktemp("secrets") / "dynaguard.toml"
    config.write_text(CONFIG, encoding="utf-8")
    with EchoServer(token=ISSUE.token, cookie=ISSUE.cookie) as server:
        outputs = {fmt: scan_output(server, ISSUE, fmt, config) for fmt in FORMATS}
        return outputs, list(server.seen)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_credential_in_any_format_nor_on_stderr(
    scanned: tuple[Outputs, list[str]], fmt: str
) -> None:
    stdout, stderr = scanned[0][fmt]
    assert leaks(stdout, ISSUE.secrets()) == []
    assert leaks(stderr, ISSUE.secrets()) == []
    assert REDACTED in stdout or html.escape(REDACTED) in stdout


def test_the_server_was_sent_every_credential_it_could_echo(
    scanned: tuple[Outputs, list[str]],
) -> None:
    received = "\n".join(scanned[1])
    unsent = {"API key with a newline"}  # refused before any request (see below)
    for name, secret in ISSUE.secrets().items():
        assert name in unsent or secret in received, name


def test_each_leak_of_the_issue_is_closed(scanned: tuple[Outputs, list[str]]) -> None:
    stdout, stderr = scanned[0]["text"]
    # user:password in the target URL
    assert f"scanning http://{REDACTED}@127.0.0.1:" in stderr
    assert f"http://{REDACTED}@127.0.0.1:" in stdout
    # the password the server echoed in a redirect's Location, URL-encoded
    assert "/me?seen=" in stdout and quote(ISSUE.password, safe="") not in stdout


def test_a_header_value_with_a_line_break_is_refused_up_front_without_showing_it() -> None:
    code, stdout, stderr = refused_output(ISSUE)
    assert code == 2
    assert "line break" in stderr and "--identity dave" in stderr
    assert leaks(stdout + stderr, ISSUE.secrets()) == []


def test_markdown_of_a_hostile_scan_has_no_live_markup(
    scanned: tuple[Outputs, list[str]],
) -> None:
    document = scanned[0]["markdown"][0]
    assert "javascript" in document  # the server's markup reached the report, inert
    assert markdown_problems(document) == []


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _scan(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["scan", *args, "--progress", "none"])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout + result.stderr


def test_an_unreachable_target_is_named_without_its_password(
    closed_port: int, tmp_path: Path
) -> None:
    no_retries = tmp_path / "dynaguard.toml"
    no_retries.write_text("[scan]\nretries = 0\n", encoding="utf-8")
    target = f"http://scanner:url-pw-27182@127.0.0.1:{closed_port}"
    code, output = _scan(target, "--config", str(no_retries))
    assert code == 3 and f"http://{REDACTED}@127.0.0.1:{closed_port}" in output
    assert "url-pw-27182" not in output


def test_a_bad_url_is_named_without_its_password() -> None:
    code, output = _scan("ftp://scanner:url-pw-27182@example.test/")
    assert code == 2 and "ftp://" in output and "url-pw-27182" not in output


def test_a_bad_spec_is_named_without_its_password() -> None:
    with EchoServer(token=ISSUE.token, cookie=ISSUE.cookie) as server:
        spec = server.url.replace("http://", "http://scanner:url-pw-27182@") + "/me"
        code, output = _scan(server.url, "--spec", spec)
    assert code == 2 and f"http://{REDACTED}@127.0.0.1:" in output
    assert "url-pw-27182" not in output


# Secrets any server or user could hold: no NUL (an environment variable cannot carry one), no
# lone surrogate, at least 4 characters once stripped (shorter ones are not masked: docs/scan.md).
ANY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=4,
    max_size=64,
).filter(lambda s: len(s.strip()) >= 4 and REDACTED.find(s.strip()) < 0)

SPELLERS: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "json": json.dumps,
    "json, not ASCII": lambda s: json.dumps(s, ensure_ascii=False),
    "json twice": lambda s: json.dumps(json.dumps(s)),
    "url": lambda s: quote(s, safe=""),
    "url, path": quote,
    "form": quote_plus,
    "url twice": lambda s: quote(quote(s, safe=""), safe=""),
    "html": html.escape,
    "repr": repr,
    "bytes repr": lambda s: repr(s.encode()),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64, URL-safe": lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
}


@given(
    secret=ANY_TEXT,
    speller=st.sampled_from(sorted(SPELLERS)),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
def test_the_redactor_masks_every_spelling(
    secret: str, speller: str, before: str, after: str
) -> None:
    redactor = Redactor()
    redactor.add_secret(secret)
    shown = redactor.text(before + SPELLERS[speller](secret) + after)
    assert leaks(shown, {"secret": secret}) == []


def test_a_secret_inside_a_longer_base64_text_no_longer_decodes() -> None:
    redactor = Redactor()
    redactor.add_secret("hunter2-password")
    for prefix in (b"", b"a", b"ab", b'{"password": "'):
        encoded = base64.b64encode(prefix + b"hunter2-password" + b'"}').decode()
        shown = redactor.text(encoded)
        assert REDACTED in shown
        assert b"hunter2-password" not in base64.b64decode(shown.replace(REDACTED, "") + "==")


def _hostile_report(text: str) -> Report:
    """A dynamic finding, a warning, a target and extras, all carrying ``text``."""
    exchange = Exchange("GET", f"http://h/{text}", (("X-Echo", text),), text, 500, text, "eve",
                        text, f"curl {text}")  # fmt: skip
    finding = Finding(
        rule=get_rule("DG801"),
        engine=Engine.DYNAMIC,
        message=text,
        fingerprint="0" * 32,
        endpoint=Endpoint("GET", f"/a/{text}"),
        evidence=(exchange,),
    )
    return Report(
        findings=(finding,),
        warnings=(ScanWarning(text),),
        target=text,
        extra={"identities": text, text: text},
    )


@given(secret=ANY_TEXT, speller=st.sampled_from(sorted(SPELLERS)), fmt=st.sampled_from(FORMATS))
def test_a_redacted_report_holds_no_secret_in_any_format(
    secret: str, speller: str, fmt: str
) -> None:
    # A secret spelled in what the format prints anyway (``incl`` in a heading) proves nothing.
    assume(leaks(render(_hostile_report("<->"), OutputFormat(fmt)), {"secret": secret}) == [])
    redactor = Redactor()
    redactor.add_secret(secret)
    report = redactor.deep(_hostile_report(f"<{SPELLERS[speller](secret)}>"))
    assert leaks(render(report, OutputFormat(fmt)), {"secret": secret}) == []


MARKDOWN_TEXT = st.text(
    st.one_of(st.sampled_from(list("[]()<>!`*_~|#\\:/.-=+&;\"' \n\tjavscrpt")), st.characters())
)


@given(MARKDOWN_TEXT)
def test_markdown_keeps_any_server_text_inert(text: str) -> None:
    document = render(_hostile_report(text), OutputFormat.MARKDOWN)
    assert markdown_problems(document) == []


def test_markdown_keeps_the_servers_markup_inert() -> None:
    document = render(_hostile_report(MARKUP), OutputFormat.MARKDOWN)
    assert "javascript" in document
    assert markdown_problems(document) == []


def _credential_sets() -> st.SearchStrategy[Credentials]:
    def header(alphabet: str) -> st.SearchStrategy[str]:
        return st.text(alphabet, min_size=8, max_size=64)

    drawn = st.builds(
        Credentials,
        password=ANY_TEXT,
        api_key=header(HEADER_SAFE),
        newline_key=header(HEADER_SAFE),
        token=header(HEADER_SAFE),
        cookie=header(COOKIE_SAFE),
        basic_password=ANY_TEXT,
        url_user=st.text(string.ascii_letters + string.digits, min_size=1, max_size=12),
        url_password=ANY_TEXT,
        broken_password=ANY_TEXT,
    )
    shaped = st.randoms(use_true_random=False).map(credentials)
    return st.one_of(shaped, drawn)


@pytest.mark.hostile_slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_credential_sets())
def test_any_credentials_stay_out_of_every_output(creds: Credentials) -> None:
    assume(all(env_safe(v) for v in creds.env().values()) and not coincidental(creds))
    assert run_case(creds) == []


def test_the_case_runner_reports_what_it_finds(tmp_path: Path) -> None:
    """The campaign's checks themselves: a leak, a crash and live markup are each reported."""
    assert leaks(f"x {quote('p@ss w0rd!')} y", {"pw": "p@ss w0rd!"}) == [
        "pw 'p@ss w0rd!' shown as 'p%40ss%20w0rd%21'"
    ]
    assert markdown_problems("[a](javascript:x)\n\n<b>\n") != []
    broken = tmp_path / "dynaguard.toml"
    broken.write_text("[scan]\nrate = 'fast'\n", encoding="utf-8")
    with (
        EchoServer(token=ISSUE.token, cookie=ISSUE.cookie) as server,
        pytest.raises(AssertionError, match="exit 2"),
    ):
        scan_output(server, ISSUE, "text", broken)


# Credentials must also stay with their own identity on the wire.


def _recording_client(seen: list[httpx.Request], target: str) -> HttpClient:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers={"Set-Cookie": "sid=carols-session; Path=/"})

    return HttpClient(target, transport=httpx.MockTransport(answer))


def test_an_identitys_authorization_wins_over_the_urls_userinfo() -> None:
    seen: list[httpx.Request] = []
    client = _recording_client(seen, "http://gate:gate-pw-1@api.test")
    client.send("GET", "http://gate:gate-pw-1@api.test/me", headers={"Authorization": "Bearer t"})
    client.send("GET", "http://gate:gate-pw-1@api.test/me")
    basic = "Basic " + base64.b64encode(b"gate:gate-pw-1").decode()
    assert [r.headers["Authorization"] for r in seen] == ["Bearer t", basic]


def test_a_session_cookie_goes_only_with_its_identity() -> None:
    seen: list[httpx.Request] = []
    client = _recording_client(seen, "http://api.test")
    client.send("POST", "http://api.test/login", identity="carol")
    client.send("GET", "http://api.test/me", identity="anonymous")
    client.send("GET", "http://api.test/me", headers={"Cookie": "sid=mine"}, identity="carol")
    assert [r.headers.get("Cookie") for r in seen] == [None, None, "sid=mine"]


def test_a_basic_pair_ending_in_a_control_character_is_masked_without_it() -> None:
    # Found by the campaign: ``root:0001\r`` sent in a Basic header, ``root%3A0001`` echoed.
    redactor = Redactor()
    redactor.add_secret("Basic " + base64.b64encode(b"root:0001\r").decode())
    shown = redactor.text("seen http://root%3A0001@host and root:0001 there")
    assert "0001" not in shown
