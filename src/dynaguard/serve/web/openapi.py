"""The OpenAPI 3.0 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

Written as data beside the views it describes; a test checks that every API route is in it and
that it is a valid OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from dynaguard import __version__

_NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
_FINDING = {"name": "finding_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_USERNAME = {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}
_TARGET = {"name": "target", "in": "path", "required": True, "schema": {"type": "string"}}
_TOKEN_ID = {"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_JSON = {"application/json": {"schema": {"type": "object"}}}
_SESSION: list[dict[str, list[str]]] = [{"session": []}]
_UPLOAD: list[dict[str, list[str]]] = [{"uploadToken": []}]


def _op(
    summary: str, security: list[dict[str, list[str]]], *params: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    responses = extra.pop("responses", {"200": {"description": "OK", "content": _JSON}})
    operation: dict[str, Any] = {"summary": summary, "security": security, "responses": responses}
    if params:
        operation["parameters"] = list(params)
    if "body" in extra:
        operation["requestBody"] = {"required": True, "content": extra.pop("body")}
    return operation


def document() -> dict[str, Any]:
    created = {"201": {"description": "Created", "content": _JSON}}
    report_body = {
        "application/json": {"schema": {"type": "object"}},
        "application/sarif+json": {"schema": {"type": "object"}},
    }
    label = {"name": "label", "in": "query", "required": False, "schema": {"type": "string"}}
    state = {
        "name": "state",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["new", "open", "fixed", "reopened"]},
    }
    page = {"name": "page", "in": "query", "required": False, "schema": {"type": "integer"}}
    fmt = {
        "name": "fmt",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": ["json", "sarif", "csv"]},
    }
    paths: dict[str, Any] = {
        "/projects": {
            "get": _op("Projects with their latest scan", _SESSION),
            "post": _op("Create a project; its first upload token is shown once", _SESSION, body=_JSON, responses=created),
        },
        "/projects/{name}": {"get": _op("A project", _SESSION, _NAME)},
        "/projects/{name}/scans": {
            "get": _op("The project's scans, oldest first", _SESSION, _NAME),
            "post": _op(
                "Upload a report (dynaguard JSON or SARIF 2.1.0); 201 new scan, 200 known",
                _UPLOAD, _NAME, label, body=report_body,
                responses={**created, "200": {"description": "Already uploaded", "content": _JSON}},
            ),
        },
        "/projects/{name}/findings": {
            "get": _op("Tracked findings, most severe first", _SESSION, _NAME, state, page)
        },
        "/projects/{name}/findings/{finding_id}": {
            "get": _op("A finding's life", _SESSION, _NAME, _FINDING)
        },
        "/projects/{name}/findings/{finding_id}/triage": {
            "post": _op("Mark a finding", _SESSION, _NAME, _FINDING, body=_JSON, responses=created),
            "delete": _op("Revoke the finding's marks", _SESSION, _NAME, _FINDING),
        },
        "/projects/{name}/triage": {
            "get": _op("Marks that apply now, by fingerprint", [*_SESSION, *_UPLOAD], _NAME)
        },
        "/projects/{name}/tokens": {
            "post": _op("Issue an upload token (shown once)", _SESSION, _NAME, body=_JSON, responses=created)
        },
        "/projects/{name}/tokens/{token_id}": {
            "delete": _op("Revoke an upload token", _SESSION, _NAME, _TOKEN_ID)
        },
        "/projects/{name}/export.{fmt}": {
            "get": _op("Open findings as JSON, SARIF or CSV", _SESSION, _NAME, fmt)
        },
        "/users": {
            "get": _op("Users (admins only)", _SESSION),
            "post": _op("Create a user (admins only); a generated password is shown once", _SESSION, body=_JSON, responses=created),
        },
        "/users/{username}": {"delete": _op("Disable a user (admins only)", _SESSION, _USERNAME)},
        "/users/{username}/password": {
            "put": _op("Set a password: an admin anyone's, a user their own (with current_password)", _SESSION, _USERNAME, body=_JSON)
        },
        "/monitor": {"get": _op("dynaguard monitor: each target's latest run and the dead letters", _SESSION)},
        "/monitor/targets": {
            "get": _op("Monitor targets added through the API (admins only)", _SESSION),
            "post": _op("Add a monitor target: a [[monitor.targets]] table as JSON (admins only)", _SESSION, body=_JSON, responses=created),
        },
        "/monitor/targets/{target}": {"delete": _op("Remove a monitor target added through the API", _SESSION, _TARGET)},
        "/openapi.json": {"get": _op("This document", [])},
    }  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {"title": "dynaguard serve", "version": __version__},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "dynaguard_session"},
                "uploadToken": {"type": "http", "scheme": "bearer"},
            }
        },
    }
