"""A webhook receiver on 127.0.0.1 that checks each delivery's signature and counts them."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from dynaguard.monitor import alerts


class Receiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.deliveries: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        """The headers of each accepted delivery."""
        self.rejected = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def take(self, headers: Any, body: bytes) -> bool:
        ok = alerts.verify(
            self.secret,
            headers.get(alerts.TIMESTAMP, ""),
            body,
            headers.get(alerts.SIGNATURE, ""),
            time.time(),
        )
        if ok:
            self.deliveries.append(json.loads(body))
            self.headers.append(dict(headers.items()))
        else:
            self.rejected += 1
        return ok

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ok = self.server.owner.take(self.headers, body)  # type: ignore[attr-defined]
        self.send_response(204 if ok else 401)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass
