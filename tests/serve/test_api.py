"""The REST API on SQLite and PostgreSQL: upload with tokens, bad uploads, findings, triage."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dynaguard.serve.store import schema
from dynaguard.serve.web import MAX_UPLOAD
from tests.serve.reports import as_json, as_sarif, dynamic, static
from tests.serve.web import BASE, csrf, logged_in, make_app, new_project

A = static("DG101", "app/users.py", "create_user", "table.put_item(Item=body)")
B = static("DG201", "app/users.py", "get_user", "table.get_item(Key=key)")


@pytest.fixture
def app(engine: Engine) -> Flask:
    return make_app(engine)


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return logged_in(app)


def _upload(
    client: FlaskClient, token: str, body: str | bytes, project: str = "shop"
) -> tuple[int, dict[str, object]]:
    response = client.post(
        f"/api/v1/projects/{project}/scans",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        base_url=BASE,
    )
    return response.status_code, response.get_json()


def test_upload_is_idempotent_and_tracked(admin: FlaskClient) -> None:
    token = new_project(admin)
    assert _upload(admin, token, as_json(A, B))[0] == 201
    status, body = _upload(admin, token, as_json(A, B))
    assert (status, body["created"]) == (200, False)
    assert _upload(admin, token, as_sarif(A))[0] == 201
    listed = admin.get("/api/v1/projects/shop/findings", base_url=BASE).get_json()
    assert {f["fingerprint"]: f["state"] for f in listed["findings"]} == {
        A.fingerprint: "open",
        B.fingerprint: "fixed",
    }
    scans = admin.get("/api/v1/projects/shop/scans", base_url=BASE).get_json()["scans"]
    assert [(s["total"], s["counts"]["state"]) for s in scans] == [
        (2, {"new": 2}),
        (1, {"open": 1, "fixed": 1}),
    ]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{", 400, "invalid JSON"),
        (b"\xff\xfe", 400, "not UTF-8"),
        (b'{"version": 7, "tool": {}, "findings": []}', 400, "version 7 is not supported"),
        (
            b'{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "dynaguard"}}}]}',
            400,
            "missing key 'results'",
        ),
    ],
)
def test_bad_uploads_are_refused_and_store_nothing(
    admin: FlaskClient, engine: Engine, body: bytes, status: int, message: str
) -> None:
    token = new_project(admin)
    code, answer = _upload(admin, token, body)
    assert code == status
    assert message in str(answer["error"])
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(schema.Scan)) == 0


def test_uploads_over_50_mb_are_refused(admin: FlaskClient) -> None:
    token = new_project(admin)
    code, answer = _upload(admin, token, b" " * (MAX_UPLOAD + 1))
    assert code == 413
    assert "50 MB" in str(answer["error"])


def test_tokens_are_per_project_and_revocable(admin: FlaskClient, engine: Engine) -> None:
    token = new_project(admin)
    other = new_project(admin, "other")
    assert _upload(admin, other, as_json(A))[0] == 403
    assert _upload(admin, "dgu_wrong", as_json(A))[0] == 401
    with Session(engine) as session:
        stored = session.scalars(select(schema.UploadToken.token_hash)).all()
    assert token not in stored  # only hashes are kept
    token_id = 1
    response = admin.delete(
        f"/api/v1/projects/shop/tokens/{token_id}",
        headers={"X-CSRF-Token": csrf(admin, "/")},
        base_url=BASE,
    )
    assert response.get_json() == {"revoked": True}
    assert _upload(admin, token, as_json(A))[0] == 401


def test_reads_need_a_login(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/v1/projects", base_url=BASE).status_code == 401
    assert client.get("/", base_url=BASE).status_code == 302


def test_triage_follows_the_finding_and_the_token_reads_it(admin: FlaskClient) -> None:
    token = new_project(admin)
    _upload(admin, token, as_json(A, B))
    listed = admin.get("/api/v1/projects/shop/findings", base_url=BASE).get_json()["findings"]
    target = next(f["id"] for f in listed if f["fingerprint"] == A.fingerprint)
    url = f"/api/v1/projects/shop/findings/{target}/triage"
    mark = {"kind": "false_positive", "reason": "the body is validated by the gateway"}
    assert admin.post(url, json=mark, base_url=BASE).status_code == 400  # no CSRF token
    response = admin.post(url, json=mark, headers={"X-CSRF-Token": csrf(admin, "/")}, base_url=BASE)
    assert response.status_code == 201
    moved = static("DG101", "app/users.py", "create_user", "table.put_item(Item=body)", line=99)
    _upload(admin, token, as_json(moved, B))
    read = admin.get(
        "/api/v1/projects/shop/triage", headers={"Authorization": f"Bearer {token}"}, base_url=BASE
    ).get_json()
    assert [(t["fingerprint"], t["kind"], t["author"]) for t in read["triage"]] == [
        (A.fingerprint, "false_positive", "admin")
    ]


def test_export_leaves_out_fixed_and_triaged_findings(admin: FlaskClient) -> None:
    token = new_project(admin)
    proof = dynamic("DG801", "GET", "/users/{id}")
    _upload(admin, token, as_json(A, B, proof))
    _upload(admin, token, as_json(A, proof))  # B fixed
    exported = admin.get("/api/v1/projects/shop/export.json", base_url=BASE)
    assert {f["fingerprint"] for f in json.loads(exported.get_data())["findings"]} == {
        A.fingerprint,
        proof.fingerprint,
    }
    csv_text = admin.get("/api/v1/projects/shop/export.csv", base_url=BASE).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("rule,title,severity")
    assert len(csv_text.splitlines()) == 3
    sarif = json.loads(admin.get("/api/v1/projects/shop/export.sarif", base_url=BASE).get_data())
    assert len(sarif["runs"][0]["results"]) == 2


def test_the_openapi_document_lists_every_api_route(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json", base_url=BASE).get_json()
    routes = {
        rule.rule.removeprefix("/api/v1")
        .replace("<name>", "{name}")
        .replace("<int:finding_id>", "{finding_id}")
        .replace("<int:token_id>", "{token_id}")
        .replace("<username>", "{username}")
        .replace("<target>", "{target}")
        .replace("<fmt>", "{fmt}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
    }
    assert routes == set(document["paths"])


def test_every_answer_carries_a_strict_csp(app: Flask) -> None:
    response = app.test_client().get("/login", base_url=BASE)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_the_openapi_document_is_valid_and_dynaguard_scan_reads_it(app: Flask) -> None:
    from openapi_spec_validator import validate

    from dynaguard.dynamic.spec.load import parse_spec
    from dynaguard.dynamic.spec.operations import build_spec

    raw = app.test_client().get("/api/v1/openapi.json", base_url=BASE).get_data()
    validate(json.loads(raw))
    spec = build_spec(parse_spec(raw, "openapi.json"))
    assert len(spec.operations) == 22


def test_findings_uploaded_apart_are_one_finding_and_one_mark_mutes_both(
    admin: FlaskClient,
) -> None:
    token = new_project(admin)
    proof = dynamic("DG101", "POST", "/create_user")
    _upload(admin, token, as_json(A, B))  # dynaguard code --upload
    _upload(admin, token, as_json(proof, target="http://127.0.0.1:5000"))  # dynaguard scan
    listed = admin.get("/api/v1/projects/shop/findings", base_url=BASE).get_json()
    assert listed["total"] == 2
    (confirmed,) = [f for f in listed["findings"] if f["joined"]]
    assert confirmed["fingerprint"] == A.fingerprint
    assert (confirmed["finding"]["engine"], confirmed["finding"]["confidence"]) == (
        "dynamic",
        "confirmed",
    )
    assert confirmed["joined"]["fingerprint"] == proof.fingerprint
    url = f"/api/v1/projects/shop/findings/{confirmed['id']}"
    life = admin.get(url, base_url=BASE).get_json()
    assert [h["state"] for h in life["joined_history"]] == ["new"]
    mark = {"kind": "accepted_risk", "reason": "internal network only"}
    headers = {"X-CSRF-Token": csrf(admin, "/")}
    assert admin.post(f"{url}/triage", json=mark, headers=headers, base_url=BASE).status_code == 201
    read = admin.get(
        "/api/v1/projects/shop/triage", headers={"Authorization": f"Bearer {token}"}, base_url=BASE
    ).get_json()
    # code --server and scan --server each find their own fingerprint muted.
    assert {t["fingerprint"] for t in read["triage"]} == {A.fingerprint, proof.fingerprint}
    exported = json.loads(admin.get("/api/v1/projects/shop/export.json", base_url=BASE).get_data())
    assert [f["fingerprint"] for f in exported["findings"]] == [B.fingerprint]
    sarif = json.loads(admin.get("/api/v1/projects/shop/export.sarif", base_url=BASE).get_data())
    assert len(sarif["runs"][0]["results"]) == 2  # the pair once, suppressed, and B
