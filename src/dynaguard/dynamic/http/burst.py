"""Release N requests at the same instant over raw sockets (the last-byte technique).

Each connection is opened first and sent its whole request but the last byte; the server cannot
start handling any of them. Then the last bytes go out back to back, so every handler starts
within a few microseconds of the others: no client-side jitter hides a race window.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from dynaguard.dynamic.http.client import (
    STOPPED,
    USER_AGENT,
    Call,
    HttpClient,
    Request,
    Response,
)
from dynaguard.dynamic.http.deadline import PASSED

_MAX_RESPONSE = 65_536


def raw_request(url: str, method: str, headers: Mapping[str, str], body: bytes) -> bytes:
    """The request as HTTP/1.1 bytes, ``Connection: close`` so a response ends at EOF."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", f"User-Agent: {USER_AGENT}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() not in ("host", "connection")]
    if body and not any(k.lower() == "content-type" for k in headers):
        lines.append("Content-Type: application/json")
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def burst(
    http: HttpClient,
    url: str,
    method: str,
    *,
    headers: Mapping[str, str],
    body: bytes,
    count: int,
    identity: str,
    operation: str = "",
) -> list[Call]:
    """Send ``count`` copies of one request released together; one Call per copy, in order."""
    if not http.same_origin(url):
        http.send(method, url)  # raises OriginError with the usual message
    payload = raw_request(url, method, headers, body)
    request = Request(
        method, url, tuple({"User-Agent": USER_AGENT, **headers}.items()), body, identity
    )
    http.limiter.acquire(count)
    if http.stopped:
        return [Call(request, None, error=STOPPED, operation=operation) for _ in range(count)]
    at = http.deadline()
    sockets: list[socket.socket | None] = []
    for _ in range(count):
        http.record(request)
        sockets.append(_open(url, at))
    for sock in sockets:
        _send(sock, payload[:-1], at)
    for sock in sockets:  # the release: nothing else happens between these sends
        _send(sock, payload[-1:], at)
    calls = [_receive(sock, request, operation, at) for sock in sockets]
    for call in calls:
        http.notify(call)
    return calls


def _open(url: str, at: float) -> socket.socket | None:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        sock = socket.create_connection((parts.hostname or "", port), timeout=_left(at))
        if parts.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        return None
    return sock


def _send(sock: socket.socket | None, data: bytes, at: float) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):  # a closed socket shows as a failed call later
            sock.settimeout(_left(at))
            sock.sendall(data)


def _receive(sock: socket.socket | None, request: Request, operation: str, at: float) -> Call:
    if sock is None:
        return Call(request, None, error="connection failed", operation=operation)
    chunks: list[bytes] = []
    try:
        with sock:
            while sum(map(len, chunks)) < _MAX_RESPONSE:
                sock.settimeout(_left(at))
                chunk = sock.recv(8192)
                if not chunk:
                    break
                chunks.append(chunk)
    except OSError as exc:
        if not chunks:
            return Call(request, None, error=f"{type(exc).__name__}: {exc}", operation=operation)
    return Call(request, parse_response(b"".join(chunks)), operation=operation)


def _left(at: float) -> float:
    """Seconds to the deadline; a socket timeout (OSError) once it has passed."""
    remaining = at - time.monotonic()
    if remaining <= 0:
        raise TimeoutError(PASSED)
    return remaining


def parse_response(raw: bytes) -> Response | None:
    """Status, headers and body of a raw HTTP/1.x response (chunked bodies are decoded)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if len(status_line) < 2 or not status_line[1].isdigit():
        return None
    headers = tuple(
        (k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])
    )
    if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
        body = _dechunk(body)
    return Response(int(status_line[1]), headers, body)


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return bytes(out)
