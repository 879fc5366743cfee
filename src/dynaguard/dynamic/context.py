"""What a probe works with: the API model, sessions, markers, one way to call an operation, and
one way to report a proof."""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from dynaguard.catalogue import CATALOGUE
from dynaguard.dynamic.api import IDENTITY_NAME, ApiModel
from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.cleanup import Cleanup
from dynaguard.dynamic.http.burst import burst
from dynaguard.dynamic.http.client import Call, HttpClient
from dynaguard.dynamic.http.forms import encode
from dynaguard.dynamic.http.redact import Redactor
from dynaguard.dynamic.interrupt import NEVER, Interrupt, Interrupted
from dynaguard.dynamic.markers import Markers
from dynaguard.dynamic.outcomes import Skip, Unanswered
from dynaguard.dynamic.restore import Snapshots
from dynaguard.dynamic.settings import ScanOptions, split_exclude
from dynaguard.dynamic.spec.bodies import JSON
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import sample
from dynaguard.model import Endpoint, Engine, Finding, Severity, fingerprint

NO_BODY: Any = object()
"""Sentinel: send no body at all (``None`` would send JSON ``null``)."""


def is_identity_param(name: str) -> bool:
    """A parameter that names a user: filled with the caller's own subject."""
    return bool(IDENTITY_NAME.fullmatch(name))


def excluded(op: Operation, patterns: tuple[str, ...]) -> bool:
    """``/admin/*`` matches any method, ``DELETE /users/*`` one method."""
    for pattern in patterns:
        method, path = split_exclude(pattern)
        if (not method or method == op.method) and fnmatch.fnmatchcase(op.path, path):
            return True
    return False


def base_url(target: str, base_path: str) -> str:
    """Where spec paths hang: the target itself when it has a path, else target + base path."""
    return target.rstrip("/") + ("" if urlsplit(target).path.rstrip("/") else base_path)


@dataclass(frozen=True, slots=True)
class Sessions:
    """The identities that authenticated, by kind."""

    users: tuple[Session, ...]
    admins: tuple[Session, ...]
    anonymous: Session

    @property
    def authenticated(self) -> tuple[Session, ...]:
        return (*self.users, *self.admins)

    def pair(self) -> tuple[Session, Session]:
        """Owner and attacker: two different non-admin identities (BOLA needs both)."""
        if len(self.users) < 2:
            raise Skip("needs two authenticated non-admin identities")
        return self.users[0], self.users[1]

    def owner(self) -> Session:
        if not self.users:
            raise Skip("needs an authenticated non-admin identity")
        return self.users[0]


@dataclass
class FindingSink:
    """Collects proofs once each (first proof of a fingerprint wins), thread-safe."""

    on_finding: Callable[[Finding], None]
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    findings: dict[str, Finding] = field(default_factory=dict)
    missing_rules: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wanted(self, rule_id: str) -> bool:
        chosen = not self.select or any(rule_id.startswith(s) for s in self.select)
        return chosen and not any(rule_id.startswith(s) for s in self.ignore)

    def found_on(self, endpoint: Endpoint | None) -> int:
        """How many proofs name ``endpoint`` so far (read under the lock: other tasks add
        theirs meanwhile, and iterating the dict while one does raises)."""
        with self.lock:
            return sum(1 for f in self.findings.values() if f.endpoint == endpoint)

    def add(self, finding: Finding) -> bool:
        with self.lock:
            if finding.fingerprint in self.findings:
                return False
            self.findings[finding.fingerprint] = finding
        self.on_finding(finding)
        return True


