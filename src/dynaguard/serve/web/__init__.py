"""The Flask app of ``dynaguard serve``: pages (``pages``) and the REST API (``api``).

``create_app`` takes an engine on a migrated database; the CLI migrates, makes the first admin
and runs it. State lives in ``app.extensions["dynaguard_serve"]`` (the Flask extension pattern),
one database session per request in ``g.db``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, g, jsonify, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from dynaguard.serve.accounts import Throttle
from dynaguard.serve.store import schema
from dynaguard.serve.store.database import sessions
from dynaguard.serve.web import security
from dynaguard.serve.web.context import EXTENSION, ServeState, state

MAX_UPLOAD = 50 * 1024 * 1024
"""Largest accepted request body (a report): 50 MB."""
SECRET_KEY_SETTING = "session_secret"


def create_app(
    engine: Engine,
    *,
    secure_cookies: bool = True,
    validate_target: Callable[[object], str] | None = None,
) -> Flask:
    """The app on a migrated database. ``secure_cookies`` is False only when serving plain
    HTTP on loopback, where browsers would drop a ``Secure`` cookie on 127.0.0.1.
    ``validate_target``: see ``ServeState``."""
    app = Flask(__name__)
    maker = sessions(engine)
    app.config.update(
        SECRET_KEY=_secret_key(maker),
        SESSION_COOKIE_NAME="dynaguard_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
    )
    app.extensions[EXTENSION] = ServeState(maker, Throttle(), validate_target)
    # NOTE: Flask autoescapes only *.html templates; ours are *.html.j2 (package data).
    app.jinja_env.autoescape = True
    app.jinja_env.globals["csrf_token"] = security.csrf_token
    app.jinja_env.globals["session_user"] = security.session_user
    app.before_request(_open_session)
    app.before_request(security.check_csrf)
    app.teardown_request(_close_session)
    app.after_request(security.secure_headers)
    app.register_error_handler(HTTPException, _error)

    from dynaguard.serve.web import api, pages, targets, users

    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(users.api)
    app.register_blueprint(users.pages)
    app.register_blueprint(targets.api)
    return app


def _secret_key(maker: sessionmaker[Session]) -> str:
    """The session signing key, made once and kept in the database (sessions survive a restart
    and every worker on the database agrees)."""
    with maker.begin() as session:
        row = session.get(schema.Setting, SECRET_KEY_SETTING)
        if row is None:
            row = schema.Setting(key=SECRET_KEY_SETTING, value=secrets.token_urlsafe(48))
            session.add(row)
        return row.value


def _open_session() -> None:
    g.db = state().sessions()


def _close_session(_exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def _error(exc: HTTPException) -> Any:
    """JSON for the API, a plain page otherwise; the message never echoes request data."""
    code = exc.code or 500
    message = exc.description or exc.name
    if code == 413:
        message = f"request too large: the limit is {MAX_UPLOAD // (1024 * 1024)} MB"
    if request.path.startswith("/api/"):
        return jsonify(error=message), code
    from flask import render_template

    return render_template("error.html.j2", code=code, name=exc.name, message=message), code
