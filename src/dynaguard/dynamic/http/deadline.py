"""A total deadline per request. httpx bounds each read, not the request: a server sending one
byte a second would hold a scan forever. Under :func:`deadline`, every connect, read and write of
a bounded client's connections gets the time left as its timeout, and none starts after it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

_DEADLINE: ContextVar[float | None] = ContextVar("dynaguard_deadline", default=None)
PASSED = "no complete response before the request's deadline (--timeout)"


@contextmanager
def deadline(at: float) -> Iterator[None]:
    """Requests made in this block (in this thread) end by ``at`` (``time.monotonic()``)."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def left(timeout: float | None) -> float | None:
    """``timeout`` shortened to the time left; raises once the deadline has passed."""
    at = _DEADLINE.get()
    if at is None:
        return timeout
    remaining = at - time.monotonic()
    if remaining <= 0:
        raise httpcore.ReadTimeout(PASSED)
    return remaining if timeout is None else min(timeout, remaining)


def read_body(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """(at most ``max_bytes`` of the body, whether there was more), by the deadline."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes], True
        at = _DEADLINE.get()
        if at is not None and time.monotonic() >= at:  # a transport not bounded() (a mock)
            raise httpx.ReadTimeout(PASSED)
    return b"".join(chunks), False


def bounded(client: httpx.Client) -> httpx.Client:
    """``client`` with its connections obeying :func:`deadline`."""
    # NOTE: httpx takes no network backend; its transports' httpcore pools do. Should a new
    # httpx move them, bodies stay bounded (read_body) and tests/hostile says what was lost.
    mounted: Iterable[Any] = [client._transport, *client._mounts.values()]
    for transport in mounted:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
    return client


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, left(timeout), local_address, socket_options)
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._backend.connect_unix_socket(path, left(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
