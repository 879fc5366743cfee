"""A small accounts-and-books API, vulnerable or fixed, kept in memory: the stateful proofs' target.

Modelled on the textbook flaws of deliberately vulnerable APIs, in our own words: anyone may
register (and the vulnerable sign-up stores ``"admin": true`` and re-registers a taken name), a
user may change another user's password or email through ``/users/{username}/...``, and a book
is read by its title whoever asks. The fixed variant refuses each of those.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from flask import Flask, abort, g, jsonify, request

SEEDED = {
    "alice": "alice-pw-1",
    "bob": "bob-pw-22",
    "root": "root-pw-333",
}
"""Accounts that exist before the scan (root is the admin)."""


def create_app(*, vulnerable: bool, with_delete: bool = True) -> Flask:
    api = AccountsApi(vulnerable)
    app = Flask("accounts-vulnerable" if vulnerable else "accounts-fixed")
    app.before_request(api.authenticate)
    app.add_url_rule("/openapi.json", view_func=lambda: jsonify(spec(with_delete)))
    app.add_url_rule("/users/register", view_func=api.register, methods=["POST"])
    app.add_url_rule("/users/login", view_func=api.login, methods=["POST"])
    app.add_url_rule("/me", view_func=api.me)
    app.add_url_rule("/users/<username>", view_func=api.read_user)
    if with_delete:
        app.add_url_rule("/users/<username>", view_func=api.delete_user, methods=["DELETE"])
    app.add_url_rule("/users/<username>/password", view_func=api.password, methods=["PUT"])
    app.add_url_rule("/users/<username>/email", view_func=api.email, methods=["PUT"])
    app.add_url_rule("/admin/users", view_func=api.all_users)
    app.add_url_rule("/books", view_func=api.create_book, methods=["POST"])
    app.add_url_rule("/books/<book_title>", view_func=api.read_book)
    app.add_url_rule("/books/<book_title>", view_func=api.delete_book, methods=["DELETE"])
    return app


class AccountsApi:
    """The handlers; ``vulnerable`` switches every check off at once."""

    def __init__(self, vulnerable: bool) -> None:
        self.vulnerable = vulnerable
        self.lock = threading.Lock()
        self.users: dict[str, dict[str, Any]] = {
            name: {"username": name, "password": pw, "email": f"{name}@example.com", "admin": False}
            for name, pw in SEEDED.items()
        }
        self.users["root"]["admin"] = True
        self.tokens: dict[str, str] = {}
        self.books: dict[str, dict[str, Any]] = {}

    def authenticate(self) -> None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        name = self.tokens.get(token)
        g.user = self.users.get(name) if name else None

    def caller(self) -> dict[str, Any]:
        if g.user is None:
            abort(401)
        return g.user

    def self_or_admin(self, username: str) -> dict[str, Any]:
        """The named account, when the caller may change it (anyone may, when vulnerable)."""
        caller = self.caller()
        target = self.users.get(username)
        if target is None:
            abort(404)
        if not self.vulnerable and caller is not target and not caller["admin"]:
            abort(403)
        return target

    def register(self) -> Any:
        body = request.get_json(silent=True) or {}
        name, password = body.get("username"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
            abort(400)
        with self.lock:
            if self.vulnerable:
                # The flaws: the whole body is the account (admin included), a taken name too,
                # and an email that is not a string crashes the handler.
                self.users[name] = {"admin": False, **body, "email": body.get("email", "").lower()}
            else:
                if name in self.users:
                    abort(409)
                email = body.get("email") if isinstance(body.get("email"), str) else ""
                self.users[name] = {
                    "username": name, "password": password, "email": email, "admin": False,
                }  # fmt: skip
        return {"username": name}, 201

    def login(self) -> Any:
        body = request.get_json(silent=True) or {}
        user = self.users.get(str(body.get("username")))
        if user is None or user["password"] != body.get("password"):
            abort(401)
        token = secrets.token_hex(16)
        self.tokens[token] = user["username"]
        return {"auth_token": token}

    def me(self) -> Any:
        return _public(self.caller())

    def read_user(self, username: str) -> Any:
        return _public(self.self_or_admin(username))

    def delete_user(self, username: str) -> Any:
        caller = self.caller()
        if caller["username"] != username and not caller["admin"]:
            abort(403)  # both variants: only the account itself or an admin
        with self.lock:
            if self.users.pop(username, None) is None:
                abort(404)
        return "", 204

    def password(self, username: str) -> Any:
        body = request.get_json(silent=True) or {}
        target = self.self_or_admin(username)
        if not isinstance(body.get("password"), str):
            abort(400)
        target["password"] = body["password"]
        return "", 204

    def email(self, username: str) -> Any:
        body = request.get_json(silent=True) or {}
        target = self.self_or_admin(username)
        if not isinstance(body.get("email"), str):
            abort(400)
        target["email"] = body["email"]
        return "", 204

    def all_users(self) -> Any:
        if not self.caller()["admin"]:
            abort(403)
        return {"users": [_public(u) for u in self.users.values()]}

    def create_book(self) -> Any:
        owner = self.caller()
        body = request.get_json(silent=True) or {}
        title, secret = body.get("title"), body.get("secret")
        if not isinstance(title, str) or not isinstance(secret, str) or not title:
            abort(400)
        if not self.vulnerable and (len(title) > 200 or len(secret) > 2000):
            abort(400)
        with self.lock:
            if title in self.books:
                abort(409)
            self.books[title] = {"title": title, "secret": secret, "owner": owner["username"]}
        return {"title": title}, 201

    def book(self, title: str) -> dict[str, Any]:
        caller = self.caller()
        book = self.books.get(title)
        if book is None or (not self.vulnerable and book["owner"] != caller["username"]):
            abort(404)
        return book

    def read_book(self, book_title: str) -> Any:
        return self.book(book_title)

    def delete_book(self, book_title: str) -> Any:
        self.book(book_title)
        if self.books[book_title]["owner"] != g.user["username"]:
            abort(403)
        del self.books[book_title]
        return "", 204


def _public(user: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in user.items() if k != "password"}


def _body(required: list[str], **props: Any) -> dict[str, Any]:
    schema = {"type": "object", "required": required, "properties": props}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_STRING = {"type": "string"}
_USER = {"type": "object", "properties": {"username": _STRING, "email": _STRING}}
_NAME = [{"name": "username", "in": "path", "required": True, "schema": _STRING}]
_TITLE = [{"name": "book_title", "in": "path", "required": True, "schema": _STRING}]


def _ok(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}} if schema else {}
    return {"200": {"description": "ok", "content": content}}


def spec(with_delete: bool) -> dict[str, Any]:
    """The OpenAPI description both variants serve (the fixed one keeps the same contract)."""
    account = {
        "get": {"operationId": "read_user", "parameters": _NAME, "responses": _ok(_USER)},
    }
    if with_delete:
        account["delete"] = {"operationId": "delete_user", "parameters": _NAME, "responses": _ok()}
    return {
        "openapi": "3.0.3",
        "info": {"title": "accounts", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {
            "/users/register": {
                "post": {
                    "operationId": "register",
                    "security": [],
                    "requestBody": _body(
                        ["username", "password"], username=_STRING, password=_STRING, email=_STRING
                    ),
                    "responses": {"201": {"description": "created"}},
                }
            },
            "/users/login": {
                "post": {
                    "operationId": "login",
                    "security": [],
                    "requestBody": _body(
                        ["username", "password"], username=_STRING, password=_STRING
                    ),
                    "responses": _ok({"type": "object", "properties": {"auth_token": _STRING}}),
                }
            },
            "/me": {"get": {"operationId": "me", "responses": _ok(_USER)}},
            "/users/{username}": account,
            "/users/{username}/password": {
                "put": {
                    "operationId": "change_password",
                    "parameters": _NAME,
                    "requestBody": _body(["password"], password=_STRING),
                    "responses": {"204": {"description": "changed"}},
                }
            },
            "/users/{username}/email": {
                "put": {
                    "operationId": "change_email",
                    "parameters": _NAME,
                    "requestBody": _body(["email"], email=_STRING),
                    "responses": {"204": {"description": "changed"}},
                }
            },
            "/admin/users": {"get": {"operationId": "all_users", "responses": _ok()}},
            "/books": {
                "post": {
                    "operationId": "create_book",
                    "requestBody": _body(["title", "secret"], title=_STRING, secret=_STRING),
                    "responses": {"201": {"description": "created"}},
                }
            },
            "/books/{book_title}": {
                "get": {"operationId": "read_book", "parameters": _TITLE, "responses": _ok()},
                "delete": {"operationId": "delete_book", "parameters": _TITLE, "responses": _ok()},
            },
        },
    }
