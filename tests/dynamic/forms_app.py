"""A cards API that reads forms only (``request.form``: a JSON body is an empty form), under
the base path ``/api/v1``, described by a Connexion-style YAML spec: Swagger 2 with ``formData``
and ``consumes``, or OpenAPI 3 with URL-encoded and multipart request bodies and a server URL
with variables. The vulnerable variant stores every form field (mass assignment); the fixed one
only the fields it names.
"""

from __future__ import annotations

import itertools
from typing import Any

import yaml
from flask import Flask, Response, abort, g, jsonify, request

KEYS = {"alice-key": "alice", "bob-key": "bob"}
PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw"}
BASE = "/api/v1"
EDITABLE = ("display_name", "bio")

_COMMON: dict[str, Any] = {
    "info": {"title": "cards", "version": "1"},
    "x-app-factory": "cards.app:create",
}
_CARD = {
    "type": "object",
    "properties": {
        "card_id": {"type": "string"},
        "owner": {"type": "string"},
        "display_name": {"type": "string"},
        "bio": {"type": "string"},
        "role": {"type": "string"},
    },
}
_FIELDS = {"display_name": {"type": "string"}, "bio": {"type": "string"}}


def _operation(op_id: str, **rest: Any) -> dict[str, Any]:
    """An operation as Connexion writes them: a dotted operationId and its controller."""
    return {
        "operationId": f"cards.api.{op_id}",
        "x-openapi-router-controller": "cards.api",
        **rest,
    }


def swagger2() -> dict[str, Any]:
    form = [{"name": n, "in": "formData", "type": "string", "required": True} for n in EDITABLE]
    item = [{"name": "card_id", "in": "path", "type": "string", "required": True}]
    ok = {"200": {"description": "ok", "schema": _CARD}}
    return {
        "swagger": "2.0",
        **_COMMON,
        "basePath": BASE,
        "consumes": ["application/x-www-form-urlencoded"],
        "securityDefinitions": {
            "key": {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "x-apikeyInfoFunc": "cards.auth.check",
            }
        },
        "security": [{"key": []}],
        "paths": {
            "/cards": {"post": _operation("create", parameters=form, responses={"201": ok["200"]})},
            "/cards/{card_id}": {
                "get": _operation("read", parameters=item, responses=ok),
                "patch": _operation(
                    "update",
                    consumes=["multipart/form-data"],
                    parameters=[*item, *({**p, "required": False} for p in form)],
                    responses=ok,
                ),
            },
        },
    }


def openapi3() -> dict[str, Any]:
    fields = {"type": "object", "properties": _FIELDS, "required": list(EDITABLE)}
    item = [{"name": "card_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    ok = {"description": "ok", "content": {"application/json": {"schema": _CARD}}}
    return {
        "openapi": "3.0.3",
        **_COMMON,
        "servers": [
            {
                "url": "{scheme}://localhost:{port}/{prefix}/v1",
                "variables": {
                    "scheme": {"default": "http"},
                    "port": {"default": "8080"},
                    "prefix": {"default": "api", "enum": ["api"]},
                },
            }
        ],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "x-bearerInfoFunc": "cards.auth.decode",
                },
                "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            }
        },
        "security": [{"key": []}],
        "paths": {
            "/token": {
                "post": _operation(
                    "token",
                    security=[],
                    requestBody=_body("application/x-www-form-urlencoded", {"type": "object"}),
                    responses={"200": {"description": "a key"}},
                )
            },
            "/cards": {
                "post": _operation(
                    "create",
                    requestBody=_body("application/x-www-form-urlencoded", fields),
                    responses={"201": ok},
                )
            },
            "/cards/{card_id}": {
                "get": _operation("read", parameters=item, responses={"200": ok}),
                "patch": _operation(
                    "update",
                    parameters=item,
                    requestBody=_body("multipart/form-data", {**fields, "required": []}),
                    responses={"200": ok},
                ),
            },
        },
    }


def _body(media: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {f"{media}; charset=utf-8": {"schema": schema}}}


def create_app(*, vulnerable: bool, spec: dict[str, Any]) -> Flask:
    app = Flask(f"cards-{'vulnerable' if vulnerable else 'fixed'}")
    cards: dict[str, dict[str, str]] = {}
    ids = itertools.count(1)
    text = yaml.safe_dump(spec, sort_keys=False)

    @app.before_request
    def authenticate() -> None:
        g.user = KEYS.get(request.headers.get("X-API-Key", ""))
        if g.user is None and request.path not in ("/openapi.yaml", f"{BASE}/token"):
            abort(401)

    @app.get("/openapi.yaml")
    def served_spec() -> Response:
        return Response(text, mimetype="application/yaml")

    @app.post(f"{BASE}/token")
    def token() -> Response:
        """OAuth2's password flow: a form, never JSON."""
        user = request.form.get("username", "")
        if PASSWORDS.get(user) != request.form.get("password"):
            abort(401)
        return jsonify(access_token=next(k for k, u in KEYS.items() if u == user))

    def fields() -> dict[str, str]:
        chosen = (
            request.form
            if vulnerable
            else {k: request.form[k] for k in EDITABLE if k in request.form}
        )
        return {k: v for k, v in chosen.items() if k not in ("card_id", "owner")}

    @app.post(f"{BASE}/cards")
    def create() -> tuple[Response, int]:
        if not all(request.form.get(k) for k in EDITABLE):
            abort(400)  # also what a JSON body gets: no form fields
        card_id = f"p{next(ids)}"
        cards[card_id] = {"role": "user", **fields(), "card_id": card_id, "owner": g.user}
        return jsonify(cards[card_id]), 201

    def mine(card_id: str) -> dict[str, str]:
        card = cards.get(card_id)
        if card is None or card["owner"] != g.user:
            abort(404)
        return card

    @app.get(f"{BASE}/cards/<card_id>")
    def read(card_id: str) -> Response:
        return jsonify(mine(card_id))

    @app.patch(f"{BASE}/cards/<card_id>")
    def update(card_id: str) -> Response:
        if not request.content_type or not request.content_type.startswith("multipart/"):
            abort(415)
        card = mine(card_id)
        card.update(fields())
        return jsonify(card)

    return app