class ProbeContext:
    """Shared by every task of a scan; everything in it is safe to use from several threads."""

    def __init__(
        self,
        *,
        api: ApiModel,
        http: HttpClient,
        redactor: Redactor,
        markers: Markers,
        sessions: Sessions,
        options: ScanOptions,
        sink: FindingSink,
    ) -> None:
        self.api = api
        self.http = http
        self.redactor = redactor
        self.markers = markers
        self.sessions = sessions
        self.options = options
        self.sink = sink
        self.cleanup = Cleanup()
        self.existing = Snapshots(self.cleanup, self.call, sessions.authenticated)
        """Objects the scan writes to without having created them (put back at cleanup)."""
        self.interrupt: Interrupt = NEVER
        """Set by the engine: once requested, probe requests raise :class:`Interrupted`."""
        self.cleaning = False
        """Set once probing is over: from then on only an abort stops requests."""
        self.cache: dict[tuple[str, str], Any] = {}
        self.cache_lock = threading.RLock()
        self.base = base_url(options.target, api.spec.base_path)

    @property
    def active(self) -> bool:
        return self.options.active

    def url(self, op: Operation, values: Mapping[str, str], query: Mapping[str, Any] | None) -> str:
        path = op.path
        for name, value in values.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        filled = {
            p.name: sample(p.schema) if p.example is None else p.example
            for p in op.query_params
            if p.required
        }
        params = {**filled, **(query or {})}
        return self.base + path + (f"?{urlencode(params, doseq=True)}" if params else "")

    def path_values(
        self, op: Operation, session: Session, key: str | None = None
    ) -> dict[str, str]:
        """Values for ``op``'s path parameters as ``session`` would fill them."""
        resource = self.api.resource_of(op)
        values = {}
        for param in op.path_params:
            if resource is not None and param.name == resource.id_param and key is not None:
                values[param.name] = key
            elif is_identity_param(param.name):
                values[param.name] = session.subject
            elif param.example is not None:
                values[param.name] = str(param.example)
            else:
                raise Skip(f"no value for path parameter {{{param.name}}}")
        return values

    def call(
        self,
        session: Session,
        op: Operation,
        *,
        key: str | None = None,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = NO_BODY,
        raw: bytes | None = None,
    ) -> Call:
        """Call ``op`` as ``session``; a 401 triggers one re-login and one retry."""
        self.check_interrupt()
        if op.writes and not self.active:
            # NOTE: the read-only guarantee, enforced where every probe request passes.
            raise Skip("read-only scan: writes need --active")
        if excluded(op, self.options.exclude):
            raise Skip(f"{op.key} is excluded")
        values = dict(path) if path is not None else self.path_values(op, session, key)
        url = self.url(op, values, query)
        payload, media = self._payload(op, body, raw)
        generation = session.generation
        call = self._send(session, op, url, payload, media)
        if call.status == 401 and session.refresh(generation):
            call = self._send(session, op, url, payload, media)
        if op.writes:
            self.existing.wrote(self.api.resource_of(op), values, body, call)
        self.answered(call)
        return call

    def answered(self, call: Call) -> None:
        """Raise :class:`Unanswered` for a call that got no answer at all while probing: a probe
        must not read a timeout as the API's answer (cleanup reports failures itself)."""
        if call.unanswered and not self.cleaning and not self.http.stopped:
            raise Unanswered(f"{call.operation or call.request.method} got no answer: {call.error}")

    def check_interrupt(self) -> None:
        """Raise :class:`Interrupted` once probing must stop (or, during cleanup, once aborted)."""
        if self.interrupt.aborted or (self.interrupt.stopped and not self.cleaning):
            raise Interrupted(f"scan interrupted ({self.interrupt.first})")

    def burst(
        self, session: Session, op: Operation, *, path: Mapping[str, str], body: Any, count: int
    ) -> list[Call]:
        """``count`` copies of one request released at the same instant (see http/burst.py)."""
        self.check_interrupt()
        if op.writes and not self.active:
            raise Skip("read-only scan: writes need --active")
        if self.http.throttle.limit < 2:
            why = self.http.throttle.describe() or "--concurrency 1"
            raise Skip(f"the target is sent one request at a time ({why}): nothing can race")
        payload, media = self._payload(op, body, None)
        calls = burst(
            self.http,
            self.url(op, path, None),
            op.method,
            headers={**session.headers(), **({"Content-Type": media} if payload else {})},
            body=payload,
            count=count,
            identity=session.name,
            operation=op.key,
        )
        for call in [c for c in calls if c.ok][:1]:
            self.existing.wrote(self.api.resource_of(op), path, body, call)
        return calls

    @staticmethod
    def _payload(op: Operation, body: Any, raw: bytes | None) -> tuple[bytes, str]:
        """The bytes to send and their Content-Type, encoded as ``op`` takes its body."""
        if raw is not None:
            return raw, JSON
        if body is NO_BODY:
            return b"", JSON
        return encode(body, op.media, op.body)

    def _send(self, session: Session, op: Operation, url: str, payload: bytes, media: str) -> Call:
        headers = session.headers()
        if payload:
            headers = {**headers, "Content-Type": media}
        return self.http.send(
            op.method,
            url,
            headers=headers,
            body=payload,
            identity=session.name,
            operation=op.key,
        )

    def prove(
        self,
        rule_id: str,
        op: Operation,
        message: str,
        evidence: Sequence[tuple[Call, str]],
        *,
        variant: str = "",
        severity: Severity | None = None,
    ) -> None:
        """Report a confirmed finding with the calls that prove it (redacted here)."""
        if not self.sink.wanted(rule_id):
            return
        rule = CATALOGUE.get(rule_id)
        if rule is None:
            self.sink.missing_rules.add(rule_id)
            return
        self.sink.add(
            Finding(
                rule=rule,
                engine=Engine.DYNAMIC,
                message=self.redactor.text(message),
                fingerprint=fingerprint(rule.id, "dynamic", op.method, op.path, variant),
                endpoint=op.endpoint,
                evidence=tuple(self.redactor.exchange(c, note) for c, note in evidence),
                severity=severity,
            )
        )
