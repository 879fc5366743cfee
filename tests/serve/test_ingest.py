"""Ingest on SQLite and PostgreSQL: a report becomes a scan, findings are matched across scans by
fingerprint and move through new / open / fixed / reopened; bad reports store nothing."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dynaguard.history.reading import ReportError
from dynaguard.report import json as json_report
from dynaguard.report.correlate import correlate
from dynaguard.serve import ingest, projects, queries, stored
from dynaguard.serve.store import database, schema
from tests.serve.reports import as_json, as_sarif, dynamic, many, static

A = static("DG101", "app/users.py", "create_user", "table.put_item(Item=body)")
B = static("DG201", "app/users.py", "get_user", "table.get_item(Key=key)")
C = static("DG403", "app/orders.py", "cancel", "table.update_item(Key=key)")


def _upload(engine: Engine, text: str, label: str = "") -> ingest.Ingested:
    with database.sessions(engine).begin() as session:
        project = projects.find(session, "shop") or projects.create(session, "shop", "test")
        return ingest.ingest(session, project, text, label)


def _states(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.execute(select(schema.Finding.fingerprint, schema.Finding.state))
        return {row.fingerprint: row.state for row in rows}


def _count(engine: Engine, table: type[schema.Base]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_states_move_on_with_each_scan(engine: Engine) -> None:
    _upload(engine, as_json(A, B))
    assert _states(engine) == {A.fingerprint: "new", B.fingerprint: "new"}
    _upload(engine, as_json(A, C))
    assert _states(engine) == {A.fingerprint: "open", B.fingerprint: "fixed", C.fingerprint: "new"}
    third = _upload(engine, as_json(A, B, C))
    assert _states(engine) == {
        A.fingerprint: "open",
        B.fingerprint: "reopened",
        C.fingerprint: "open",
    }
    assert third.counts["state"] == {"open": 2, "reopened": 1}
    assert third.counts["severity"] == {"high": 2, "medium": 1}


def test_a_finding_that_moved_is_the_same_finding(engine: Engine) -> None:
    _upload(engine, as_json(A))
    moved = replace(A, location=replace(A.location, line=A.location.line + 40))  # type: ignore[arg-type]
    _upload(engine, as_json(moved))
    assert _states(engine) == {A.fingerprint: "open"}
    assert _count(engine, schema.Finding) == 1


def test_a_changed_finding_is_a_new_one(engine: Engine) -> None:
    _upload(engine, as_json(A))
    changed = static("DG101", "app/users.py", "create_user", "table.put_item(Item=request.json)")
    _upload(engine, as_json(changed))
    assert _states(engine) == {A.fingerprint: "fixed", changed.fingerprint: "new"}


def test_the_same_report_twice_is_one_scan(engine: Engine) -> None:
    first = _upload(engine, as_json(A, B))
    again = _upload(engine, json.dumps(json.loads(as_json(A, B))))  # re-serialised, same content
    assert (again.scan_id, again.created) == (first.scan_id, False)
    assert _count(engine, schema.Scan) == 1
    assert _states(engine) == {A.fingerprint: "new", B.fingerprint: "new"}
    labelled = _upload(engine, as_json(A, B), label="ci-run-2")
    assert labelled.created
    assert _states(engine) == {A.fingerprint: "open", B.fingerprint: "open"}


def test_sarif_and_json_of_one_run_track_the_same_findings(engine: Engine) -> None:
    proof = dynamic("DG801", "GET", "/users/{id}")
    _upload(engine, as_json(A, proof))
    _upload(engine, as_sarif(A, proof))
    assert _states(engine) == {A.fingerprint: "open", proof.fingerprint: "open"}


def test_static_and_dynamic_findings_of_one_weakness_are_joined(engine: Engine) -> None:
    proof = dynamic("DG101", "POST", "/create_user")
    _upload(engine, as_json(A, proof))
    with Session(engine) as session:
        rows = session.scalars(select(schema.Finding)).all()
    assert [(r.fingerprint, r.data["engine"], r.data["confidence"]) for r in rows] == [
        (A.fingerprint, "dynamic", "confirmed")
    ]
    # The next code-only scan still matches the joined finding (it kept the static fingerprint).
    _upload(engine, as_json(A))
    assert _states(engine) == {A.fingerprint: "open"}


def test_sightings_and_transitions_tell_a_findings_life(engine: Engine) -> None:
    for run, findings in enumerate(([A], [], [A], [A])):
        _upload(engine, as_json(*findings), label=f"run {run}")
    with Session(engine) as session:
        finding = session.scalars(select(schema.Finding)).one()
        states = session.scalars(
            select(schema.Transition.state).order_by(schema.Transition.id)
        ).all()
        sighted = session.scalar(select(func.count()).select_from(schema.Sighting))
    assert states == ["new", "fixed", "reopened"]
    assert sighted == 3
    assert finding.first_seen_scan_id < finding.last_seen_scan_id


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"version": 2, "tool": {}, "findings": []}', "version 2 is not supported"),
        ('{"version": "1", "tool": {}, "findings": []}', "version '1' is not supported"),
        ('{"version": 1, "tool": {}, "findings": [{"rule": "DG999"}]}', "unknown rule 'DG999'"),
        ('{"version": "2.0.0", "runs": []}', "SARIF version '2.0.0' is not supported"),
        ('{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}]}', "is not dynaguard"),
    ],
)
def test_bad_reports_are_refused_naming_the_problem(
    engine: Engine, text: str, message: str
) -> None:
    with pytest.raises(ReportError, match=message):
        _upload(engine, text)


def test_a_report_that_fails_half_way_stores_nothing(engine: Engine) -> None:
    _upload(engine, as_json(A))
    document = json.loads(as_json(B, C))
    document["findings"][1]["severity"] = "catastrophic"
    with pytest.raises(ReportError, match=r"\$\.findings\[1\]\.severity"):
        _upload(engine, json.dumps(document))
    assert (_count(engine, schema.Scan), _count(engine, schema.Finding)) == (1, 1)


def test_thousands_of_findings_in_one_report(engine: Engine) -> None:
    # Bulk statements both ways; the speed is measured in bench/history.py, not here.
    result = _upload(engine, as_json(*many(2_000)))
    assert result.counts["state"] == {"new": 2_000}
    result = _upload(engine, as_json(*many(2_000)[:1_800]))
    assert result.counts["state"] == {"open": 1_800, "fixed": 200}


def test_a_stored_finding_reads_back_as_the_json_reports() -> None:
    # What the rule decides is not stored; reading puts it back, in the contract's key order.
    proof = dynamic("DG801", "GET", "/users/{id}")
    for finding in (A, proof):
        kept = stored.compact(finding)
        assert "remediation" not in kept
        assert list(stored.full(kept).items()) == list(json_report.finding_dict(finding).items())


API = "http://127.0.0.1:5000"
PROOF = dynamic("DG101", "POST", "/create_user")  # the proof of A (same rule, same route)


def _shown(engine: Engine) -> list[queries.Row]:
    with Session(engine) as session:
        project = projects.find(session, "shop")
        assert project is not None
        return queries.findings(session, project.id)[0]


def test_a_code_upload_leaves_the_proofs_of_a_scan_upload_alone(engine: Engine) -> None:
    proof = dynamic("DG202", "GET", "/notes/{id}")
    code = _upload(engine, as_json(A, B), label="code 1")
    scan = _upload(engine, as_json(proof, target=API), label="scan 1")
    _upload(engine, as_json(A, B), label="code 2")
    assert _states(engine) == {
        A.fingerprint: "open",
        B.fingerprint: "open",
        proof.fingerprint: "new",
    }
    _upload(engine, as_json(target=API), label="scan 2")  # the API no longer shows it
    _upload(engine, as_json(A), label="code 3")
    assert _states(engine) == {
        A.fingerprint: "open",
        B.fingerprint: "fixed",
        proof.fingerprint: "fixed",
    }
    with Session(engine) as session:
        scopes = session.scalars(select(schema.Scan.scope).order_by(schema.Scan.id)).all()
    assert scopes == ["static", "dynamic", "static", "dynamic", "static"]
    assert (code.counts["state"], scan.counts["state"]) == ({"new": 2}, {"new": 1})


def test_findings_uploaded_apart_are_joined_as_the_html_report_joins_them(
    engine: Engine,
) -> None:
    _upload(engine, as_json(A, B), label="code")
    _upload(engine, as_json(PROOF, target=API), label="scan")
    rows = _shown(engine)
    assert [row.finding.fingerprint for row in rows] == [A.fingerprint, B.fingerprint]
    (expected,) = [f for f in correlate([A, B], [PROOF]) if f.fingerprint == A.fingerprint]
    assert rows[0].data == json_report.finding_dict(expected)
    assert rows[0].data["message"].startswith("confirmed: app/users.py:10, proven on POST")
    assert rows[0].proof is not None and rows[0].proof.fingerprint == PROOF.fingerprint
    assert rows[1].proof is None and rows[1].data["engine"] == "static"
    # The order of the uploads does not matter, nor do later scans of either kind.
    _upload(engine, as_json(PROOF, target=API), label="scan again")
    _upload(engine, as_json(A, B), label="code again")
    assert [row.data["confidence"] for row in _shown(engine)] == ["confirmed", "high"]
    # Fixed in the code: the proof shows on its own (the API still answers as before).
    _upload(engine, as_json(B), label="code fixed")
    rows = _shown(engine)
    assert {(r.finding.fingerprint, r.finding.state, r.proof) for r in rows} == {
        (A.fingerprint, "fixed", None),
        (B.fingerprint, "open", None),
        (PROOF.fingerprint, "open", None),
    }


def test_one_proof_joins_one_static_finding(engine: Engine) -> None:
    # Two sinks of one rule in one handler and one proof: one confirmed, one potential (as in
    # the report: the proof shows the route is vulnerable, not that every sink is).
    twin = static("DG101", "app/users.py", "create_user", "table.put_item(Item=other)")
    _upload(engine, as_json(A, twin), label="code")
    _upload(engine, as_json(PROOF, target=API), label="scan")
    confidences = sorted(row.data["confidence"] for row in _shown(engine))
    assert confidences == ["confirmed", "high"]
    with Session(engine) as session:
        linked = session.scalars(
            select(schema.Finding.joined_to_id).where(schema.Finding.joined_to_id.is_not(None))
        ).all()
    assert len(linked) == 1


def test_a_report_joined_already_is_not_joined_twice(engine: Engine) -> None:
    # `dynaguard scan --source` uploads the pair joined; a later scan-only upload of the same
    # proof shows under it, not beside it.
    _upload(engine, as_json(A, PROOF, target=API), label="scan --source")
    _upload(engine, as_json(PROOF, target=API), label="scan")
    rows = _shown(engine)
    assert [(r.finding.fingerprint, r.data["confidence"]) for r in rows] == [
        (A.fingerprint, "confirmed")
    ]
