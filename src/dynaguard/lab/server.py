"""Start, reach and stop a DynamoDB endpoint."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource

ENDPOINT_ENV = "AWS_ENDPOINT_URL_DYNAMODB"
DEFAULT_REGION = "us-east-1"


class LabError(RuntimeError):
    """The embedded DynamoDB could not be started or reached."""


class _OneAtATime:
    """A WSGI wrapper that serves one request at a time.

    NOTE: DynamoDB applies writes to an item atomically (``ADD``, conditions), but moto runs them
    in Python without a lock, so two threads can interleave inside one ``ADD`` and lose an
    increment real DynamoDB never loses. The lab must not invent lost updates: a race that spans
    two requests (get, then put) still shows, one inside a single request does not.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


class Lab:
    """A DynamoDB endpoint: embedded moto on loopback, an endpoint from the environment, or AWS.

    ``embedded=None`` (the default) embeds moto unless ``AWS_ENDPOINT_URL_DYNAMODB`` is set.
    """

    def __init__(
        self,
        *,
        embedded: bool | None = None,
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> None:
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        self._endpoint_url = endpoint_url or os.environ.get(ENDPOINT_ENV)
        self._embedded = (self._endpoint_url is None) if embedded is None else embedded
        self._server: Any = None

    @property
    def embedded(self) -> bool:
        return self._embedded

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint boto3 talks to; None means the default AWS endpoint."""
        return self._endpoint_url

    def start(self) -> Lab:
        if not self._embedded or self._server is not None:
            return self
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise LabError(
                "the embedded DynamoDB needs moto: pip install 'dynaguard[demo]'"
            ) from exc
        # moto's werkzeug server logs every request to stderr; the demo's output is ours.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # Port 0: the OS picks a free port, so parallel labs never collide.
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        try:
            server.start()
        except OSError as exc:
            raise LabError(f"cannot start the embedded DynamoDB on 127.0.0.1: {exc}") from exc
        # moto builds its WSGI server in start(); wrap its app before any request can arrive.
        wsgi: Any = server._server
        wsgi.app = _OneAtATime(wsgi.app)
        host, port = server.get_host_and_port()
        self._server = server
        self._endpoint_url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def session_kwargs(self) -> dict[str, str]:
        """Keyword arguments for ``boto3.client`` / ``boto3.resource`` that reach this endpoint."""
        kwargs = {"region_name": self.region}
        if self._endpoint_url:
            kwargs["endpoint_url"] = self._endpoint_url
        if self._embedded:
            # moto accepts any credentials; fixed ones keep a developer's real keys out of it.
            kwargs["aws_access_key_id"] = "dynaguard"
            kwargs["aws_secret_access_key"] = "dynaguard"
        return kwargs

    def env(self) -> dict[str, str]:
        """Environment variables that point a child process (e.g. a twin app) at this endpoint."""
        env = {"AWS_DEFAULT_REGION": self.region}
        if self._endpoint_url:
            env[ENDPOINT_ENV] = self._endpoint_url
        if self._embedded:
            env["AWS_ACCESS_KEY_ID"] = "dynaguard"
            env["AWS_SECRET_ACCESS_KEY"] = "dynaguard"
        return env

    def resource(self) -> DynamoDBServiceResource:
        return boto3.resource("dynamodb", **self.session_kwargs())  # type: ignore[call-overload,no-any-return]

    def client(self) -> DynamoDBClient:
        return boto3.client("dynamodb", **self.session_kwargs())  # type: ignore[call-overload,no-any-return]

    def streams_client(self) -> Any:
        return boto3.client("dynamodbstreams", **self.session_kwargs())  # type: ignore[call-overload]
