"""``/api/v1/monitor``: what ``dynaguard monitor`` did (each target's latest run, the dead
letters), and ``/api/v1/monitor/targets``: targets added on the server rather than in
``dynaguard.toml`` (admins only: a target makes the monitor send requests, and writes with
``active = true``). The server checks a target with the validator the CLI hands ``create_app``
(the monitor's own, which ``serve`` may not import); without one these routes answer 501."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, jsonify, request
from sqlalchemy import select

from dynaguard.serve import audit, monitoring
from dynaguard.serve.store import schema
from dynaguard.serve.store.database import transaction
from dynaguard.serve.web.context import state
from dynaguard.serve.web.security import admin_required, current_user, login_required

api = Blueprint("targets_api", __name__, url_prefix="/api/v1/monitor")


@api.get("/targets")
@admin_required
def list_targets() -> Response:
    return jsonify(targets=[target_dict(t) for t in api_targets()])


@api.post("/targets")
@admin_required
def add_target() -> tuple[Response, int]:
    definition = request.get_json(silent=True)
    if not isinstance(definition, dict):
        abort(400, description="expected a JSON object: a [[monitor.targets]] table")
    validate = state().validate_target
    if validate is None:
        abort(
            501, description="this server cannot check monitor targets: install dynaguard[monitor]"
        )
    try:
        name = validate(definition)
    except ValueError as exc:
        abort(400, description=str(exc))
    with transaction(g.db):
        if g.db.get(schema.MonitorTarget, name) is not None:
            abort(409, description=f"a target named {name!r} exists")
        row = schema.MonitorTarget(
            name=name,
            definition=definition,
            created_at=schema.utc_now(),
            created_by=current_user() or "",
        )
        g.db.add(row)
        audit.record(g.db, row.created_by, "monitor.target.add", None, target=name)
    return jsonify(target_dict(row)), 201


@api.delete("/targets/<target>")
@admin_required
def remove_target(target: str) -> Response:
    with transaction(g.db):
        row = g.db.get(schema.MonitorTarget, target)
        if row is None:
            abort(404, description="no such target added through the API")
        g.db.delete(row)
        audit.record(g.db, current_user() or "", "monitor.target.remove", None, target=target)
    return jsonify(removed=True)


@api.get("")
@login_required
def monitor_overview() -> Response:
    """Each monitored target's latest run and the dead letters."""
    shown = monitoring.overview(g.db)
    return jsonify(
        targets=[run_dict(v) for v in shown.latest],
        dead_letters=[run_dict(v) for v in shown.dead],
        dead_letters_total=shown.dead_total,
    )


def run_dict(view: monitoring.RunView) -> dict[str, Any]:
    run = view.run
    return {
        "id": run.id,
        "target": run.target,
        "state": run.state,
        "due_at": run.due_at.isoformat() + "Z",
        "finished_at": run.finished_at.isoformat() + "Z" if run.finished_at else None,
        "attempts": run.attempts,
        "new_findings": run.new_findings,
        "project": view.project or None,
        "scan": run.scan_id,
        "error": run.error,
    }


def api_targets() -> list[schema.MonitorTarget]:
    return list(g.db.scalars(select(schema.MonitorTarget).order_by(schema.MonitorTarget.name)))


def target_dict(row: schema.MonitorTarget) -> dict[str, Any]:
    return {
        "name": row.name,
        "definition": row.definition,
        "created_at": row.created_at.isoformat() + "Z",
        "created_by": row.created_by,
    }
