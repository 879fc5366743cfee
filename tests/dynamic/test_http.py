"""The HTTP layer: one origin only, no credentials off it, bounded bodies, retries, redaction,
and the raw-socket burst."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from dynaguard.dynamic.errors import OriginError
from dynaguard.dynamic.http.burst import burst, parse_response, raw_request
from dynaguard.dynamic.http.client import HttpClient, RateLimiter
from dynaguard.dynamic.http.redact import REDACTED, Redactor
from dynaguard.dynamic.http.throttle import Throttle

TARGET = "http://api.test:8080"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl"


def _client(handler: httpx.MockTransport, **kwargs: object) -> tuple[HttpClient, list[float]]:
    slept: list[float] = []
    client = HttpClient(TARGET, transport=handler, sleep=slept.append, **kwargs)  # type: ignore[arg-type]
    return client, slept


def test_other_origins_are_refused_before_sending() -> None:
    client, _ = _client(httpx.MockTransport(lambda r: httpx.Response(200)))
    for url in ("http://evil.test:8080/x", "https://api.test:8080/x", "http://api.test:8081/x"):
        with pytest.raises(OriginError, match="outside the target"):
            client.send("GET", url)
    assert client.traffic == ()


def test_redirects_stay_on_the_origin_and_keep_credentials_there() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/start":
            return httpx.Response(302, headers={"Location": "/next"})
        if request.url.path == "/next":
            return httpx.Response(302, headers={"Location": "http://evil.test/steal"})
        return httpx.Response(200)

    client, _ = _client(httpx.MockTransport(handler))
    call = client.send("GET", TARGET + "/start", headers={"Authorization": "Bearer t0ken"})
    assert call.status == 302  # the off-origin redirect is returned, not followed
    assert [str(r.url) for r in seen] == [TARGET + "/start", TARGET + "/next"]
    assert all(r.headers["Authorization"] == "Bearer t0ken" for r in seen)


def test_response_bodies_are_capped() -> None:
    client, _ = _client(
        httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 50_000)), max_bytes=2048
    )
    call = client.send("GET", TARGET + "/big")
    assert call.response is not None and call.response.truncated
    assert len(call.response.body) == 2048


def test_connection_errors_are_retried_with_backoff() -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(204)

    client, slept = _client(httpx.MockTransport(handler), retries=2)
    assert client.send("POST", TARGET + "/x", body=b"{}").status == 204
    assert slept == [0.2, 0.4]

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client, slept = _client(httpx.MockTransport(down), retries=1)
    call = client.send("GET", TARGET + "/x")
    assert call.response is None and "ConnectError" in call.error and slept == [0.2]


def test_read_errors_are_not_retried() -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ReadTimeout("slow", request=request)

    client, _ = _client(httpx.MockTransport(handler), retries=3)
    assert client.send("POST", TARGET + "/x", body=b"{}").error.startswith("ReadTimeout")
    assert len(attempts) == 1  # a request that may have arrived is never sent twice


def test_rate_limiter_spaces_requests() -> None:
    slept: list[float] = []
    limiter = RateLimiter(4.0, sleep=slept.append, clock=lambda: 100.0)  # time stands still
    for _ in range(3):
        limiter.acquire()
    limiter.acquire(2)  # a burst books two slots
    limiter.acquire()
    assert slept == [0.25, 0.5, 0.75, 1.25]
    RateLimiter(0, sleep=slept.append).acquire(100)  # no limit: no sleep
    assert len(slept) == 4


def test_redaction_of_headers_bodies_urls_and_curl() -> None:
    redactor = Redactor()
    redactor.add_secret("Bearer opaque-token-1234")
    redactor.add_header("X-Tenant-Key")
    client, _ = _client(
        httpx.MockTransport(
            lambda r: httpx.Response(
                200,
                json={
                    "access_token": JWT,
                    "password_hash": "pbkdf2:abc",
                    "echo": "opaque-token-1234",
                    "name": "alice",
                },
            )
        )
    )
    call = client.send(
        "POST",
        TARGET + "/login?api_key=k&page=2",
        headers={"Authorization": "Bearer opaque-token-1234", "X-Tenant-Key": "t", "Cookie": "s=1"},
        body=json.dumps({"password": "hunter22", "name": "alice"}).encode(),
        identity="alice",
    )
    exchange = redactor.exchange(call, "why")
    text = repr(exchange)
    for secret in ("opaque-token-1234", "hunter22", JWT, "pbkdf2:abc", "api_key=k"):
        assert secret not in text
    assert dict(exchange.request_headers)["Authorization"] == REDACTED
    assert '"name": "alice"' in exchange.response_body and "page=2" in exchange.url
    assert '"${DG_ALICE_AUTHORIZATION}"' in exchange.curl.replace("Authorization: ", "")
    assert exchange.curl.startswith("curl -X POST ")


def test_long_bodies_are_cut() -> None:
    text = Redactor().body(b"a" * 5000, limit=100)
    assert text.startswith("a" * 100) and text.endswith("(4900 more characters)")


@pytest.fixture
def barrier_server() -> Iterator[tuple[str, list[bytes]]]:
    """Answers only once 5 requests are all being handled at the same time."""
    barrier = threading.Barrier(5, timeout=10)
    received: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def handle(conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < 2:
                data += conn.recv(4096)
            received.append(data)
            barrier.wait()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
            )

    def accept() -> None:
        for _ in range(5):
            conn, _ = listener.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    thread.join()
    listener.close()


def test_burst_releases_every_request_together(barrier_server: tuple[str, list[bytes]]) -> None:
    url, received = barrier_server
    client = HttpClient(url)
    calls = burst(
        client,
        url + "/x/1/like?n=1",
        "POST",
        headers={"Authorization": "Bearer t"},
        body=b"{}",
        count=5,
        identity="alice",
    )
    assert [c.status for c in calls] == [200] * 5
    assert all(c.json() == {} for c in calls)
    assert len(client.traffic) == 5 and received[0].startswith(b"POST /x/1/like?n=1 HTTP/1.1\r\n")


def test_raw_request_and_response_parsing() -> None:
    raw = raw_request("http://h:1/p?q=1", "PATCH", {"X-A": "b", "Host": "evil"}, b'{"a":1}')
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"PATCH /p?q=1 HTTP/1.1\r\nHost: h:1\r\n")
    assert b"Host: evil" not in head and b"Content-Length: 7" in head and body == b'{"a":1}'
    parsed = parse_response(b"HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\n\r\n{}")
    assert (
        parsed is not None
        and parsed.status == 409
        and parsed.header("content-type") == "application/json"
    )
    assert parse_response(b"garbage") is None


def test_reads_are_retried_after_a_timeout_and_the_scan_slows_down() -> None:
    attempts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(request.method)
        if len(attempts) < 3:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200)

    client, slept = _client(httpx.MockTransport(handler), retries=2, concurrency=4)
    assert client.send("GET", TARGET + "/x").status == 200
    assert attempts == ["GET"] * 3 and slept == [0.2, 0.4]
    assert client.throttle.limit == 1 and client.throttle.describe() == (
        "concurrency lowered from 4 to 1"
    )


def test_a_write_that_timed_out_says_how_the_scan_slowed_down() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client, slept = _client(httpx.MockTransport(handler), retries=3, concurrency=8, timeout=2.0)
    call = client.send("PATCH", TARGET + "/x", body=b"{}")
    assert call.response is None and call.unanswered and slept == []  # never sent twice
    assert (
        call.error
        == "ReadTimeout: no complete response within 2 s (concurrency lowered from 8 to 4)"
    )


def test_a_connection_the_target_closed_is_its_answer() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    client, slept = _client(httpx.MockTransport(handler), retries=3)
    call = client.send("GET", TARGET + "/x")
    assert call.error == "RemoteProtocolError: Server disconnected" and not call.unanswered
    assert slept == [] and not client.throttle.lowered  # it crashed on this request: not overload


def test_failures_under_one_limit_lower_it_once() -> None:
    throttle = Throttle(8)
    with throttle.slot() as first, throttle.slot() as second:
        assert first == second == 8
    assert throttle.slow_down(first) == 4
    assert throttle.slow_down(second) == 4  # the same overload, already answered
    with throttle.slot() as seen:
        assert throttle.slow_down(seen) == 2
    assert Throttle(1).slow_down(1) == 1 and not Throttle(1).lowered
