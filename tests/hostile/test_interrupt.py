"""Hostile input, class ``interrupt``: Ctrl-C and SIGTERM during an active scan, and cleanup.

Regressions (issue 18): an interrupted scan ran no cleanup and wrote no report, leaving alice's
own account with the ``role``, ``is_admin`` and ``user_id: "bob"`` that mass assignment planted;
a completed scan left attributes on accounts it did not create, unlisted. Now the first signal
stops probing, cleanup puts back what the scan changed (privileged attributes first) and deletes
what it created, the report lists whatever is left and the exit code is 4; a second signal stops
the cleanup and the report says what that leaves.

The scans interrupt the vulnerable twin on a chosen request (tests/hostile/interrupt_run.py),
never after a time. The full campaign is ``bench/hostile/interrupt.py``.
"""

from __future__ import annotations

import functools
import json
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynaguard.cli.interrupts import handled
from dynaguard.dynamic.api import Resource
from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.cleanup import Cleanup, CleanupItem, Tier
from dynaguard.dynamic.http.client import Call, HttpClient, Request, Response
from dynaguard.dynamic.http.redact import Redactor
from dynaguard.dynamic.identity import Identity, Role
from dynaguard.dynamic.interrupt import Interrupt, Interrupted
from dynaguard.dynamic.privileged import is_privileged
from dynaguard.dynamic.restore import Snapshots
from dynaguard.dynamic.spec.operations import Operation, Param
from dynaguard.lab import Lab
from tests.hostile.interrupt_run import Case, Outcome, lab, run, run_here

USER_ID_PLANTED = r'PATCH /users/alice .*"user_id"'
"""The mass-assignment write that sets alice's ``user_id`` to bob."""
MASS = ("mass-assignment",)


@pytest.fixture(scope="module")
def twin_lab() -> Iterator[Lab]:
    with lab() as running:
        yield running


# --- the regressions, through the CLI ---------------------------------------------------------


@pytest.fixture(scope="module")
def interrupted(twin_lab: Lab) -> Outcome:
    return run_here(twin_lab, Case(match=USER_ID_PLANTED, probes=MASS))


def test_sigint_runs_cleanup_writes_the_report_and_exits_4(interrupted: Outcome) -> None:
    assert interrupted.signalled == ["SIGINT"]
    assert interrupted.failures() == []  # every change put back or listed, the report, exit 4
    assert interrupted.code == 4
    assert interrupted.extra["interrupted"] == "SIGINT"
    assert interrupted.extra["cleanup"] == "complete"
    messages = [w["message"] for w in interrupted.report["warnings"]]  # type: ignore[index]
    assert any(m.startswith("scan interrupted (SIGINT): probing stopped early") for m in messages)


def test_alice_gets_her_role_back_and_what_cannot_go_back_is_listed(interrupted: Outcome) -> None:
    alice = interrupted.after[("alice",)]
    assert (alice["role"], alice["display_name"], alice["email"]) == (
        "user",
        "Alice",
        "alice@example.com",
    )
    assert "role" in interrupted.extra["restored"]
    # Attributes alice never had cannot be removed through the API: each is named, as added.
    for name in ("user_id", "is_admin", "owner"):
        line = next(line for line in interrupted.left if f"'{name}'" in line)
        assert "(privileged) added to user /users/alice" in line and "not created by" in line


def test_no_probe_after_the_signal_and_privileged_attributes_go_back_first(
    interrupted: Outcome,
) -> None:
    after = interrupted.requests_after
    assert after, "cleanup sent nothing"
    # Writes to alice's own account run after the other probes (plan.py), so the records they
    # created are deleted too: cleanup, not probing.
    cleanup = ("GET /users/alice ", "PATCH /users/alice ", "DELETE /users/alice/records/")
    assert all(r.startswith(cleanup) for r in after), after
    patches = [r for r in after if r.startswith("PATCH")]
    assert '"role"' in patches[0] and '"display_name"' not in patches[0]
    assert '"display_name"' in patches[1]


def test_a_second_sigint_stops_cleanup_and_the_report_says_what_is_left(twin_lab: Lab) -> None:
    case = Case(match=USER_ID_PLANTED, signals=(signal.SIGINT, signal.SIGINT), probes=MASS)
    outcome = run_here(twin_lab, case)
    assert outcome.signalled == ["SIGINT", "SIGINT"]
    assert outcome.failures() == []
    assert outcome.extra["cleanup"] == "cleanup aborted by a second SIGINT"
    role = next(line for line in outcome.left if "'role'" in line)
    assert role.startswith("user /users/alice (alice's, not created by the scan) not put back")
    assert all("cleanup aborted" in line for line in outcome.left)
    assert outcome.after[("alice",)]["user_id"] == "bob"  # left as it was: and said so


