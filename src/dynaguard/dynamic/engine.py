"""``scan(options)``: spec -> sessions -> plan -> probes -> cleanup -> result. Emits events only.

Everything the engine hands out (events, the result, the errors it raises) passes the scan's one
:class:`Redactor`, which knows every credential of the options and learns each token obtained:
writers, formatters and the CLI get no secret to leak.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import httpx

from dynaguard.dynamic import events as ev
from dynaguard.dynamic.accounts import stand_ins
from dynaguard.dynamic.api import ApiModel, build_model
from dynaguard.dynamic.auth import IdentityStatus, Session
from dynaguard.dynamic.cleanup import CleanupResult
from dynaguard.dynamic.context import FindingSink, ProbeContext, Sessions, base_url
from dynaguard.dynamic.coverage import StatusLog, TaskOutcome, coverage
from dynaguard.dynamic.credentials import redactor_for
from dynaguard.dynamic.errors import ScanConfigError, ScanError, SpecError, TargetUnreachable
from dynaguard.dynamic.free_form import with_borrowed_fields
from dynaguard.dynamic.http.client import HttpClient
from dynaguard.dynamic.http.deadline import bounded, deadline, read_body
from dynaguard.dynamic.http.redact import Redactor
from dynaguard.dynamic.identity import Role
from dynaguard.dynamic.interrupt import NEVER, Interrupt
from dynaguard.dynamic.markers import Markers
from dynaguard.dynamic.plan import CUT_SHORT, NOT_RUN, Plan, plan, run_phases
from dynaguard.dynamic.probes import PROBES
from dynaguard.dynamic.probes.exposure import watch
from dynaguard.dynamic.result import ScanResult
from dynaguard.dynamic.settings import ScanOptions
from dynaguard.dynamic.spec.bodies import JSON
from dynaguard.dynamic.spec.load import MAX_SPEC_BYTES, SpecDocument, load_spec, parse_spec
from dynaguard.dynamic.spec.operations import Operation, build_spec
from dynaguard.dynamic.verify import anonymous_status, check_operation, verify
from dynaguard.model import ScanWarning


def scan(
    options: ScanOptions,
    listener: ev.Listener = ev.ignore,
    *,
    transport: httpx.BaseTransport | None = None,
    markers: Markers | None = None,
    interrupt: Interrupt = NEVER,
) -> ScanResult:
    """Scan ``options.target``. Raises TargetUnreachable, SpecError or ScanConfigError.

    Once ``interrupt`` is requested no new probe request is sent, cleanup runs (until a second
    request, or ``options.cleanup_timeout``) and the result says what is left."""
    redactor = redactor_for(options)
    try:
        result = _run(
            options,
            lambda event: listener(redactor.deep(event)),
            redactor,
            transport,
            markers,
            interrupt=interrupt,
        )
    except ScanError as exc:
        raise type(exc)(redactor.text(str(exc))) from None
    # Every request as sent stays as it is: tests check the read-only guarantee on it.
    return replace(redactor.deep(replace(result, traffic=())), traffic=result.traffic)


def _run(
    options: ScanOptions,
    listener: ev.Listener,
    redactor: Redactor,
    transport: httpx.BaseTransport | None,
    markers: Markers | None,
    *,
    interrupt: Interrupt,
) -> ScanResult:
    unknown = sorted(set(options.probes) - set(PROBES.keys()))
    if unknown:
        known = ", ".join(PROBES.keys())
        raise ScanConfigError(f"unknown probe {', '.join(unknown)}; known: {known}")
    http = HttpClient(
        options.target,
        timeout=options.timeout,
        max_bytes=options.max_response_bytes,
        rate=options.rate,
        concurrency=options.concurrency,
        retries=options.retries,
        transport=transport,
    )
    try:
        return _scan(options, http, listener, markers or Markers(), redactor, interrupt=interrupt)
    finally:
        http.close()


def _scan(
    options: ScanOptions,
    http: HttpClient,
    listener: ev.Listener,
    markers: Markers,
    redactor: Redactor,
    *,
    interrupt: Interrupt,
) -> ScanResult:
    started = time.monotonic()
    end = started + options.max_time
    http.stop_at(end)
    ctx, log, statuses = _prepare(options, http, listener, markers, redactor)
    ctx.interrupt = interrupt
    work = plan(ctx.api, options)
    for name, reason in work.skipped:
        listener(ev.ProbeSkipped(name, reason))
    listener(ev.PlanReady(len(work.tasks)))
    warnings: list[ScanWarning] = []
    outcomes = [*work.outcomes, *run_phases(ctx, work.tasks, listener, warnings)]
    # Cleanup's requests have its own time, past --max-time: what a scan cut short created is
    # still deleted where it can be, and what is left is reported.
    http.stop_at(time.monotonic() + options.cleanup_timeout)
    cleaned = _cleanup(ctx, listener, warnings)
    seconds = time.monotonic() - started
    listener(ev.ScanFinished(len(ctx.sink.findings), len(http.traffic), seconds))
    warnings += _warnings(statuses, ctx, work, cleaned.left)
    cut = _cut_short(outcomes, options.max_time)
    warnings += [ScanWarning(cut)] if cut else []
    return ScanResult(
        target=options.target,
        spec_source=ctx.api.spec.source,
        active=options.active,
        findings=tuple(ctx.sink.findings.values()),
        warnings=tuple(warnings),
        identities=statuses,
        coverage=coverage(ctx.api.operations, outcomes, log),
        skipped_probes=tuple(work.skipped),
        not_cleaned=cleaned.left,
        requests=len(http.traffic),
        seconds=seconds,
        traffic=http.traffic,
        interrupted=interrupt.first,
        cleanup_stopped=cleaned.stopped,
        restored=tuple(ctx.existing.restored()),
        cut_short=cut,
        from_code=from_code(ctx.api.operations),
    )


SOURCE_KEY = "x-dynaguard-source"
"""The extension ``dynaguard code --emit-openapi`` marks each operation with: its handler."""


def from_code(operations: tuple[Operation, ...]) -> tuple[str, ...]:
    """``METHOD /path (file:line)`` of each operation the code described."""
    return tuple(
        f"{op.key} ({op.extensions[SOURCE_KEY]})"
        for op in operations
        if isinstance(op.extensions.get(SOURCE_KEY), str)
    )


def _cut_short(outcomes: list[TaskOutcome], max_time: float) -> str:
    """What ``--max-time`` left undone, or "" when the scan ran to the end."""
    undone = sum(1 for o in outcomes if o.reason in (NOT_RUN, CUT_SHORT))
    if not undone:
        return ""
    return (
        f"the scan reached its --max-time ({max_time:g} s): {undone} probe tasks were not run "
        "or cut short; the coverage table names their operations"
    )


def _cleanup(
    ctx: ProbeContext, listener: ev.Listener, warnings: list[ScanWarning]
) -> CleanupResult:
    """Undo what the probes changed, also (above all) after an interrupt."""
    interrupt = ctx.interrupt
    if interrupt.stopped:
        listener(ev.ScanInterrupted(interrupt.first))
        why = f"scan interrupted ({interrupt.first}): probing stopped early"
        warnings.append(ScanWarning(f"{why}; the findings cover only what ran"))
    ctx.cleaning = True
    cleaned = ctx.cleanup.run(interrupt, ctx.options.cleanup_timeout)
    listener(ev.CleanupFinished(cleaned.undone, cleaned.left, cleaned.stopped))
    if cleaned.stopped:
        warnings.append(
            ScanWarning(f"{cleaned.stopped}: what it did not undo is listed as not cleaned up")
        )
    return cleaned


def _prepare(
    options: ScanOptions,
    http: HttpClient,
    listener: ev.Listener,
    markers: Markers,
    redactor: Redactor,
) -> tuple[ProbeContext, StatusLog, tuple[IdentityStatus, ...]]:
    """Reach the target, read its spec, log every identity in: the context probes share."""
    _reachable(http, options.target)
    document = _document(options, http)
    api = build_model(build_spec(document))
    listener(ev.ScanStarted(options.target, document.source, len(api.operations), options.active))
    log = StatusLog()
    http.on_call(log.hook)
    sessions, statuses = _sessions(options, http, redactor, api, listener)
    sink = FindingSink(lambda f: listener(ev.FindingFound(f)), options.select, options.ignore)
    ctx = ProbeContext(
        api=api, http=http, redactor=redactor, markers=markers, sessions=sessions,
        options=options, sink=sink,
    )  # fmt: skip
    if options.active and len(sessions.users) < 2:
        for status in stand_ins(ctx):
            listener(ev.IdentityChecked(status.name, status.ok, status.detail))
            statuses += (status,)
    ctx.api = with_borrowed_fields(ctx)
    if not options.probes or "exposure" in options.probes:
        watch(ctx)
    return ctx, log, statuses


def _document(options: ScanOptions, http: HttpClient) -> SpecDocument:
    """The spec derived from the code when there is one, else the one given or discovered."""
    if options.derived_spec is not None:
        return parse_spec(options.derived_spec.encode(), options.derived_from or "source code")
    return load_spec(options.spec, options.target, _fetcher(http, options.timeout))


def _reachable(http: HttpClient, target: str) -> None:
    call = http.send("GET", target + "/")
    if call.response is None:
        raise TargetUnreachable(f"{target} does not answer: {call.error}")


def _fetcher(http: HttpClient, timeout: float) -> Callable[[str], tuple[int, bytes]]:
    """GET a spec: on the target through ``http``, elsewhere without any credentials; either
    way within the request deadline and reading at most one byte past MAX_SPEC_BYTES."""

    def fetch(url: str) -> tuple[int, bytes]:
        if http.same_origin(url):
            call = http.send("GET", url, max_bytes=MAX_SPEC_BYTES + 1)
            if call.response is None:
                raise TargetUnreachable(f"{url} does not answer: {call.error}")
            return call.status, call.response.body
        try:
            with (
                bounded(httpx.Client(timeout=timeout, follow_redirects=True)) as client,
                deadline(http.deadline()),
                client.stream("GET", url) as response,
            ):
                return response.status_code, read_body(response, MAX_SPEC_BYTES + 1)[0]
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise SpecError(f"--spec {url}: {type(exc).__name__}: {exc}") from None

    return fetch


def _sessions(
    options: ScanOptions, http: HttpClient, redactor: Redactor, api: ApiModel, listener: ev.Listener
) -> tuple[Sessions, tuple[IdentityStatus, ...]]:
    anonymous = Session(None, http, redactor)
    base = base_url(options.target, api.spec.base_path)
    check = check_operation(api)
    anon = anonymous_status(http, base, check, anonymous)
    users: list[Session] = []
    admins: list[Session] = []
    statuses = []
    for identity in options.identities:
        media = (
            api.login_media(identity.login.method, identity.login.path) if identity.login else JSON
        )
        session = Session(identity, http, redactor, login_media=media)
        status = verify(session, http, base, check, anon)
        statuses.append(status)
        listener(ev.IdentityChecked(status.name, status.ok, status.detail))
        if status.ok:
            (admins if identity.role is Role.ADMIN else users).append(session)
    return Sessions(tuple(users), tuple(admins), anonymous), tuple(statuses)


def _warnings(
    statuses: tuple[IdentityStatus, ...], ctx: ProbeContext, work: Plan, left: tuple[str, ...]
) -> list[ScanWarning]:
    found = [
        ScanWarning(
            f"identity {s.name} does not authenticate: {s.detail}; it took no part in the scan"
        )
        for s in statuses
        if not s.ok
    ]
    users = len(ctx.sessions.users)
    if users < 2:
        found.append(
            ScanWarning(
                f"BOLA probes need two authenticated non-admin identities; the scan had {users}"
            )
        )
    found += [ScanWarning(f"probe {name} skipped: {reason}") for name, reason in work.skipped]
    found += [ScanWarning(f"not cleaned up: {item}") for item in left]
    found += [
        ScanWarning(f"rule {r} is not in the catalogue: its proofs were dropped")
        for r in sorted(ctx.sink.missing_rules)
    ]
    return found
