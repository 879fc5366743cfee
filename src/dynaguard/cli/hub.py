"""``dynaguard code/scan --upload URL --project NAME`` and ``--server URL --project NAME``.

``--upload`` sends the run's report to ``dynaguard serve``; ``--server`` first fetches the
project's triage there, so that findings marked false positive or accepted risk show as
suppressed and do not set the exit code. Both take the project's upload token from
``DYNAGUARD_TOKEN``. httpx is imported only when one of them is given (start-up).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import click

from dynaguard.cli.exits import ExitCode, die
from dynaguard.model import BaselineState, Finding, Report, Suppression, SuppressionKind

TOKEN_ENV = "DYNAGUARD_TOKEN"
TIMEOUT = 60.0
F = TypeVar("F", bound=Callable[..., Any])


class HubError(Exception):
    """The server could not be reached or refused; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Hub:
    upload: str | None
    """Server to upload the report to."""
    server: str | None
    """Server whose triage the gate respects."""
    project: str | None
    label: str


def hub_options(command: F) -> F:
    options = (
        click.option("--upload", metavar="URL", help="Upload the report to dynaguard serve at URL."),
        click.option(
            "--server",
            metavar="URL",
            help="Ignore findings triaged in dynaguard serve at URL when setting the exit code.",
        ),
        click.option("--project", metavar="NAME", envvar="DYNAGUARD_PROJECT", help="Project on the server."),
        click.option("--label", default="", metavar="TEXT", help="Name of this run on the server (a commit, a CI run)."),
    )  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def take(options: dict[str, Any]) -> Hub:
    """Remove the hub options from a command's options; usage errors exit 2."""
    hub = Hub(
        options.pop("upload"), options.pop("server"), options.pop("project"), options.pop("label")
    )
    if (hub.upload or hub.server) and not hub.project:
        die("--upload and --server need --project NAME", ExitCode.USAGE)
    if (hub.upload or hub.server) and not os.environ.get(TOKEN_ENV):
        die(f"--upload and --server need the project's upload token in {TOKEN_ENV}", ExitCode.USAGE)
    return hub


def apply_triage(report: Report, hub: Hub) -> Report:
    """The report with the server's triaged findings moved to ``hidden`` as suppressed."""
    if not hub.server or not hub.project:
        return report
    try:
        marks = fetch_triage(hub.server, hub.project, os.environ[TOKEN_ENV])
    except HubError as exc:
        die(f"--server: {exc}", ExitCode.TARGET)
    kept = tuple(f for f in report.findings if f.fingerprint not in marks)
    muted = tuple(
        replace(f, suppression=Suppression(SuppressionKind.EXTERNAL, marks[f.fingerprint]))
        for f in report.findings
        if f.fingerprint in marks
    )
    if muted:
        click.echo(f"dynaguard: {len(muted)} finding(s) triaged on {hub.server}", err=True)
    return replace(report, findings=kept, hidden=(*report.hidden, *muted))


def upload_report(report: Report, hub: Hub) -> None:
    """Send every finding present in the code or API (baselined ones included: the server
    tracks what exists; its triage decides what counts)."""
    if not hub.upload or not hub.project:
        return
    from dynaguard.report import json as json_report

    text = json_report.render(present(report))
    try:
        answer = upload(hub.upload, hub.project, os.environ[TOKEN_ENV], text, hub.label)
    except HubError as exc:
        die(f"--upload: {exc}", ExitCode.TARGET)
    click.echo(f"dynaguard: {answer}", err=True)


def present(report: Report) -> Report:
    """The findings that exist now: shown ones, and hidden ones a baseline or a git ref hid
    (not those an inline ignore silenced, nor those gone since the ref)."""

    def exists(finding: Finding) -> bool:
        if finding.baseline_state is BaselineState.ABSENT:
            return False
        return finding.suppression is None or finding.suppression.kind is SuppressionKind.EXTERNAL

    every = (*report.findings, *(f for f in report.hidden if exists(f)))
    clean = tuple(replace(f, baseline_state=None, suppression=None) for f in every)
    return replace(report, findings=clean, hidden=(), compared_with="")


def upload(server: str, project: str, token: str, text: str, label: str = "") -> str:
    """POST a report; the server's one-line answer (``scan 12 stored: 3 new``)."""
    body = _request(
        "POST", server, f"projects/{project}/scans", token, text=text, params={"label": label}
    )
    states = body.get("counts", {}).get("state", {})
    summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items())) or "no findings"
    verb = "stored" if body.get("created") else "already stored"
    return f"scan {body.get('scan')} {verb} on {server}: {summary}"


def fetch_triage(server: str, project: str, token: str) -> dict[str, str]:
    """``{fingerprint: why it is muted}`` for the project's applying triage marks."""
    body = _request("GET", server, f"projects/{project}/triage", token)
    marks: dict[str, str] = {}
    for mark in body.get("triage", []):
        kind = str(mark.get("kind", "")).replace("_", " ")
        marks[str(mark.get("fingerprint"))] = (
            f"{kind} in dynaguard serve: {mark.get('reason', '')} ({mark.get('author', '')})"
        )
    return marks


def _request(
    method: str,
    server: str,
    path: str,
    token: str,
    *,
    text: str | None = None,
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    import httpx

    url = f"{server.rstrip('/')}/api/v1/{path}"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        response = httpx.request(
            method, url, content=text, params=params, headers=headers, timeout=TIMEOUT
        )
    except httpx.HTTPError as exc:
        raise HubError(f"{url}: {exc}") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400:
        error = body.get("error") if isinstance(body, dict) else None
        raise HubError(f"{url}: {response.status_code} {error or response.reason_phrase}")
    if not isinstance(body, dict):
        raise HubError(f"{url}: the answer is not a JSON object")
    return body
