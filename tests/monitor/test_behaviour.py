"""The monitor's guarantees, one at a time, on the SQLite storage in this process: the per-target
lock, the per-host rate limit, dead letters, and the Slack-compatible alert."""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from dynaguard.cli import main
from dynaguard.monitor import alerts, limit, record
from dynaguard.monitor.history import store
from dynaguard.monitor.settings import Target, WebhookFormat
from tests.monitor.conftest import SECRET
from tests.monitor.inline import Inline, one_finding
from tests.monitor.receiver import Receiver
from tests.serve.reports import as_json
from tests.serve.web import BASE, logged_in, make_app

HOST = "http://127.0.0.1:9"


def _targets(*names: str, host: str = HOST) -> list[dict[str, Any]]:
    return [{"name": n, "url": f"{host}/{n}", "every": "1h", "timeout": 30} for n in names]


def test_a_second_run_of_a_target_whose_lease_is_held_does_not_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = Inline(tmp_path, {"targets": _targets("api")}, monkeypatch)
    first, second = inline.trigger("api", "#1"), inline.trigger("api", "#2")
    inline.huey.dequeue()  # the first run's message: another worker holds it, mid-scan
    with inline.history.transaction() as session:
        assert record.claim(session, first, "api", "elsewhere:1", lease=60)
    assert len(inline.work()) == 1
    assert inline.scans == []
    runs = inline.runs()
    assert (runs[second].state, runs[second].attempts) == (record.QUEUED, 0)
    # Deferred, not dropped: one message waits a few seconds, and the retry count is untouched.
    (waiting,) = inline.huey.scheduled()
    assert waiting.args == (second, "api") and waiting.retries == inline.settings.retries
    # Still held a little later: the message waits again.
    assert len(inline.work(until=inline.later(6))) == 1 and inline.scans == []
    with inline.history.transaction() as session:  # the other worker finishes
        scan_id, _ = store(session, "api", as_json(target=f"{HOST}/api"), first)
        record.finish(session, first, scan_id, findings=[])
    inline.work(until=inline.later(12))
    assert inline.scans == ["api"]
    runs = inline.runs()
    assert (runs[second].state, runs[second].attempts) == (record.DONE, 1)
    assert inline.huey.pending_count() == inline.huey.scheduled_count() == 0


def test_an_expired_lease_does_not_lock_its_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = Inline(tmp_path, {"targets": _targets("api")}, monkeypatch)
    dead_worker, run = inline.trigger("api", "#1"), inline.trigger("api", "#2")
    inline.huey.dequeue()
    with inline.history.transaction() as session:
        # A lease that ran out a second ago: its holder was killed.
        assert record.claim(session, dead_worker, "api", "killed:1", lease=-1)
    inline.work()
    assert inline.scans == ["api"] and inline.runs()[run].state == record.DONE


