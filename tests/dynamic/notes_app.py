"""A small notes API, vulnerable or fixed, on the embedded DynamoDB: the engine's unit-test target.

Auth is an API key (``X-API-Key``) or a token from ``POST /login`` (``{"data": {"token": ...}}``),
so both kinds of identity are exercised. The vulnerable ``like`` is a read-modify-write whose
interleaving is forced by a :class:`Gate`, so the race probe's test does not depend on timing.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from decimal import Decimal
from typing import Any

from flask import Flask, abort, g, jsonify, request
from flask.json.provider import DefaultJSONProvider

from dynaguard.lab import TableSpec, create_tables

KEYS = {"alice-key": ("alice", "user"), "bob-key": ("bob", "user"), "root-key": ("root", "admin")}
PASSWORDS = {"alice": "alice-pw", "bob": "bob-pw", "root": "root-pw"}


class Gate:
    """Holds a request until a second one arrives (or ``timeout`` passes): two concurrent
    read-modify-writes then always read the same value, so a lost update is certain."""

    def __init__(self, timeout: float = 0.5) -> None:
        self._cond = threading.Condition()
        self._waiting = 0
        self._generation = 0
        self._timeout = timeout

    def meet(self) -> None:
        with self._cond:
            generation = self._generation
            self._waiting += 1
            if self._waiting >= 2:
                self._generation += 1
                self._waiting = 0
                self._cond.notify_all()
                return
            if not self._cond.wait_for(lambda: self._generation != generation, self._timeout):
                self._waiting -= 1


class _Json(DefaultJSONProvider):
    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return DefaultJSONProvider.default(o)


def create_app(dynamodb: Any, *, vulnerable: bool, prefix: str) -> Flask:
    create_tables(dynamodb.meta.client, [TableSpec(f"{prefix}notes", "note_id")])
    api = NotesApi(dynamodb.Table(f"{prefix}notes"), vulnerable)
    app = Flask(f"notes-{prefix}")
    app.json = _Json(app)
    app.before_request(api.authenticate)
    app.add_url_rule("/openapi.json", view_func=api.spec)
    app.add_url_rule("/login", view_func=api.login, methods=["POST"])
    app.add_url_rule("/notes", view_func=api.list_notes)
    app.add_url_rule("/notes", view_func=api.create_note, methods=["POST"])
    app.add_url_rule("/notes/<note_id>", view_func=api.get_note)
    app.add_url_rule("/notes/<note_id>", view_func=api.update_note, methods=["PATCH"])
    app.add_url_rule("/notes/<note_id>", view_func=api.delete_note, methods=["DELETE"])
    app.add_url_rule("/notes/<note_id>/like", view_func=api.like, methods=["POST"])
    app.add_url_rule("/admin/notes", view_func=api.all_notes)
    return app


class NotesApi:
    """The handlers; ``vulnerable`` switches every check off at once."""

    def __init__(self, table: Any, vulnerable: bool) -> None:
        self.table = table
        self.vulnerable = vulnerable
        self.tokens: dict[str, tuple[str, str]] = {}
        self.gate = Gate()

    def authenticate(self) -> None:
        key = request.headers.get("X-API-Key", "")
        token = request.headers.get("Authorization", "").removeprefix("Token ")
        g.user, g.role = KEYS.get(key) or self.tokens.get(token) or (None, None)

    def login_required(self) -> str:
        if g.user is None:
            abort(401)
        return str(g.user)

    def owned(self, note_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"note_id": note_id}).get("Item")
        if item is None or (not self.vulnerable and item["owner"] != g.user):
            abort(404)
        return dict(item)

    def valid(self, body: dict[str, Any]) -> bool:
        limits = {"text": 500, "title": 50}
        return all(
            k in limits and isinstance(v, str) and 0 < len(v) <= limits[k] for k, v in body.items()
        )

    def view(self, item: dict[str, Any]) -> dict[str, Any]:
        return item if self.vulnerable else {k: v for k, v in item.items() if k != "share_secret"}

    def spec(self) -> Any:
        from tests.dynamic.notes_spec import SPEC

        return jsonify(SPEC)

    def login(self) -> Any:
        body = request.get_json(silent=True) or {}
        if PASSWORDS.get(body.get("user", "")) != body.get("pass"):
            abort(401)
        token = secrets.token_hex(16)
        self.tokens[token] = (body["user"], "admin" if body["user"] == "root" else "user")
        return {"data": {"token": token}}

    def list_notes(self) -> Any:
        items = [self.view(dict(i)) for i in self.table.scan()["Items"]]
        if self.vulnerable and g.user is None:
            return {"notes": items}  # the forgotten check: anonymous callers get everyone's notes
        owner = self.login_required()
        return {"notes": [i for i in items if i["owner"] == owner]}

    def create_note(self) -> Any:
        owner = self.login_required()
        body = request.get_json(silent=True) or {}
        if self.vulnerable:
            item = {"likes": 0, "share_secret": secrets.token_hex(8), **body, "owner": owner}
            item["text"] = body["text"]  # KeyError -> 500 when text is missing
        else:
            if not self.valid(body) or "text" not in body:
                abort(400)
            item = {
                "text": body["text"],
                "title": body.get("title") or "",
                "owner": owner,
                "likes": 0,
            }
        item["note_id"] = str(uuid.uuid4())
        self.table.put_item(Item=item)
        return self.view(item), 201

    def get_note(self, note_id: str) -> Any:
        self.login_required()
        return self.view(self.owned(note_id))

    def update_note(self, note_id: str) -> Any:
        self.login_required()
        item = self.owned(note_id)
        body = request.get_json(silent=True) or {}
        if not self.vulnerable and not self.valid(body):
            abort(400)
        item.update(body)
        self.table.put_item(Item=item)
        return self.view(item)

    def delete_note(self, note_id: str) -> Any:
        self.login_required()
        self.owned(note_id)
        self.table.delete_item(Key={"note_id": note_id})
        return "", 204

    def like(self, note_id: str) -> Any:
        self.login_required()
        item = self.owned(note_id)
        if self.vulnerable:
            self.gate.meet()  # forces two concurrent requests to read the same count
            item["likes"] = int(item["likes"]) + 1
            self.table.put_item(Item=item)
            return {"likes": item["likes"]}
        result = self.table.update_item(
            Key={"note_id": note_id},
            UpdateExpression="ADD likes :one",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )
        return {"likes": result["Attributes"]["likes"]}

    def all_notes(self) -> Any:
        self.login_required()
        if not self.vulnerable and g.role != "admin":
            abort(403)
        return {"notes": [self.view(dict(i)) for i in self.table.scan()["Items"]]}
