"""The only way the scanner talks to the target: every request checked against the origin.

A total deadline per request (http/deadline.py) and one for the whole scan (``stop_at``), a cap on
response bodies, ``--rate`` and a bound on requests in flight that falls when the target stops
answering (http/throttle.py). Retries with exponential backoff: reads (GET, HEAD) after any
failure to answer, writes only after a connection error (the request never left, so a retry
cannot write twice). Redirects are followed only within the origin, so credentials never leave
it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from dynaguard import __version__
from dynaguard.dynamic.errors import OriginError
from dynaguard.dynamic.http.deadline import bounded, deadline, read_body
from dynaguard.dynamic.http.throttle import Throttle

USER_AGENT = f"dynaguard/{__version__} (+dynamic scan)"
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Failures before the request left: resending cannot write twice."""
_UNANSWERED = (*_NEVER_SENT, httpx.TimeoutException)
"""No answer at all, what an overloaded target gives: the scan slows down for them. A connection
the target closed or reset is an answer of sorts (it crashed on that request): not retried."""
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
STOPPED = "not sent: the scan reached its --max-time"


@dataclass(frozen=True, slots=True)
class Request:
    """A request as sent (credentials included: redact before showing it)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    identity: str


@dataclass(frozen=True, slots=True)
class Response:
    """A response, its body cut at the size cap."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    truncated: bool = False

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass(frozen=True, slots=True)
class Call:
    """One request and what came back (``response`` is None after a transport error)."""

    request: Request
    response: Response | None
    error: str = ""
    operation: str = ""
    """Key of the spec operation (``GET /records/{id}``), empty for requests outside the spec."""
    unanswered: bool = False
    """No answer at all (a timeout, no connection) even after retries and slowing down, as
    opposed to a connection the target closed: nothing can be concluded from it."""

    @property
    def status(self) -> int:
        return self.response.status if self.response else 0

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The parsed JSON body, or None when there is none (or it nests past what Python
        parses)."""
        if self.response is None or not self.response.body:
            return None
        try:
            return json.loads(self.response.body)
        except (ValueError, RecursionError):
            return None


class RateLimiter:
    """At most ``rate`` requests per second overall (0: no limit), shared by every thread."""

    def __init__(
        self,
        rate: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock

    def acquire(self, count: int = 1) -> None:
        if not self._interval:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self._interval * count
        if start > now:
            self._sleep(start - now)


def origin_of(url: str) -> tuple[str, str, int]:
    """(scheme, host, port); a URL without one (``http://h:99999/``, ``http://[::1``) is no
    origin at all."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "", "", -1
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), port or default


