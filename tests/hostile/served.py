"""An HTTP server for the hostile campaigns: a trivial JSON API, or behaviours that no API should
have (a body trickling forever, a 1 GB answer, a redirect to port 99999...), chosen per path.

Only ever on 127.0.0.1, on a free port, in daemon threads; every behaviour ends when the client
goes, when the server stops, or after ``lifetime`` seconds, when the server stops itself.
"""

from __future__ import annotations

import gzip
import json
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import urlsplit

PACE = 0.25
"""Seconds between the bytes of a trickle."""
GIB = 2**30


class HostileServer:
    """Serves ``routes`` (path prefix -> behaviour, the longest prefix wins; ``api`` elsewhere)
    and ``spec`` at /openapi.json and /specs/... unless a route says otherwise."""

    def __init__(
        self, routes: Mapping[str, str] | None = None, spec: bytes = b"", lifetime: float = 300.0
    ) -> None:
        self.routes = {"/openapi.json": "spec", "/specs/": "spec", **(routes or {})}
        for behaviour in self.routes.values():
            if behaviour not in BEHAVIOURS:
                raise ValueError(f"unknown behaviour {behaviour!r}")
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.spec = spec
        self.stopping = threading.Event()
        self.store: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.ids = count(1)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def behaviour(self, path: str) -> str:
        found = [prefix for prefix in self.routes if path.startswith(prefix)]
        return self.routes[max(found, key=len)] if found else "api"

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: HostileServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:
            self.close_connection = True  # the client went: nothing more to do

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _dispatch(self) -> None:
        owner = self.server.owner
        self.body = self._read_body()
        path = urlsplit(self.path).path
        BEHAVIOURS[owner.behaviour(path)](self, owner)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, 10 * 2**20)) if length > 0 else b""

    def answer(
        self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def raw(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def wait(self, owner: HostileServer, seconds: float) -> bool:
        """Sleep up to ``seconds``; False once the client has gone or the server stops."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if owner.stopping.is_set():
                return False
            readable, _, _ = select.select([self.connection], [], [], min(PACE, seconds))
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                return False
        return not owner.stopping.is_set()


Behaviour = Callable[[_Handler, HostileServer], None]
BEHAVIOURS: dict[str, Behaviour] = {}


def behaviour(name: str) -> Callable[[Behaviour], Behaviour]:
    def register(function: Behaviour) -> Behaviour:
        BEHAVIOURS[name] = function
        return function

    return register


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


@behaviour("api")
def _api(h: _Handler, owner: HostileServer) -> None:
    """A trivial JSON store: POST creates under the path, GET reads it or lists its children."""
    path = urlsplit(h.path).path.rstrip("/") or "/"
    user = h.headers.get("X-User")
    if path == "/":
        return h.answer(200, b'{"ok": true}')
    if user is None:
        return h.answer(401, b'{"error": "who are you?"}')
    try:
        body = json.loads(h.body) if h.body else {}
    except (ValueError, RecursionError):
        return h.answer(400, b'{"error": "not JSON"}')
    with owner.lock:
        h.answer(*_store(owner, h.command, path, user, body if isinstance(body, dict) else {}))


def _store(
    owner: HostileServer, method: str, path: str, user: str, body: dict[str, Any]
) -> tuple[int, bytes, dict[str, str]]:
    store = owner.store
    if method == "GET":
        if path in store:
            return 200, _json(store[path]), {}
        children = [v for k, v in store.items() if k.rpartition("/")[0] == path]
        return 200, _json(children), {}
    if method == "POST":
        key = f"{path}/{next(owner.ids)}"
        store[key] = {**body, "id": key.rpartition("/")[2], "owner": user}
        return 201, _json(store[key]), {"Location": key}
    if method in ("PUT", "PATCH"):
        store[path] = {**store.get(path, {"owner": user}), **body}
        return 200, _json(store[path]), {}
    if method == "DELETE":
        return (204, b"", {}) if store.pop(path, None) is not None else (404, b"{}", {})
    return 405, b"{}", {}


@behaviour("spec")
def _spec(h: _Handler, owner: HostileServer) -> None:
    h.answer(200, owner.spec)


def _stream(h: _Handler, owner: HostileServer, chunks: Iterator[bytes]) -> None:
    for chunk in chunks:
        if owner.stopping.is_set():
            return
        h.raw(chunk)


@behaviour("huge")
def _huge(h: _Handler, owner: HostileServer) -> None:
    """1 GiB announced and sent (until the client stops reading)."""
    h.raw(f"HTTP/1.1 200 OK\r\nContent-Length: {GIB}\r\n\r\n".encode())
    _stream(h, owner, (b'{"x":"' if i == 0 else b"a" * 65536 for i in range(GIB // 65536)))


@behaviour("huge-chunked")
def _huge_chunked(h: _Handler, owner: HostileServer) -> None:
    h.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"a" * 65536 + b"\r\n"
    _stream(h, owner, (chunk for _ in range(GIB // 65536)))


@behaviour("trickle-body")
def _trickle_body(h: _Handler, owner: HostileServer) -> None:
    """A 200 whose body comes one byte every PACE seconds, for ever."""
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n[")
    while h.wait(owner, PACE):
        h.raw(b" ")


@behaviour("trickle-head")
def _trickle_head(h: _Handler, owner: HostileServer) -> None:
    """The status line and headers one byte every PACE seconds, for ever."""
    head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10**6
    for byte in head:
        if not h.wait(owner, PACE):
            return
        h.raw(bytes([byte]))


@behaviour("continue-forever")
def _continue_forever(h: _Handler, owner: HostileServer) -> None:
    while h.wait(owner, PACE):
        h.raw(b"HTTP/1.1 100 Continue\r\n\r\n")


@behaviour("silent")
def _silent(h: _Handler, owner: HostileServer) -> None:
    h.wait(owner, 3600)


@behaviour("lie-length")
def _lie_length(h: _Handler, owner: HostileServer) -> None:
    """Announces 100 bytes, sends 10, then says nothing more."""
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[1,2,3,4,5")
    h.wait(owner, 3600)


@behaviour("lie-length-close")
def _lie_length_close(h: _Handler, owner: HostileServer) -> None:
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[1,2,3,4,5")


@cache
def _gzip_bomb() -> bytes:
    """64 MiB of zeros, gzipped to about 64 kB."""
    return gzip.compress(b"\0" * 2**26, compresslevel=9)


@behaviour("gzip-bomb")
def _gzip(h: _Handler, owner: HostileServer) -> None:
    h.answer(200, _gzip_bomb(), {"Content-Encoding": "gzip"})


@behaviour("json-bomb")
def _json_bomb(h: _Handler, owner: HostileServer) -> None:
    """Valid JSON nested 400,000 deep (800 kB)."""
    h.answer(200, b"[" * 400_000 + b"]" * 400_000)


_CLOSE = "Connection: close\r\nContent-Length: 0\r\n\r\n"


def _redirect(location: str) -> Behaviour:
    def redirect(h: _Handler, owner: HostileServer) -> None:
        target = h.path if location == "SAME" else location
        h.raw(f"HTTP/1.1 302 Found\r\nLocation: {target}\r\n{_CLOSE}".encode())

    return redirect


for _name, _location in {
    "redirect-bad-port": "http://127.0.0.1:99999/x",
    "redirect-port-word": "http://127.0.0.1:abc/x",
    "redirect-broken-ipv6": "http://[::1/x",
    "redirect-loop": "SAME",
    "redirect-off": "http://127.0.0.2:9/x",
    "redirect-scheme": "gopher://127.0.0.1/x",
    "redirect-empty": "",
}.items():
    behaviour(_name)(_redirect(_location))


def _status(code: int, reason: str = "") -> Behaviour:
    def status(h: _Handler, owner: HostileServer) -> None:
        h.raw(f"HTTP/1.1 {code} {reason}\r\n{_CLOSE}".encode())

    return status


for _code in (401, 403, 404, 429, 500, 503, 999):
    behaviour(f"status-{_code}")(_status(_code))


@behaviour("garbage")
def _garbage(h: _Handler, owner: HostileServer) -> None:
    h.raw(b"SSH-2.0-OpenSSH_9.0\r\n\x00\xff\xfe garbage \r\n\r\n")


@behaviour("close")
def _close(h: _Handler, owner: HostileServer) -> None:
    h.close_connection = True


@behaviour("reset")
def _reset(h: _Handler, owner: HostileServer) -> None:
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.close_connection = True


@behaviour("bad-chunked")
def _bad_chunked(h: _Handler, owner: HostileServer) -> None:
    h.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n")


@behaviour("many-headers")
def _many_headers(h: _Handler, owner: HostileServer) -> None:
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(20_000))
    h.raw(b"HTTP/1.1 200 OK\r\n" + headers + b"Content-Length: 2\r\n\r\n{}")


@behaviour("huge-header")
def _huge_header(h: _Handler, owner: HostileServer) -> None:
    h.raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 2**20 + b"\r\nContent-Length: 2\r\n\r\n{}")


@behaviour("odd-token")
def _odd_token(h: _Handler, owner: HostileServer) -> None:
    """A login answering a token no header can carry."""
    h.answer(200, _json({"token": "é\u2028\r\nX-Injected: 1\x00"}))
