"""The dashboard's pages: server-rendered, no script, every form with its CSRF token."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers.response import Response

from dynaguard.report.grade import CATEGORIES
from dynaguard.serve import accounts, audit, monitoring, projects, queries, triage
from dynaguard.serve.store import schema
from dynaguard.serve.store.database import transaction
from dynaguard.serve.web import api, chart, lookup, targets
from dynaguard.serve.web.context import state
from dynaguard.serve.web.security import current_user, login_required

blueprint = Blueprint("pages", __name__)


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html.j2")
    client = request.remote_addr or "?"
    throttle = state().throttle
    if throttle.blocked(client):
        return render_template("login.html.j2", error="too many failed logins: wait"), 429
    username = request.form.get("username", "")
    with transaction(g.db):
        ok = accounts.verify(g.db, username, request.form.get("password", ""))
        audit.record(g.db, username[:200], "login" if ok else "login.failed", None, client=client)
    if not ok:
        throttle.failed(client)
        return render_template("login.html.j2", error="wrong user name or password"), 401
    session.clear()  # a new session on login: nothing set before it carries over (fixation)
    session["user"] = username
    session.permanent = True
    target = request.args.get("next", "")
    # Only a local path: an absolute or scheme-relative URL would be an open redirect.
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return redirect(target if safe else url_for("pages.index"))


@blueprint.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("pages.login"))


@blueprint.get("/")
@login_required
def index() -> str:
    return render_template("projects.html.j2", summaries=queries.project_summaries(g.db))


@blueprint.get("/monitor")
@login_required
def monitor() -> str:
    return render_template(
        "monitor.html.j2", overview=monitoring.overview(g.db), added=targets.api_targets()
    )


@blueprint.post("/projects")
@login_required
def create_project() -> Any:
    name = request.form.get("name", "")
    with transaction(g.db):
        if projects.find(g.db, name) is not None:
            abort(409, description="a project of that name exists")
        try:
            project = projects.create(g.db, name, current_user() or "")
        except projects.InvalidName as exc:
            abort(400, description=str(exc))
        token = projects.issue_token(g.db, project, "first token", current_user() or "")
    return _project_page(project, new_token=token), 201


@blueprint.get("/projects/<name>")
@login_required
def project(name: str) -> str:
    return _project_page(lookup.project(name))


@blueprint.post("/projects/<name>/tokens")
@login_required
def issue_token(name: str) -> str:
    with transaction(g.db):
        found = lookup.project(name)
        label = request.form.get("label", "")
        token = projects.issue_token(g.db, found, label, current_user() or "")
    return _project_page(found, new_token=token)


@blueprint.post("/projects/<name>/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(name: str, token_id: int) -> Response:
    with transaction(g.db):
        lookup.token(name, token_id)
        projects.revoke_token(g.db, token_id, current_user() or "")
    return redirect(url_for("pages.project", name=name))


@blueprint.get("/projects/<name>/findings")
@login_required
def findings(name: str) -> str:
    found = lookup.project(name)
    chosen = tuple(s for s in request.args.getlist("state") if s in _STATES)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = queries.findings(g.db, found.id, chosen, page)
    return render_template(
        "findings.html.j2",
        project=found,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1),
        states=_STATES,
        chosen=chosen,
    )


@blueprint.get("/projects/<name>/findings/<int:finding_id>")
@login_required
def finding(name: str, finding_id: int) -> str:
    row = lookup.finding(name, finding_id)
    found = lookup.project(name)
    return render_template("finding.html.j2", project=found, life=queries.life(g.db, row))


@blueprint.post("/projects/<name>/findings/<int:finding_id>/triage")
@login_required
def mark(name: str, finding_id: int) -> Response:
    form = request.form
    kind, reason, expires = api.parse_mark(
        form.get("kind"), form.get("reason"), form.get("expires")
    )
    with transaction(g.db):
        row = lookup.finding(name, finding_id)
        try:
            triage.mark(g.db, row, kind, reason, current_user() or "", expires_at=expires)
        except triage.TriageError as exc:
            abort(400, description=str(exc))
    return redirect(url_for("pages.finding", name=name, finding_id=finding_id))


@blueprint.post("/projects/<name>/findings/<int:finding_id>/untriage")
@login_required
def unmark(name: str, finding_id: int) -> Response:
    with transaction(g.db):
        triage.revoke(g.db, lookup.finding(name, finding_id), current_user() or "")
    return redirect(url_for("pages.finding", name=name, finding_id=finding_id))


_STATES = tuple(s.value for s in schema.State)


def _project_page(found: schema.Project, new_token: str | None = None) -> str:
    scans = queries.scans(g.db, found.id)
    points = [chart.Point(str(n), s.counts.get("severity", {})) for n, s in enumerate(scans, 1)]
    by_category = [
        chart.Point(str(n), s.counts.get("category", {})) for n, s in enumerate(scans, 1)
    ]
    return render_template(
        "project.html.j2",
        project=found,
        scans=scans,
        severity_chart=chart.render(points, chart.SEVERITIES, "findings per scan by severity"),
        category_chart=chart.render(
            by_category, chart.categories(list(CATEGORIES)), "findings per scan by category"
        ),
        categories=CATEGORIES,
        tokens=projects.tokens(g.db, found.id),
        new_token=new_token,
    )
