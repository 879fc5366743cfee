"""Servers the dynamic tests scan: only ever on 127.0.0.1, started and stopped by the tests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from dynaguard.dynamic import Identity, Login, Role
from dynaguard.lab import Lab
from tests.dynamic.notes_app import create_app

_PREFIXES = count()


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Served:
    """A Flask app on 127.0.0.1:<free port> in a daemon thread."""

    def __init__(self, app: Flask) -> None:
        app.logger.setLevel(logging.CRITICAL)  # the vulnerable handlers' 500s are expected
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=_Quiet
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    with Lab(embedded=True) as running:
        yield running


@contextmanager
def serve_notes(lab: Lab, *, vulnerable: bool) -> Iterator[Served]:
    """A fresh notes app (its own table) served until the block ends."""
    app = create_app(lab.resource(), vulnerable=vulnerable, prefix=f"n{next(_PREFIXES)}_")
    served = Served(app)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def vulnerable_notes(lab: Lab) -> Iterator[Served]:
    with serve_notes(lab, vulnerable=True) as served:
        yield served


@pytest.fixture
def secure_notes(lab: Lab) -> Iterator[Served]:
    with serve_notes(lab, vulnerable=False) as served:
        yield served


IDENTITIES = (
    Identity("alice", Role.USER, headers={"X-API-Key": "alice-key"}),
    Identity(
        "bob",
        Role.USER,
        login=Login(
            path="/login",
            body={"user": "bob", "pass": "bob-pw"},
            token="/data/token",
            prefix="Token ",
        ),
    ),
    Identity("root", Role.ADMIN, headers={"X-API-Key": "root-key"}),
)
"""alice by API key, bob by a login request (token at a JSON pointer), root the admin."""