class HttpClient:
    """Sends requests to one origin and records each one (the read-only guarantee is tested on
    this record)."""

    def __init__(
        self,
        target: str,
        *,
        timeout: float = 10.0,
        max_bytes: int = 1_000_000,
        rate: float = 0.0,
        concurrency: int = 4,
        retries: int = 2,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.target = target.rstrip("/")
        self.origin = origin_of(target)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.limiter = RateLimiter(rate, sleep)
        self._retries = retries
        self._sleep = sleep
        self.throttle = Throttle(concurrency)
        """Requests in flight: lowered when the target stops answering (http/throttle.py)."""
        self._lock = threading.Lock()
        self._traffic: list[Request] = []
        self._hooks: list[Callable[[Call], None]] = []
        limits = httpx.Limits(max_connections=concurrency + 2)
        self._stop: float | None = None
        self._client = bounded(
            httpx.Client(
                timeout=httpx.Timeout(timeout),
                follow_redirects=False,
                transport=transport,
                limits=limits,
                # NOTE: a session cookie is its identity's (auth.py sends it); httpx would keep it
                # and send it with every identity's requests, anonymous ones included.
                cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
            )
        )

    @property
    def traffic(self) -> tuple[Request, ...]:
        """Every request sent so far, in order."""
        with self._lock:
            return tuple(self._traffic)

    def on_call(self, hook: Callable[[Call], None]) -> None:
        """Run ``hook`` on every completed call (passive checks, coverage)."""
        self._hooks.append(hook)

    def stop_at(self, when: float | None) -> None:
        """Send nothing after ``when`` (``time.monotonic()``); requests in flight end by then."""
        self._stop = when

    @property
    def stopped(self) -> bool:
        return self._stop is not None and time.monotonic() >= self._stop

    def deadline(self) -> float:
        """When a request starting now must be over: its timeout, or the scan's end if sooner."""
        at = time.monotonic() + self.timeout
        return at if self._stop is None else min(at, self._stop)

    def record(self, request: Request) -> None:
        with self._lock:
            self._traffic.append(request)

    def same_origin(self, url: str) -> bool:
        return origin_of(url) == self.origin

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        identity: str = "anonymous",
        operation: str = "",
        max_bytes: int | None = None,
    ) -> Call:
        """Send one request (following same-origin redirects of GETs) and return the call;
        ``max_bytes`` replaces the client's cap on the body read."""
        if not self.same_origin(url):
            raise OriginError(f"refusing to send {method} {url}: outside the target {self.target}")
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        if body:
            all_headers.setdefault("Content-Type", "application/json")
        request = Request(method, url, tuple(all_headers.items()), body, identity)
        cap = self.max_bytes if max_bytes is None else max_bytes
        call = self._send(request, operation, cap)
        for _ in range(3):
            location = call.response.header("location") if call.response else None
            if method != "GET" or not location or call.status not in (301, 302, 303, 307, 308):
                break
            target = urljoin(url, location)
            if not self.same_origin(target):
                break  # NOTE: never follow a redirect off the origin: it would carry credentials
            redirected = Request(method, target, request.headers, b"", identity)
            call = self._send(redirected, operation, cap)
        self.notify(call)
        return call

    def notify(self, call: Call) -> None:
        for hook in self._hooks:
            hook(call)

    def _send(self, request: Request, operation: str, max_bytes: int) -> Call:
        self.limiter.acquire()
        if self.stopped:
            return Call(request, None, error=STOPPED, operation=operation)
        self.record(request)
        for attempt in range(self._retries + 1):
            with self.throttle.slot() as seen:
                try:
                    return Call(request, self._exchange(request, max_bytes), operation=operation)
                except _UNANSWERED as exc:
                    failure: Exception = exc
                except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
                    # NOTE: UnicodeError: a header or URL the target's answers put a lone
                    # surrogate in (a token, an id); httpx cannot encode it.
                    return Call(request, None, error=_describe(exc), operation=operation)
            if self.stopped:
                return Call(request, None, error=self._late(failure), operation=operation)
            self.throttle.slow_down(seen)
            if attempt == self._retries or not _may_resend(request.method, failure):
                why = self._failed(failure)
                return Call(request, None, error=why, operation=operation, unanswered=True)
            self._sleep(0.2 * 2**attempt)  # outside the slot: the others go on meanwhile
        raise AssertionError("unreachable")  # pragma: no cover

    def _failed(self, exc: Exception) -> str:
        """Why a request got no answer, and how the scan slowed down for it."""
        if isinstance(exc, httpx.TimeoutException):
            why = f"{type(exc).__name__}: no complete response within {self.timeout:g} s"
        else:
            why = _describe(exc)
        lowered = self.throttle.describe()
        return f"{why} ({lowered})" if lowered else why

    def _late(self, exc: Exception) -> str:
        return f"{type(exc).__name__}: cut at the scan's --max-time"

    def _exchange(self, request: Request, max_bytes: int) -> Response:
        # NOTE: httpx replaces an Authorization header by Basic credentials from the URL's
        # userinfo; an identity's own header must win (the userinfo serves requests without one).
        own = any(name.lower() == "authorization" for name, _ in request.headers)
        with (
            deadline(self.deadline()),
            self._client.stream(
                request.method,
                request.url,
                headers=list(request.headers),
                content=request.body or None,
                auth=httpx.Auth() if own else httpx.USE_CLIENT_DEFAULT,
            ) as response,
        ):
            body, truncated = read_body(response, max_bytes)
            return Response(
                response.status_code, tuple(response.headers.multi_items()), body, truncated
            )

    def close(self) -> None:
        self._client.close()


def _may_resend(method: str, exc: Exception) -> bool:
    """A read may be sent again whatever happened; a write only if it never left."""
    return method in IDEMPOTENT or isinstance(exc, _NEVER_SENT)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
