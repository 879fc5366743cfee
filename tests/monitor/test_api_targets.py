"""Targets added through the ``dynaguard serve`` API: checked by the monitor's own parser when
added, scheduled every minute like those of dynaguard.toml without a restart, shown by status
and the dashboard, and gone when removed (a run still queued for one becomes a dead letter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from dynaguard.cli import main
from dynaguard.cli.serve import _target_validator
from dynaguard.monitor import record
from dynaguard.serve import accounts
from dynaguard.serve.store.database import sessions
from dynaguard.serve.web import create_app
from tests.monitor.inline import Inline
from tests.serve.web import BASE, PASSWORD, csrf

HOST = "http://127.0.0.1:9"
TARGET = {"name": "added", "url": f"{HOST}/added", "schedule": "* * * * *", "timeout": 30}


def _admin(inline: Inline) -> FlaskClient:
    engine = inline.history.engine()
    with sessions(engine).begin() as session:
        accounts.ensure_admin(session, PASSWORD)
    app = create_app(engine, validate_target=_target_validator())
    client = app.test_client()
    data = {"username": "admin", "password": PASSWORD, "csrf": csrf(client)}
    assert client.post("/login", data=data, base_url=BASE).status_code == 302
    return client


def _send(client: FlaskClient, method: str, path: str, body: object = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    headers = {"X-CSRF-Token": csrf(client, "/")}
    answer = client.open(path, method=method, json=body, headers=headers, base_url=BASE)
    return answer.status_code, answer.get_json()


def _due_api_targets(inline: Inline) -> None:
    """What Huey's scheduler does this minute for the targets added through the API."""
    (task,) = [t for t in inline.huey.read_periodic(None) if t.name == "due.api-targets"]
    inline.huey.enqueue(task)
    inline.work()


def test_a_target_added_on_the_server_is_scheduled_shown_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = Inline(tmp_path, {"targets": []}, monkeypatch)  # none in dynaguard.toml
    admin = _admin(inline)
    status, added = _send(admin, "POST", "/api/v1/monitor/targets", TARGET)
    assert (status, added["name"], added["created_by"]) == (201, "added", "admin")
    assert _send(admin, "POST", "/api/v1/monitor/targets", TARGET)[0] == 409
    # The monitor, already running, schedules it at the next minute.
    _due_api_targets(inline)
    assert inline.scans == ["added"]
    (run,) = inline.runs().values()
    assert run.state == record.DONE
    inline.config.write_text("[monitor]\n", encoding="utf-8")
    args = [
        "--config",
        str(inline.config),
        "--queue",
        inline.queue_url,
        "--database",
        inline.db_url,
    ]
    shown = CliRunner().invoke(main, ["monitor", "status", *args])
    assert shown.exit_code == 0, shown.output
    assert "added  [* * * * *]  last: " in shown.stdout and "done, 0 new finding(s)" in shown.stdout
    page = admin.get("/monitor", base_url=BASE).get_data(as_text=True)
    assert f"<code>{HOST}/added</code>" in page
    # Removed while a run of it waits in the queue: that run is a dead letter, not a scan.
    waiting = inline.trigger("added")
    assert _send(admin, "DELETE", "/api/v1/monitor/targets/added")[0] == 200
    inline.work()
    assert inline.scans == ["added"]
    gone = inline.runs()[waiting]
    assert (gone.state, gone.error) == (record.DEAD, "target 'added' no longer exists")
    triggered = CliRunner().invoke(main, ["monitor", "trigger", *args, "added"])
    assert triggered.exit_code == 2 and "nor added on the server" in triggered.output


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**TARGET, "url": "ftp://x"}, "key 'target.url': an http:// or https:// URL"),
        ({"name": "r", "path": "relative/repo", "every": "1h"}, "key 'target.path': an absolute"),
        ({**TARGET, "spec": "openapi.json"}, "key 'target.spec': an absolute path"),
        ({**TARGET, "active": "yes"}, "target.active"),
        ({**TARGET, "schedule": "often"}, "key 'target.schedule'"),
        ([TARGET], "expected a JSON object"),
    ],
)
def test_bad_targets_are_refused_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: object, message: str
) -> None:
    inline = Inline(tmp_path, {"targets": []}, monkeypatch)
    status, answer = _send(_admin(inline), "POST", "/api/v1/monitor/targets", body)
    assert status == 400 and message in answer["error"], answer
    assert _send(_admin(inline), "GET", "/api/v1/monitor/targets")[1] == {"targets": []}


def test_without_the_monitor_the_server_refuses_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = Inline(tmp_path, {"targets": []}, monkeypatch)
    engine = inline.history.engine()
    with sessions(engine).begin() as session:
        accounts.ensure_admin(session, PASSWORD)
    client = create_app(engine).test_client()
    data = {"username": "admin", "password": PASSWORD, "csrf": csrf(client)}
    client.post("/login", data=data, base_url=BASE)
    status, answer = _send(client, "POST", "/api/v1/monitor/targets", TARGET)
    assert status == 501 and "dynaguard[monitor]" in answer["error"]
