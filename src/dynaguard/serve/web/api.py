"""The REST API, ``/api/v1``: JSON in and out, described by ``/api/v1/openapi.json``.

Version 1 may gain fields; renaming or removing one makes ``/api/v2``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, g, jsonify, request, url_for
from sqlalchemy.exc import IntegrityError

from dynaguard.history.reading import ReportError
from dynaguard.serve import export, ingest, joined, projects, queries, triage
from dynaguard.serve.store import schema
from dynaguard.serve.store.database import transaction
from dynaguard.serve.store.schema import TriageKind
from dynaguard.serve.web import lookup, openapi, security
from dynaguard.serve.web.security import login_required

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@blueprint.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document())


@blueprint.get("/projects")
@login_required
def list_projects() -> Response:
    return jsonify(projects=[summary_dict(s) for s in queries.project_summaries(g.db)])


@blueprint.post("/projects")
@login_required
def create_project() -> tuple[Response, int]:
    body = request.get_json(silent=True) or {}
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str):
        abort(400, description="expected a JSON object with a 'name' string")
    with transaction(g.db):
        if projects.find(g.db, name) is not None:
            abort(409, description="a project of that name exists")
        try:
            project = projects.create(g.db, name, security.current_user() or "")
        except projects.InvalidName as exc:
            abort(400, description=str(exc))
        token = projects.issue_token(g.db, project, "first token", security.current_user() or "")
    return jsonify(name=project.name, token=token), 201


@blueprint.get("/projects/<name>")
@login_required
def get_project(name: str) -> Response:
    project = lookup.project(name)
    summary = next(s for s in queries.project_summaries(g.db) if s.project.id == project.id)
    return jsonify(summary_dict(summary))


@blueprint.get("/projects/<name>/scans")
@login_required
def list_scans(name: str) -> Response:
    return jsonify(scans=[scan_dict(s) for s in queries.scans(g.db, lookup.project(name).id)])


@blueprint.post("/projects/<name>/scans")
def upload(name: str) -> tuple[Response, int]:
    """A report (JSON or SARIF) with the project's upload token; 201 new scan, 200 known."""
    project = security.token_project()
    if project is None:
        return jsonify(error="an unrevoked upload token is required (Authorization: Bearer)"), 401
    if project.name != name:
        return jsonify(error="this token uploads to another project"), 403
    try:
        text = request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        abort(400, description="the report is not UTF-8 text")
    label = request.args.get("label", "")
    try:
        with transaction(g.db):
            result = ingest.ingest(g.db, project, text, label)
            if result.created:
                from dynaguard.serve import audit

                audit.record(g.db, "token", "scan.upload", project.id, scan=result.scan_id)
    except ReportError as exc:
        abort(400, description=f"not a dynaguard report: {exc}")
    except IntegrityError:
        abort(409, description="another upload to this project was stored at the same time; retry")
    body = {"scan": result.scan_id, "created": result.created, "counts": result.counts}
    body["url"] = url_for("pages.project", name=name, _external=True)
    return jsonify(body), 201 if result.created else 200


@blueprint.get("/projects/<name>/findings")
@login_required
def list_findings(name: str) -> Response:
    project = lookup.project(name)
    states = tuple(s for s in request.args.getlist("state") if s in _STATES)
    page = request.args.get("page", 1, type=int) or 1
    rows, total = queries.findings(g.db, project.id, states, page)
    return jsonify(
        total=total,
        page=page,
        page_size=queries.PAGE_SIZE,
        findings=[row_dict(r) for r in rows],
    )


@blueprint.get("/projects/<name>/findings/<int:finding_id>")
@login_required
def get_finding(name: str, finding_id: int) -> Response:
    life = queries.life(g.db, lookup.finding(name, finding_id))
    body = row_dict(queries.Row(life.finding, life.mark, life.data))
    body["joined"] = _partner_dict(life.partner) if life.partner else None
    body["joined_history"] = [
        {"scan": scan_dict(s), "state": state} for s, state in life.partner_transitions
    ]
    body["sightings"] = life.sightings
    body["history"] = [{"scan": scan_dict(s), "state": state} for s, state in life.transitions]
    body["triage_history"] = [mark_dict(m) for m in life.marks]
    return jsonify(body)


@blueprint.post("/projects/<name>/findings/<int:finding_id>/triage")
@login_required
def mark_finding(name: str, finding_id: int) -> tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="expected a JSON object")
    kind, reason, expires = parse_mark(body.get("kind"), body.get("reason"), body.get("expires"))
    with transaction(g.db):
        finding = lookup.finding(name, finding_id)
        try:
            row = triage.mark(
                g.db, finding, kind, reason, security.current_user() or "", expires_at=expires
            )
        except triage.TriageError as exc:
            abort(400, description=str(exc))
    return jsonify(mark_dict(row)), 201


@blueprint.delete("/projects/<name>/findings/<int:finding_id>/triage")
@login_required
def unmark_finding(name: str, finding_id: int) -> Response:
    with transaction(g.db):
        revoked = triage.revoke(
            g.db, lookup.finding(name, finding_id), security.current_user() or ""
        )
    return jsonify(revoked=revoked)