# --- the slow part: real processes, whole scans, many interrupt points ------------------------


@pytest.mark.hostile_slow
def test_sigterm_to_a_child_scan(twin_lab: Lab) -> None:
    outcome = run(twin_lab, Case(at=60, signals=(signal.SIGTERM,)))
    assert outcome.signalled == ["SIGTERM"] and outcome.failures() == []
    assert "interrupted (SIGTERM): probing stopped; cleaning up" in outcome.stderr


@pytest.mark.hostile_slow
@pytest.mark.parametrize("kind", ["vulnerable", "secure"])
def test_a_completed_scan_leaves_nothing_unlisted(twin_lab: Lab, kind: str) -> None:
    outcome = run_here(twin_lab, Case(kind=kind))
    assert outcome.failures() == []
    alice = outcome.after[("alice",)]
    assert (alice["role"], alice["display_name"]) == ("user", "Alice")


@pytest.mark.hostile_slow
@pytest.mark.parametrize(
    "case",
    [
        Case(at=1),
        Case(at=45, signals=(signal.SIGINT, signal.SIGINT), then=2),
        Case(at=90, signals=(signal.SIGTERM, signal.SIGINT), then=4),
        Case(at=120, concurrency=4),
        Case(at=30, kind="secure"),
    ],
    ids=lambda case: case.name,
)
def test_interrupted_anywhere(twin_lab: Lab, case: Case) -> None:
    assert run(twin_lab, case).failures() == []


# --- cleanup: order, time bound, abort ---------------------------------------------------------


