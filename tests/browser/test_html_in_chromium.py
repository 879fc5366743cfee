"""The HTML report in headless Chromium: hostile content runs no script, nothing reaches the
console, and a screenshot shows a styled page (saved in ``tests/browser/artifacts/``).

Chromium is the Debian package ``chromium`` (``make browser-deps``). Without it the tests skip,
unless ``CI`` is set: CI must install it, so there they fail instead. ``DYNAGUARD_CHROMIUM``
names another binary (e.g. Chrome on a laptop).

How "no script ran" is observed: every payload that would run sets ``data-pwned`` on an element,
and ``--dump-dom`` prints the DOM after load. Console messages (CSP violations, failed loads,
errors) appear on stderr as ``CONSOLE`` lines with ``--enable-logging=stderr``. The control test
proves both signals fire in this Chromium, so a pass means something.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dynaguard.model import Endpoint, Exchange, Report
from dynaguard.report import html
from dynaguard.report.correlate import correlate
from tests.browser.hostile import PWN, hostile_report
from tests.browser.png import SIGNATURE, decode
from tests.report.conftest import make_dynamic, make_pedantic, make_static

ARTIFACTS = Path(__file__).parent / "artifacts"
WINDOW = (1280, 2000)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
# Older builds print "INFO:CONSOLE(12)", newer ones "INFO:CONSOLE:12".
CONSOLE = re.compile(r":CONSOLE[:(]")
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
INJECTED = f"<script>{PWN}</script></body>"


@dataclass(frozen=True)
class Loaded:
    """What Chromium made of a page."""

    attributes: set[str]
    """Every attribute name in the DOM after load."""
    tags: set[str]
    """Every element name in the DOM after load."""
    console: list[str]
    """Console messages Chromium logged."""


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: set[str] = set()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = (
        os.environ.get("DYNAGUARD_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI is set but chromium is not installed: run `make browser-deps` first")
    pytest.skip("chromium is not installed (run `make browser-deps`); in CI this is a failure")


def run(
    chromium: str, workdir: Path, document: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """Open the document from a file in a fresh profile, with the given extra flags."""
    workdir.mkdir(parents=True, exist_ok=True)
    page = workdir / "report.html"
    page.write_text(document, encoding="utf-8")
    profile = workdir / "profile"
    command = [chromium, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def load(chromium: str, workdir: Path, document: str) -> Loaded:
    done = run(chromium, workdir, document, "--dump-dom")
    assert "</html>" in done.stdout, done.stderr[-2000:]
    dom = _Dom()
    dom.feed(done.stdout)
    console = [line for line in done.stderr.splitlines() if CONSOLE.search(line)]
    return Loaded(dom.attributes, dom.tags, console)


def without_csp(document: str) -> str:
    stripped, count = CSP_META.subn("", document)
    assert count == 1
    return stripped


def test_hostile_report_runs_no_script_and_logs_nothing(chromium: str, tmp_path: Path) -> None:
    loaded = load(chromium, tmp_path, html.render(hostile_report()))
    assert "data-pwned" not in loaded.attributes
    assert not loaded.tags & {"script", "img", "svg", "iframe", "base", "link", "object", "embed"}
    assert not [name for name in loaded.attributes if name.startswith("on")]
    assert loaded.console == []


def test_escaping_alone_stops_the_payloads(chromium: str, tmp_path: Path) -> None:
    # With the CSP removed, only escaping stands between the payloads and the page.
    loaded = load(chromium, tmp_path, without_csp(html.render(hostile_report())))
    assert "data-pwned" not in loaded.attributes
    assert "script" not in loaded.tags
    assert loaded.console == []


def test_the_checks_would_see_a_script(chromium: str, tmp_path: Path) -> None:
    document = html.render(hostile_report()).replace("</body>", INJECTED)
    blocked = load(chromium, tmp_path / "csp", document)
    assert "data-pwned" not in blocked.attributes
    assert any("Content Security Policy" in line for line in blocked.console), blocked.console
    ran = load(chromium, tmp_path / "open", without_csp(document))
    assert "data-pwned" in ran.attributes


def test_screenshot_shows_a_styled_report(chromium: str, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    run(
        chromium,
        tmp_path,
        html.render(showcase()),
        f"--screenshot={shot}",
        "--window-size={},{}".format(*WINDOW),
    )
    data = shot.read_bytes()
    # A blank page at this size is about 12 KB; the report is well over 100 KB.
    assert data.startswith(SIGNATURE) and len(data) > 50_000
    top = decode(data, max_rows=360)
    assert (top.width, top.height) == (WINDOW[0], 360)
    # The header is dark only if the inline stylesheet applied (the CSP allows inline CSS).
    assert sum(top.pixel(8, 8)) < 150, top.pixel(8, 8)
    assert len(top.colours()) > 50


def test_screenshot_of_the_hostile_report(chromium: str, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "hostile.png"
    shot.unlink(missing_ok=True)
    run(
        chromium,
        tmp_path,
        html.render(hostile_report()),
        f"--screenshot={shot}",
        "--window-size={},{}".format(*WINDOW),
    )
    data = shot.read_bytes()
    assert data.startswith(SIGNATURE) and len(data) > 50_000


def showcase() -> Report:
    """A realistic report: one joined finding, one dynamic only, one static only."""
    static = make_static()
    url = "http://127.0.0.1:8000/users"
    evidence = (
        Exchange(
            "POST",
            url,
            (("Authorization", "Bearer <eve-token>"), ("Content-Type", "application/json")),
            '{"username": "eve", "is_admin": true}',
            201,
            '{"status": "created", "user_id": "u-eve"}',
            "eve",
            "eve creates her account and adds is_admin",
            f'curl -X POST -H \'Authorization: Bearer $EVE_TOKEN\' -d \'{{"username": "eve", "is_admin": true}}\' {url}',
        ),
        Exchange(
            "GET",
            f"{url}/u-eve",
            (("Authorization", "Bearer <eve-token>"),),
            "",
            200,
            '{"user_id": "u-eve", "username": "eve", "is_admin": true}',
            "eve",
            "reading the item back shows the planted attribute",
            f"curl -H 'Authorization: Bearer $EVE_TOKEN' {url}/u-eve",
        ),
    )
    proof = replace(
        make_dynamic(),
        rule=static.rule,
        endpoint=Endpoint("POST", "/users/"),
        message="the stored item kept is_admin=true, which the client sent",
        fingerprint="5" * 32,
        evidence=evidence,
        severity=None,
    )
    findings = correlate([static, make_pedantic()], [proof, make_dynamic()])
    return Report(findings=findings, files_scanned=4, target="/srv/shop", tool_version="0.1.0")
