"""Hostile servers (issue 18): a request has a total deadline, a scan has ``--max-time`` and still
reports what it did, and an answer no API should give (a redirect to port 99999, 1 GiB, headers
one byte at a time) is a failed call, never a traceback or a hang.

The bounds asserted are generous on purpose: without the deadlines these servers hold a request
for ever, so the tests fail by minutes, not by milliseconds. Every case of server_cases.py scanned
in a child process is the slow part (``pytest -m hostile_slow``, as bench/hostile/servers.py).
"""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from dynaguard.cli import main
from dynaguard.dynamic import ScanConfigError, build_options, parse_scan_table
from dynaguard.dynamic.http.burst import burst
from dynaguard.dynamic.http.client import HttpClient, origin_of
from tests.hostile.scan_runs import IDENTITIES
from tests.hostile.served import HostileServer
from tests.hostile.server_cases import SPEC, ServerCase, cases, scan_case

GENEROUS = 60.0
"""Seconds within which a bounded request or scan is over, however slow the machine."""


@pytest.mark.parametrize(
    "how", ["trickle-body", "trickle-head", "continue-forever", "silent", "lie-length"]
)
def test_every_request_has_a_total_deadline(how: str) -> None:
    with HostileServer({"/": how}) as server:
        http = HttpClient(server.url, timeout=0.5, retries=0)
        started = time.monotonic()
        call = http.send("GET", server.url + "/x")
        http.close()
    assert call.response is None
    # The scan slows down for a target that does not answer (http/throttle.py).
    assert call.error == (
        "ReadTimeout: no complete response within 0.5 s (concurrency lowered from 4 to 2)"
    )
    assert time.monotonic() - started < GENEROUS


def test_a_burst_against_a_trickling_server_ends_by_its_deadline() -> None:
    with HostileServer({"/": "trickle-body"}) as server:
        http = HttpClient(server.url, timeout=0.5)
        started = time.monotonic()
        calls = burst(
            http, server.url + "/x", "POST", headers={}, body=b"{}", count=3, identity="a"
        )
        http.close()
    assert len(calls) == 3 and time.monotonic() - started < GENEROUS


@pytest.mark.parametrize(
    ("how", "status", "error"),
    [
        ("redirect-bad-port", 302, ""),
        ("redirect-loop", 302, ""),
        ("redirect-port-word", 0, "RemoteProtocolError: Invalid URL in location header"),
        ("redirect-broken-ipv6", 0, "RemoteProtocolError: Invalid URL in location header"),
    ],
)
def test_a_redirect_nowhere_is_an_answer_not_a_traceback(how: str, status: int, error: str) -> None:
    with HostileServer({"/": how}) as server:
        http = HttpClient(server.url)
        call = http.send("GET", server.url + "/x")
        http.close()
    assert call.status == status and call.error.startswith(error)


def test_a_url_without_a_valid_port_is_no_origin() -> None:
    for url in ("http://127.0.0.1:99999/", "http://127.0.0.1:abc/", "http://[::1/"):
        assert origin_of(url) == ("", "", -1)


@pytest.mark.parametrize("how", ["huge", "huge-chunked", "gzip-bomb"])
def test_a_huge_answer_is_cut_at_the_cap(how: str) -> None:
    with HostileServer({"/": how}) as server:
        http = HttpClient(server.url, max_bytes=4096)
        call = http.send("GET", server.url + "/x")
        http.close()
    assert call.response is not None and call.response.truncated
    assert len(call.response.body) == 4096


def _scan(url: str, spec: Path, *flags: str) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(
        main, ["scan", url, "--spec", str(spec), *IDENTITIES, "--format", "json", *flags]
    )
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_a_server_trickling_for_ever_ends_the_scan_at_max_time_with_a_report(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "spec.json"
    spec.write_bytes(SPEC)
    config = tmp_path / "dynaguard.toml"
    config.write_text("[scan]\ncleanup-timeout = 1\n")
    with HostileServer({"/v1/": "trickle-body"}) as server:
        started = time.monotonic()
        # Each request alone could take 300 s; the scan may take one, and cleanup one more.
        flags = ["--active", "--timeout", "300", "--max-time", "1", "--config", str(config)]
        code, report, err = _scan(server.url, spec, *flags, "--progress", "plain")
    assert time.monotonic() - started < GENEROUS
    assert code == 0
    extra = report["extra"]
    assert isinstance(extra, dict)
    assert str(extra["cut_short"]).startswith("the scan reached its --max-time (1 s): ")
    assert any("--max-time" in w["message"] for w in report["warnings"])  # type: ignore[attr-defined, index]
    assert "not run: the scan reached its --max-time" in err  # the coverage table says where


def test_a_scan_that_ends_in_time_says_so(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_bytes(SPEC)
    with HostileServer() as server:
        code, report, _ = _scan(server.url, spec, "--max-time", "600")
    assert code == 0
    extra = report["extra"]
    assert isinstance(extra, dict) and extra["cut_short"] == "no"


def test_max_time_is_a_scan_key_and_a_flag() -> None:
    table = parse_scan_table({"max-time": 30}, "dynaguard.toml")
    assert build_options(table, "http://127.0.0.1:9", "dynaguard.toml").max_time == 30
    assert build_options(parse_scan_table({}, "x"), "http://127.0.0.1:9", "x").max_time == 600
    with pytest.raises(ScanConfigError, match=r"dynaguard.toml: key 'scan.max-time'"):
        parse_scan_table({"max-time": 0}, "dynaguard.toml")
    refused = CliRunner().invoke(main, ["scan", "http://127.0.0.1:9", "--max-time", "0"])
    assert refused.exit_code == 2 and "--max-time" in refused.stderr


@cache
def _all_cases() -> list[ServerCase]:
    return list(cases())


@pytest.mark.hostile_slow
@pytest.mark.parametrize("index", range(len(_all_cases())))
def test_every_server_case_scans_cleanly_read_only_and_active(index: int) -> None:
    case = _all_cases()[index]
    assert [scan_case(case, active) for active in (False, True)] == ["", ""]
