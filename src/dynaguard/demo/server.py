"""Serve a twin on loopback in a daemon thread, for the demo, the scanner and the tests."""

from __future__ import annotations

import threading
from types import TracebackType

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

POLL_INTERVAL = 0.05
"""Seconds between serve_forever's checks for shutdown."""


class _QuietHandler(WSGIRequestHandler):
    # One line per request on stderr would drown the demo's own output.
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class RunningApp:
    """A served app: ``.url`` to reach it, ``.stop()`` (or ``with``) to shut it down."""

    def __init__(self, server: BaseWSGIServer) -> None:
        self._server = server
        # serve_forever notices shutdown() at its next poll; the default 0.5 s makes stop() slow.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"twin-{server.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
            self._server.server_close()

    def __enter__(self) -> RunningApp:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(app: Flask, host: str = "127.0.0.1", port: int = 0) -> RunningApp:
    """Start serving ``app`` (one thread per request); port 0 lets the OS pick a free port."""
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    return RunningApp(server)
