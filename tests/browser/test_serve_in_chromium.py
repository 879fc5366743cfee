"""The dashboard's pages in headless Chromium with a hostile report stored: no script runs.

The pages are rendered by the app (logged in through Flask's client) from a report whose every
free-text field holds script (``tests/browser/hostile.py``), then loaded from files: without the
server's CSP header, so escaping alone is what is tested (the header is checked on its own in
``tests/serve``). The control test proves the signal fires when script does get in.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from dynaguard.model import Report
from dynaguard.report import json as json_report
from dynaguard.serve.store import database, schema
from tests.browser.hostile import ONE_LINE, PWN, hostile_report
from tests.browser.test_html_in_chromium import chromium, load
from tests.serve.web import BASE, logged_in, make_app, new_project

__all__ = ["chromium"]  # the fixture, used by name


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, str]:
    """Every page of a project holding the hostile report, as served."""
    engine: Engine = database.connect(f"sqlite:///{tmp_path / 'h.db'}")
    database.migrate(engine)
    client = logged_in(make_app(engine))
    token = new_project(client)
    report = hostile_report()
    # The rogue rule is refused at upload (unknown id); the other findings are stored.
    stored = Report(findings=report.findings[:3], target=report.target, tool_version="0.1.0")
    text = json_report.render(replace(stored, extra=report.extra))
    answer = client.post(
        "/api/v1/projects/shop/scans",
        query_string={"label": ONE_LINE},
        data=text,
        headers={"Authorization": f"Bearer {token}"},
        base_url=BASE,
    )
    assert answer.status_code == 201, answer.get_json()
    _dead_letter(engine)
    found = {
        path: _get(client, path)
        for path in ("/", "/projects/shop", "/projects/shop/findings", "/monitor", "/users")
    }
    for finding_id in sorted(
        set(re.findall(r"/projects/shop/findings/(\d+)", found["/projects/shop/findings"]))
    ):
        path = f"/projects/shop/findings/{finding_id}"
        found[path] = _get(client, path)
    # The static finding and its proof are joined on ingest: two findings, two finding pages.
    assert len(found) == 7
    engine.dispose()
    return found


def _dead_letter(engine: Engine) -> None:
    """A monitor run that failed with what a hostile target answered."""
    with database.sessions(engine).begin() as session:
        now = schema.utc_now()
        run = {"id": f"api@{ONE_LINE}", "target": "api", "state": "dead", "due_at": now}
        run |= {"attempts": 3, "finished_at": now, "worker": "w", "new_findings": 0}
        session.add(schema.MonitorRun(**run, error=f"HTTPError: {ONE_LINE}"))


def _get(client: FlaskClient, path: str) -> str:
    response = client.get(path, base_url=BASE)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_no_script_runs_on_any_page(chromium: str, tmp_path: Path, pages: dict[str, str]) -> None:
    for number, (path, document) in enumerate(pages.items()):
        assert "<script" not in document, path
        if path not in ("/", "/users"):  # these show no text from a report or a target
            assert "&lt;script&gt;" in document, path
        loaded = load(chromium, tmp_path / f"page{number}", document)
        assert "data-pwned" not in loaded.attributes, path
        assert not loaded.tags & {"script", "iframe", "img", "base"}, path


def test_control_injected_script_does_run(
    chromium: str, tmp_path: Path, pages: dict[str, str]
) -> None:
    document = pages["/projects/shop"].replace("</body>", f"<script>{PWN}</script></body>")
    assert "data-pwned" in load(chromium, tmp_path / "control", document).attributes
