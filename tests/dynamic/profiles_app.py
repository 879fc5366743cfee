"""Profiles whose update stores whatever names its body has (vulnerable), or only its own
profile's two text fields (fixed); kept in memory. The spec the code of the vulnerable update
implies gives its body no field: the free-form body the scanner fills from a read."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, abort, g, jsonify, request

TOKENS = {"alice-token": "alice", "bob-token": "bob"}
WRITABLE = {"display_name", "bio"}
"""What the fixed update lets a client change (and type-checks as text)."""


def create_app(*, vulnerable: bool) -> Flask:
    profiles: dict[str, dict[str, Any]] = {
        name: {
            "username": name,
            "display_name": name.title(),
            "bio": f"{name}'s bio",
            "age": 30,
            "role": "user",
            "password_hash": f"pbkdf2:{name}",
            "updated_at": "2024-01-01T00:00:00Z",
            "links": {"home": f"https://example.com/{name}"},
        }
        for name in TOKENS.values()
    }
    lock = threading.Lock()
    app = Flask("profiles-vulnerable" if vulnerable else "profiles-fixed")

    @app.before_request
    def authenticate() -> None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        g.user = TOKENS.get(token)
        if g.user is None:
            abort(401)

    @app.get("/profiles/<username>")
    def read(username: str) -> Any:
        with lock:
            found = profiles.get(username)
        if found is None:
            return jsonify(error="not found"), 404
        return jsonify({k: v for k, v in found.items() if vulnerable or k != "password_hash"})

    @app.patch("/profiles/<username>")
    def update(username: str) -> Any:
        changes = request.get_json(silent=True)
        if not isinstance(changes, dict) or not changes:
            return jsonify(error="a JSON object is required"), 400
        if not vulnerable:
            if username != g.user:
                return jsonify(error="forbidden"), 403
            if set(changes) - WRITABLE or not all(isinstance(v, str) for v in changes.values()):
                return jsonify(error="only display_name and bio, as text"), 400
        with lock:
            if username not in profiles and not vulnerable:
                return jsonify(error="not found"), 404
            profile = profiles.setdefault(username, {"username": username})
            profile.update(changes)
            return jsonify(profile)

    return app


def derived_spec(free_form: str) -> dict[str, Any]:
    """What ``dynaguard code --emit-openapi`` writes for the vulnerable app's two routes (the
    update's body read whole, marked with the extension ``free_form``)."""
    param = {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}
    security = [{"dynaguard": []}]
    return {
        "openapi": "3.0.3",
        "info": {"title": "profiles", "version": "0"},
        "paths": {
            "/profiles/{username}": {
                "get": {"parameters": [param], "security": security, "responses": {}},
                "patch": {
                    "parameters": [param],
                    "security": security,
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {"schema": {"type": "object", free_form: True}}
                        },
                    },
                    "responses": {},
                },
            }
        },
        "components": {"securitySchemes": {"dynaguard": {"type": "http", "scheme": "bearer"}}},
    }
