"""A hostile API on 127.0.0.1 that hands every credential it receives back to the scanner.

It remembers every credential a request carried (header values, the decoded Basic credentials,
login bodies and their JSON strings) and repeats all of them, in the encodings a server or an
HTTP library would use, in every later answer: JSON bodies, response headers, a redirect's
``Location``, a 500's plain-text error and a malformed header line that httpx quotes in its error
message. It also serves ``MARKUP`` (links, HTML, table pipes) wherever a report could show server
text: operation paths, attribute names, messages.
"""

from __future__ import annotations

import base64
import html
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, quote_plus

from dynaguard.demo.server import RunningApp

MARKUP = (
    "[click](javascript:alert(1)) <javascript:alert(2)> ![x](data:text/html,<script>alert(3)</script>)"
    " <img src=x onerror=alert(4)> | a | b |\n| --- | --- |\n[ref]: javascript:alert(5) `tick` *em*"
)
"""Markdown and HTML a report must keep inert."""

HOSTILE_PATH = "/x/<b>|[a](javascript:alert(1))"
"""An operation whose path itself is markup."""

# Headers every client sends: echoing them is noise.
_DULL = frozenset({"host", "content-length", "accept-encoding", "connection", "accept"})
_SELF = {"get": {"security": [{"key": []}], "responses": {"200": {"description": "me"}}}}
_CREATE = {
    "security": [{"key": []}],
    "requestBody": {
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"name": {"type": "string"}}}
            }
        }
    },
    "responses": {"201": {"description": "created"}},
}


def spec() -> dict[str, Any]:
    """OpenAPI 3: logins, a self endpoint, a redirect, a create whose reads fail, a hostile path."""
    public = {"security": [], "responses": {"200": {"description": "ok"}}}
    item = {
        "get": {
            "security": [{"key": []}],
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": {"description": "an item"}},
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": MARKUP, "version": "1"},
        "components": {
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}
        },
        "paths": {
            "/login": {"post": public},
            "/login-broken": {"post": public},
            "/me": _SELF,
            "/profile": _SELF,
            HOSTILE_PATH: _SELF,
            "/items": {"post": _CREATE},
            "/items/{id}": item,
        },
    }


def encodings(value: str) -> list[str]:
    """``value`` as servers and libraries repeat it: raw, URL-, base64-, HTML- and JSON-encoded."""
    raw = value.encode("utf-8", "surrogatepass")
    return [
        value,
        quote(raw, safe=""),
        quote_plus(raw, safe=""),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        html.escape(value),
        json.dumps(value),
    ]


class EchoServer(RunningApp):
    """The hostile API in a daemon thread; a context manager that stops it on exit."""

    def __init__(self, *, token: str, cookie: str) -> None:
        self.token = token
        """The bearer token ``POST /login`` hands out (a credential the scan obtains)."""
        self.cookie = cookie
        """The session cookie's value ``POST /login`` sets."""
        self.seen: list[str] = []
        self._lock = threading.Lock()
        server = _Quiet(("127.0.0.1", 0), _handler(self))
        server.host, server.port = server.server_address[:2]  # what RunningApp reads
        super().__init__(server)

    def remember(self, values: Iterator[str]) -> list[str]:
        """Add what a request carried; everything received so far, in every encoding."""
        with self._lock:
            self.seen.extend(v for v in values if v and v not in self.seen)
            return [form for value in self.seen for form in encodings(value)]


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """The race probe drops connections it has its answer from: not the test's output."""


def _handler(server: EchoServer) -> type[BaseHTTPRequestHandler]:
    class Echo(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # head and body in one write: no Nagle delay between them

        def do_GET(self) -> None:
            echoed = server.remember(self._received(b""))
            path = self.path.split("?", 1)[0]
            if path == "/openapi.json":
                self._json(200, spec(), echoed)
            elif path == "/profile":
                seen = quote("\n".join(echoed), safe="")
                self._send(302, b"", echoed, location=f"/me?seen={seen}&md={quote(MARKUP)}")
            elif path.startswith("/items/"):
                self._send(500, "\n".join(["Traceback:", *echoed, MARKUP]).encode(), echoed)
            else:
                self._json(200, _exposed(echoed), echoed)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            echoed = server.remember(self._received(body))
            if self.path == "/login-broken":
                self._broken(echoed)
                return
            if self.path == "/items":
                # The new item's id is everything received: cleanup messages name it.
                self._json(201, {"id": " ".join(server.seen), "echo": echoed}, echoed)
                return
            answer = {"access_token": server.token, "echo": echoed, "message": MARKUP}
            self._json(200, answer, echoed, cookie=f"sid={server.cookie}; Path=/")

        def _received(self, body: bytes) -> Iterator[str]:
            for name, value in self.headers.items():
                if name.lower() not in _DULL:
                    yield value
                    yield from _basic(value)
            if self.path.startswith("/login"):  # other bodies carry probes' data, not credentials
                text = body.decode("utf-8", "replace")
                yield text
                yield from _strings(_loads(text))

        def _json(self, status: int, document: Any, echoed: list[str], cookie: str = "") -> None:
            self._send(status, json.dumps(document).encode(), echoed, cookie=cookie)

        def _send(
            self,
            status: int,
            body: bytes,
            echoed: list[str],
            *,
            location: str = "",
            cookie: str = "",
        ) -> None:
            self.send_response(status)
            for number, value in enumerate(echoed):
                self.send_header(f"X-Echo-{number}", quote(value, safe=" /=:@"))
            if location:
                self.send_header("Location", location)
            if cookie:
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _broken(self, echoed: list[str]) -> None:
            # A header line without a colon: h11 refuses it and quotes the line in its error.
            line = " ".join(echoed).replace("\r", " ").replace("\n", " ").replace(":", " ")
            self.wfile.write(b"HTTP/1.1 200 OK\r\n" + line.encode() + b"\r\n\r\n")
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the scan's requests are not the test's output."""

    return Echo


def _exposed(echoed: list[str]) -> dict[str, Any]:
    """A user whose password hash is exposed (a DG801 proof), carrying the echo and markup."""
    return {
        "username": "u",
        "password_hash": "pbkdf2$" + "0" * 16,
        f"secret_{MARKUP}": "s3cr3t-value",
        "echo": echoed,
        "message": " ".join([MARKUP, *echoed]),
    }


def _basic(value: str) -> Iterator[str]:
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "basic":
        try:
            yield base64.b64decode(token).decode("utf-8")
        except ValueError:
            return


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