class Clock:
    """Advances one second per reading: cleanup's deadline without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def _item(
    name: str, tier: Tier, result: object, done: list[str], then: Callable[[], None]
) -> CleanupItem:
    def undo() -> list[str]:
        done.append(name)
        then()
        if isinstance(result, BaseException):
            raise result
        return [] if result else [f"{name} still there"]

    return CleanupItem(f"{name} left", undo, tier)


_RESULTS = st.sampled_from([True, False, RuntimeError("boom"), Interrupted("stop")])


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(st.tuples(st.sampled_from(list(Tier)), _RESULTS), max_size=12),
    abort_at=st.integers(min_value=0, max_value=14),
    seconds=st.integers(min_value=1, max_value=16),
)
def test_cleanup_reports_everything_it_did_not_undo(
    items: list[tuple[Tier, object]], abort_at: int, seconds: int
) -> None:
    done: list[str] = []
    interrupt = Interrupt()
    interrupt.request("SIGINT")

    def second_ctrl_c() -> None:  # comes during the undo numbered abort_at
        if len(done) == abort_at:
            interrupt.request("SIGINT")

    cleanup = Cleanup(Clock())
    names = [f"i{n}" for n in range(len(items))]
    for name, (tier, result) in zip(names, items, strict=True):
        cleanup.add_item(_item(name, tier, result, done, second_ctrl_c))
    result = cleanup.run(interrupt, float(seconds))
    tiers = dict(zip(names, (tier for tier, _ in items), strict=True))
    assert [tiers[n] for n in done] == sorted(tiers[n] for n in done)  # privileged first
    undone = {n for n in done if items[names.index(n)][1] is True}
    assert result.undone == len(undone)
    for name in set(names) - undone:  # every other item is named in what is left
        assert any(line.startswith(f"{name} ") for line in result.left), (name, result)
    assert bool(result.stopped) == (len(done) < len(names))
    assert result.stopped in (
        "",
        "cleanup aborted by a second SIGINT",
        f"cleanup stopped after {seconds} s",
    )


def test_cleanup_stops_at_its_time_bound() -> None:
    cleanup = Cleanup(Clock())
    done: list[str] = []
    for name in ("a", "b", "c", "d"):
        cleanup.add_item(_item(name, Tier.DELETE, True, done, lambda: None))
    result = cleanup.run(Interrupt(), 2.5)
    assert done == ["d", "c"] and result.undone == 2
    assert result.left == (
        "b left (cleanup stopped after 2.5 s)",
        "a left (cleanup stopped after 2.5 s)",
    )


# --- restoring an account the scan did not create ----------------------------------------------

_USER = Param("username", "path", True, {"type": "string"})
_EDITABLE = {"display_name": {"type": "string"}, "email": {"type": "string"}}
READ = Operation("GET", "/users/{username}", params=(_USER,))
PATCH = Operation(
    "PATCH", "/users/{username}", params=(_USER,), body={"type": "object", "properties": _EDITABLE}
)
USERS = Resource("/users", "/users/{username}", "username", read=READ, updates=(PATCH,))


class Account:
    """One account behind a fake API: reads it, applies PATCHes of the names it allows."""

    def __init__(self, item: dict[str, Any], settable: set[str]) -> None:
        self.item = item
        self.settable = settable
        self.patches: list[dict[str, Any]] = []

    def send(
        self, session: Session, op: Operation, *, path: Mapping[str, str] | None, body: Any = None
    ) -> Call:
        status, document = 200, self.item
        if op.method == "PATCH":
            self.patches.append(dict(body))
            status = 200 if set(body) <= self.settable else 400
            if status == 200:
                self.item.update(body)
        request = Request(op.method, f"http://127.0.0.1{op.path}", (), b"", session.name)
        response = Response(status, (), json.dumps(document).encode())
        return Call(request, response, operation=op.key)


@functools.cache
def _alice() -> Session:
    http = HttpClient("http://127.0.0.1:9")  # never used: the fake API answers
    return Session(Identity("alice", Role.USER, headers={"X-Key": "k"}), http, Redactor())


def _restore(account: Account, before: dict[str, Any]) -> list[str]:
    cleanup = Cleanup()
    snapshots = Snapshots(cleanup, account.send)
    snapshots.watch(USERS, _alice(), {"username": "alice"}, before)
    return list(cleanup.run(Interrupt(), 60).left)


_NAMES = st.sampled_from(["role", "is_admin", "owner_id", "display_name", "email", "note", "tier"])
_VALUES = st.one_of(st.text(max_size=5), st.integers(), st.booleans(), st.none())


@settings(max_examples=80, deadline=None)
@given(
    before=st.dictionaries(_NAMES, _VALUES, max_size=6),
    planted=st.dictionaries(_NAMES, _VALUES, max_size=6),
    removed=st.sets(_NAMES),
    settable=st.sets(_NAMES),
)
def test_every_change_to_an_account_is_put_back_or_listed(
    before: dict[str, Any], planted: dict[str, Any], removed: set[str], settable: set[str]
) -> None:
    item = {k: v for k, v in {**before, **planted}.items() if k not in removed}
    account = Account(item, settable)
    left = _restore(account, dict(before))
    for name in set(before) | set(account.item):
        same = name in before and name in account.item
        if same and json.dumps(before[name]) == json.dumps(account.item[name]):
            continue
        assert any(f"'{name}'" in line for line in left), (name, before, account.item, left)
    for name, value in before.items():  # what existed and the API lets the owner set, went back
        if name in settable:
            assert json.dumps(account.item.get(name)) == json.dumps(value)
    privileged = [all(is_privileged(n) for n in patch) for patch in account.patches]
    assert privileged == sorted(privileged, reverse=True)  # privileged attributes go back first


def test_a_deleted_account_and_hidden_writes_are_listed() -> None:
    gone = Account({}, set())

    def deleted(session: Session, op: Operation, *, path: Any, body: Any = None) -> Call:
        call = gone.send(session, op, path=path, body=body)
        return Call(call.request, Response(404, (), b"{}"), operation=op.key)

    cleanup = Cleanup()
    snapshots = Snapshots(cleanup, deleted)
    snapshots.watch(USERS, _alice(), {"username": "alice"}, {"role": "user"})
    assert cleanup.run(Interrupt(), 60).left == (
        "user /users/alice (alice's, not created by the scan) was deleted: the API cannot put it back",
    )
    shown = Account({"role": "user"}, {"role"})
    cleanup = Cleanup()
    snapshots = Snapshots(cleanup, shown.send)
    snapshots.watch(USERS, _alice(), {"username": "alice"}, {"role": "user"})
    ok = shown.send(_alice(), PATCH, path=None, body={"role": "user"})
    snapshots.wrote(USERS, {"username": "alice"}, {"secret_flag": 1}, ok)
    unread = Snapshots(cleanup, shown.send)
    unread.watch(USERS, _alice(), {"username": "bob"}, None)  # its read failed: nothing to compare
    unread.wrote(USERS, {"username": "bob"}, {"role": "x"}, ok)
    unchecked, line = cleanup.run(Interrupt(), 60).left  # newest first
    assert unchecked == (
        "user /users/bob (alice's, not created by the scan) not put back: "
        "the scan wrote 'role' there (no read before: not checked)"
    )
    assert line == (
        "user /users/alice (alice's, not created by the scan): "
        "the scan wrote 'secret_flag' there; the API does not show them: not checked"
    )


# --- the CLI's signal handlers -----------------------------------------------------------------


def test_signals_become_requests_and_a_third_one_is_not_caught() -> None:
    interrupt = Interrupt()
    before = signal.getsignal(signal.SIGINT)
    with handled(interrupt):
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
        assert interrupt.requests == ["SIGTERM", "SIGINT"]
        assert interrupt.stopped and interrupt.aborted
        assert signal.getsignal(signal.SIGINT) is before  # the third one ends the process
    assert signal.getsignal(signal.SIGINT) is before