@blueprint.get("/projects/<name>/triage")
def project_triage(name: str) -> Response:
    """The marks that apply now, by fingerprint: what ``dynaguard code --server`` ignores.
    Readable with the project's upload token too (the CI job that uploads also gates)."""
    project = _readable_project(name)
    marks = joined.share(triage.project_marks(g.db, project.id), joined.partners(g.db, project.id))
    by_id = {f.id: f.fingerprint for f in _findings_of(list(marks))}
    return jsonify(
        triage=[{"fingerprint": by_id[i], **mark_dict(m)} for i, m in sorted(marks.items())]
    )


@blueprint.post("/projects/<name>/tokens")
@login_required
def issue_token(name: str) -> tuple[Response, int]:
    body = request.get_json(silent=True) or {}
    label = body.get("name", "") if isinstance(body, dict) else ""
    with transaction(g.db):
        project = lookup.project(name)
        token = projects.issue_token(g.db, project, str(label), security.current_user() or "")
    return jsonify(token=token), 201


@blueprint.delete("/projects/<name>/tokens/<int:token_id>")
@login_required
def revoke_token(name: str, token_id: int) -> Response:
    with transaction(g.db):
        lookup.token(name, token_id)
        revoked = projects.revoke_token(g.db, token_id, security.current_user() or "")
    return jsonify(revoked=revoked)


@blueprint.get("/projects/<name>/export.<fmt>")
@login_required
def export_findings(name: str, fmt: str) -> Response:
    try:
        chosen = export.ExportFormat(fmt)
    except ValueError:
        abort(404, description="export formats: json, sarif, csv")
    project = lookup.project(name)
    text = export.render(queries.open_findings(g.db, project.id), chosen, project.name)
    response = Response(text, mimetype=export.MEDIA_TYPES[chosen].split(";")[0])
    response.headers["Content-Disposition"] = f"attachment; filename={project.name}.{fmt}"
    return response


_STATES = tuple(s.value for s in schema.State)


def parse_mark(kind: Any, reason: Any, expires: Any) -> tuple[TriageKind, str, dt.datetime | None]:
    """A mark's fields from a form or JSON; 400 naming the bad one."""
    try:
        chosen = TriageKind(kind)
    except ValueError:
        abort(400, description="kind must be false_positive or accepted_risk")
    if not isinstance(reason, str) or not reason.strip():
        abort(400, description="a reason is required")
    if expires in (None, ""):
        return chosen, reason, None
    try:
        day = dt.date.fromisoformat(str(expires))
    except ValueError:
        abort(400, description="expires must be a date, YYYY-MM-DD")
    return chosen, reason, dt.datetime.combine(day, dt.time())


def _readable_project(name: str) -> schema.Project:
    if security.bearer_token() is not None:
        project = security.token_project()
        if project is None or project.name != name:
            abort(403, description="this token does not belong to this project")
        return project
    if security.current_user() is None:
        abort(401, description="log in, or send the project's upload token")
    return lookup.project(name)


def _findings_of(ids: list[int]) -> list[schema.Finding]:
    from sqlalchemy import select

    if not ids:
        return []
    return list(g.db.scalars(select(schema.Finding).where(schema.Finding.id.in_(ids))))


def summary_dict(summary: queries.ProjectSummary) -> dict[str, Any]:
    return {
        "name": summary.project.name,
        "scans": summary.scans,
        "open_findings": summary.open_findings,
        "latest_scan": scan_dict(summary.latest) if summary.latest else None,
    }


def scan_dict(scan: schema.Scan) -> dict[str, Any]:
    return {
        "id": scan.id,
        "created_at": scan.created_at.isoformat() + "Z",
        "label": scan.label,
        "target": scan.target,
        "tool_version": scan.tool_version,
        "grade": scan.grade,
        "score": scan.score,
        "total": scan.total,
        "counts": scan.counts,
        "engines": scan.scope,
    }


def row_dict(row: queries.Row) -> dict[str, Any]:
    finding = row.finding
    return {
        "id": finding.id,
        "fingerprint": finding.fingerprint,
        "state": finding.state,
        "first_seen_scan": finding.first_seen_scan_id,
        "last_seen_scan": finding.last_seen_scan_id,
        "triage": mark_dict(row.mark) if row.mark else None,
        "finding": row.data,
        "joined": _partner_dict(row.proof) if row.proof else None,
    }


def _partner_dict(partner: schema.Finding) -> dict[str, Any]:
    """The other half of a joined pair (a finding uploaded in another report)."""
    return {
        "id": partner.id,
        "fingerprint": partner.fingerprint,
        "engine": partner.side,
        "state": partner.state,
    }


def mark_dict(mark: schema.TriageMark) -> dict[str, Any]:
    return {
        "kind": mark.kind,
        "reason": mark.reason,
        "author": mark.author,
        "created_at": mark.created_at.isoformat() + "Z",
        "expires_at": mark.expires_at.date().isoformat() if mark.expires_at else None,
        "revoked": mark.revoked_at is not None,
    }
