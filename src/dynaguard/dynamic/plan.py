"""Which probe runs on which operation, and running those tasks in parallel, phase by phase."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby

from dynaguard.catalogue import CATALOGUE
from dynaguard.dynamic import events as ev
from dynaguard.dynamic.accounts import is_credential_write
from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import ProbeContext, excluded
from dynaguard.dynamic.coverage import UNANSWERED, TaskOutcome
from dynaguard.dynamic.errors import OriginError
from dynaguard.dynamic.interrupt import signals_to_this_thread
from dynaguard.dynamic.outcomes import Blocked, Rejected, Skip, Unanswered
from dynaguard.dynamic.probes import PROBES, Probe, Target
from dynaguard.dynamic.probes._support import identity_keyed
from dynaguard.dynamic.settings import ScanOptions
from dynaguard.model import ScanWarning

Task = tuple[Probe, Target]
NOT_RUN = "not run: the scan reached its --max-time"
CUT_SHORT = "cut short: the scan reached its --max-time"
_CREDENTIALS = "changes credentials: only tried on accounts the scan registers (account-takeover)"


@dataclass
class Plan:
    """The tasks to run, the ones already decided (skipped), and probes that do not run at all."""

    tasks: list[Task] = field(default_factory=list)
    outcomes: list[TaskOutcome] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def plan(api: ApiModel, options: ScanOptions) -> Plan:
    result = Plan()
    for probe in PROBES:
        if options.probes and probe.name not in options.probes:
            continue
        missing = [rule for rule in probe.proves if rule not in CATALOGUE]
        if len(missing) == len(probe.proves):
            reason = f"its rules ({', '.join(missing)}) are not in the catalogue yet"
            result.skipped.append((probe.name, reason))
            continue
        _plan_probe(probe, list(probe.targets(api)), options, result)
    return result


def _plan_probe(probe: Probe, targets: list[Target], options: ScanOptions, result: Plan) -> None:
    runnable = 0
    for target in targets:
        op = target.operation
        if excluded(op, options.exclude):
            result.outcomes.append(TaskOutcome(probe.name, op.key, "skipped", "excluded"))
        elif not probe.credentials and is_credential_write(op):
            result.outcomes.append(TaskOutcome(probe.name, op.key, "skipped", _CREDENTIALS))
        elif (probe.writes or op.writes) and not options.active:
            why = "read-only scan, needs --active"
            result.outcomes.append(TaskOutcome(probe.name, op.key, "skipped", why))
        else:
            result.tasks.append((probe, target))
            runnable += 1
    writes_only = probe.writes or all(t.operation.writes for t in targets)
    if targets and not runnable and not options.active and writes_only:
        rules = ", ".join(probe.proves)
        result.skipped.append(
            (probe.name, f"read-only scan: it sends writes, run with --active ({rules})")
        )


def run_phases(
    ctx: ProbeContext, tasks: Iterable[Task], listener: ev.Listener, warnings: list[ScanWarning]
) -> list[TaskOutcome]:
    """Phase 1 (reads), then 2, then 3 (writes that may change accounts); parallel within one.

    Writes to the identities' own accounts (``/users/{user_id}``, ``/profile``) come last of
    all: one may rename or lock the account, and its session with it, until cleanup."""
    outcomes: list[TaskOutcome] = []
    by_phase = groupby(sorted(tasks, key=_order), key=_order)
    for _, phase in by_phase:
        outcomes += _run(ctx, list(phase), listener, warnings)
    return outcomes


def _order(task: Task) -> tuple[int, bool]:
    probe, target = task
    resource = target.resource
    account = resource is not None and (resource.singleton or identity_keyed(resource))
    return probe.phase, account and probe.phase == _ACCOUNT_PHASE and target.operation.writes


_ACCOUNT_PHASE = 3
"""The phase of probes that may change an account (mass assignment, validation, expression)."""


def _run(
    ctx: ProbeContext, tasks: list[Task], listener: ev.Listener, warnings: list[ScanWarning]
) -> list[TaskOutcome]:
    def one(task: Task) -> TaskOutcome:
        probe, target = task
        if ctx.http.stopped:
            return TaskOutcome(probe.name, target.operation.key, "skipped", NOT_RUN)
        outcome = _attempt(ctx, probe, target, warnings)
        if ctx.http.stopped:  # its last requests were refused: what it saw proves nothing
            outcome = TaskOutcome(probe.name, target.operation.key, "skipped", CUT_SHORT)
        endpoint = target.operation.endpoint
        found = ctx.sink.found_on(endpoint)
        detail = outcome.status + (f": {outcome.reason}" if outcome.reason else "")
        requests = len(ctx.http.traffic)
        listener(ev.TaskFinished(probe.name, endpoint, detail, found, requests))
        return outcome

    with ThreadPoolExecutor(max_workers=ctx.options.concurrency) as pool:
        with signals_to_this_thread():  # the workers start here
            futures = [pool.submit(one, task) for task in tasks]
        return [future.result() for future in futures]


def _attempt(
    ctx: ProbeContext, probe: Probe, target: Target, warnings: list[ScanWarning]
) -> TaskOutcome:
    """Run the task; again if a request got no answer and the scan has slowed down since the
    run began (the failure was the overload, not the operation)."""
    while True:
        limit = ctx.http.throttle.limit
        outcome = _once(ctx, probe, target, warnings)
        # The limit only falls, so this ends (after log2(--concurrency) runs at most).
        if outcome.status != UNANSWERED or ctx.http.throttle.limit == limit or ctx.http.stopped:
            return outcome


def _once(
    ctx: ProbeContext, probe: Probe, target: Target, warnings: list[ScanWarning]
) -> TaskOutcome:
    key = target.operation.key
    try:
        ctx.check_interrupt()  # no new probe once the scan is stopping
        probe.run(ctx, target)
    except Unanswered as exc:
        return TaskOutcome(probe.name, key, UNANSWERED, str(exc))
    except Rejected as exc:
        return TaskOutcome(probe.name, key, "tested", f"refused: {exc}")
    except Blocked as exc:
        return TaskOutcome(probe.name, key, "blocked", str(exc))
    except (Skip, OriginError) as exc:
        return TaskOutcome(probe.name, key, "skipped", str(exc))
    except Exception as exc:  # one probe's bug must not end the scan: it is reported instead
        message = f"probe {probe.name} failed on {key}: {type(exc).__name__}: {exc}"
        if not ctx.http.stopped:
            warnings.append(ScanWarning(message))
        return TaskOutcome(probe.name, key, "skipped", f"probe error: {type(exc).__name__}")
    return TaskOutcome(probe.name, key, "tested")