def _clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The clock of the per-host rate limit, 10 s into a minute and turned by the test."""
    clock = [time.time() // 60 * 60 + 10]
    monkeypatch.setattr(limit, "time", SimpleNamespace(time=lambda: clock[0]))
    return clock


def test_runs_beyond_the_host_rate_wait_for_the_next_minute_and_all_run_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _clock(monkeypatch)
    names = [f"t{n}" for n in range(5)]
    elsewhere = _targets("o", host="http://127.0.0.2:9")
    # retries = 0: a deferral must not spend a retry, or the deferred runs would be lost.
    monitor = {"host-rate": 2, "retries": 0, "targets": [*_targets(*names), *elsewhere]}
    inline = Inline(tmp_path, monitor, monkeypatch)
    runs = [inline.trigger(name) for name in [*names, "o"]]
    inline.work()
    # Two runs on the shared host, and the other host's run, which has its own budget.
    assert sorted(inline.scans) == ["o", "t0", "t1"]
    deferred = inline.huey.scheduled()
    assert sorted(task.args[1] for task in deferred) == ["t2", "t3", "t4"]
    assert all(inline.runs()[task.args[0]].state == record.QUEUED for task in deferred)
    # They wait for the window's end (50 s away), not a fixed retry delay: no spinning.
    assert all(task.eta >= inline.later(48) for task in deferred)
    clock[0] += 60
    inline.work(until=inline.later(61))
    assert sorted(inline.scans) == ["o", "t0", "t1", "t2", "t3"]
    clock[0] += 60
    inline.work(until=inline.later(122))
    assert sorted(inline.scans) == sorted([*names, "o"])
    assert all(run.state == record.DONE and run.attempts == 1 for run in inline.runs().values())
    assert sorted(inline.runs()) == sorted(runs)


def test_runs_waiting_for_a_busy_target_use_none_of_the_host_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: the budget was counted before the target's lock, so a run waiting for a busy
    # target spent one unit every BUSY_DELAY seconds, and the host's other targets starved.
    clock = _clock(monkeypatch)
    inline = Inline(tmp_path, {"host-rate": 2, "targets": _targets("api", "b", "c")}, monkeypatch)
    held, waiting = inline.trigger("api", "#1"), inline.trigger("api", "#2")
    inline.huey.dequeue()
    with inline.history.transaction() as session:
        assert record.claim(session, held, "api", "elsewhere:1", lease=600)
    for _ in range(3):  # the waiting run comes back three times in the minute
        inline.work(until=inline.later(6))
        clock[0] += 6
    assert inline.scans == [] and inline.runs()[waiting].state == record.QUEUED
    inline.trigger("b"), inline.trigger("c")
    inline.work()
    assert sorted(inline.scans) == ["b", "c"]  # the whole budget was still there
    # A third run over the budget gives its target back unspent: queued, no attempt counted.
    third = inline.trigger("b", "#again")
    inline.work()
    again = inline.runs()[third]
    assert inline.scans.count("b") == 1
    assert (again.state, again.attempts, again.lease_until) == (record.QUEUED, 0, None)


def test_a_run_failing_every_attempt_becomes_a_dead_letter_shown_by_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = Inline(tmp_path, {"retries": 2, "targets": _targets("api", "ok")}, monkeypatch)

    def broken(target: Target, source: Path) -> str:
        raise ConnectionRefusedError(f"{target.url} refused the connection")

    inline.scan_with(broken)
    run = inline.trigger("api")
    inline.work()
    held = inline.runs()[run]
    assert (held.state, held.attempts) == (record.QUEUED, 1)
    assert "refused" in held.error  # kept while it waits for Huey's retry
    inline.work(until=inline.later(3))
    inline.work(until=inline.later(8))  # backoff: 2 s, then 4 s
    assert inline.scans == ["api"] * 3
    held = inline.runs()[run]
    assert (held.state, held.attempts) == (record.DEAD, 3)
    assert inline.huey.pending_count() == inline.huey.scheduled_count() == 0
    # A dead letter stays dead: a stray message for it does not scan again.
    inline.tasks.run(run, "api")
    inline.work()
    assert len(inline.scans) == 3
    shown = _status(inline)
    error = f"ConnectionRefusedError: {HOST}/api refused the connection"
    assert (
        f"api  [every 60 min]  last: {held.due_at.isoformat()} dead after 3 attempt(s): {error}"
        in shown
    )
    assert "ok  [every 60 min]  last: - never run" in shown
    assert f"dead letters: 1\n  {run}: {error}\n" in shown
    # The dashboard of dynaguard serve on the same history shows them too.
    client = logged_in(make_app(inline.history.engine()))
    api = client.get("/api/v1/monitor", base_url=BASE).get_json()
    assert [(d["id"], d["attempts"], d["error"]) for d in api["dead_letters"]] == [(run, 3, error)]
    assert api["dead_letters_total"] == 1
    assert [(t["target"], t["state"]) for t in api["targets"]] == [("api", "dead")]
    page = client.get("/monitor", base_url=BASE).get_data(as_text=True)
    assert "Dead letters (1)" in page and f"<pre>{html.escape(error)}</pre>" in page


def _status(inline: Inline) -> str:
    inline.config.write_text(
        "[monitor]\nretries = 2\n\n[[monitor.targets]]\n"
        f'name = "api"\nurl = "{HOST}/api"\nevery = "1h"\ntimeout = 30\n\n'
        f'[[monitor.targets]]\nname = "ok"\nurl = "{HOST}/ok"\nevery = "1h"\ntimeout = 30\n',
        encoding="utf-8",
    )
    args = ["--config", str(inline.config), "--queue", inline.queue_url]
    result = CliRunner().invoke(main, ["monitor", "status", *args, "--database", inline.db_url])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_slack_webhook_gets_a_signed_text_and_blocks_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    monitor = {
        "threshold": "medium",
        "dashboard": "http://127.0.0.1:8000/",
        "webhook": {"url": receiver.url, "secret": "${HOOK_SECRET}", "format": "slack"},
        "targets": _targets("api"),
    }
    inline = Inline(tmp_path, monitor, monkeypatch)
    inline.scan_with(one_finding)
    run = inline.trigger("api")
    inline.work()
    assert receiver.rejected == 0
    (message,) = receiver.deliveries
    assert set(message) == {"text", "blocks"}
    (block,) = message["blocks"]
    assert block == {"type": "section", "text": {"type": "mrkdwn", "text": message["text"]}}
    title, finding, link = message["text"].split("\n")
    assert title == "dynaguard: 1 new finding(s) in api (api)"
    assert finding.startswith("- [high] DG202 ") and "GET /notes/{id}" in finding
    assert link == "http://127.0.0.1:8000/projects/api"
    assert receiver.headers[0]["X-Dynaguard-Delivery"] == run
    assert receiver.headers[0]["Content-Type"] == "application/json"


def _finding(n: int, message: str) -> dict[str, Any]:
    return {"severity": "high", "rule": "DG202", "message": message, "fingerprint": f"f{n}"}


def test_a_slack_message_escapes_mentions_and_links_from_findings() -> None:
    # Regression: a scanned API's path in a message reached Slack as a mention or a link.
    hostile = "proven on GET /<!channel>/<https://evil.example|click> & more"
    payload = alerts.body(
        WebhookFormat.SLACK,
        project="p<1>",
        target="api",
        run_id="r",
        findings=[_finding(1, hostile)],
        dashboard="http://127.0.0.1:8000",
    )
    text = json.loads(payload)["text"]
    assert "<" not in text and ">" not in text
    assert "/&lt;!channel&gt;/&lt;https://evil.example|click&gt; &amp; more" in text
    assert "in p&lt;1&gt; (api)" in text


def test_a_slack_message_stays_within_a_section_block_however_many_findings() -> None:
    # Regression: Slack refuses a section over 3000 characters, so a run with many new findings
    # (or one long message) was never delivered, whatever the retries.
    findings = [_finding(n, f"proven on GET /items/{n} " + "x" * 80) for n in range(200)]
    findings.append(_finding(200, "y" * 10_000))
    payload = alerts.body(
        WebhookFormat.SLACK,
        project="p",
        target="api",
        run_id="r",
        findings=findings,
        dashboard="http://127.0.0.1:8000",
    )
    message = json.loads(payload)
    text = message["blocks"][0]["text"]["text"]
    assert text == message["text"] and len(text) <= alerts.SLACK_SECTION
    lines = text.split("\n")
    assert lines[0] == "dynaguard: 201 new finding(s) in p (api)"
    assert lines[-1] == "http://127.0.0.1:8000/projects/p"
    shown = len(lines) - 3
    assert lines[1:-2] == [
        f"- [high] DG202 proven on GET /items/{n} " + "x" * 80 for n in range(shown)
    ]
    assert lines[-2] == f"- ... and {201 - shown} more"
    assert shown > 20
    single = alerts.body(
        WebhookFormat.SLACK,
        project="p",
        target="a",
        run_id="r",
        findings=findings[-1:],
        dashboard="",
    )
    (line,) = json.loads(single)["text"].split("\n")[1:]
    assert len(line) == 300 and line.endswith("\u2026")
