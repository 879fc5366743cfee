"""Users: an admin creates them (each logs in with a password of their own, so a triage mark
and the audit log name who acted), resets their passwords and disables them; each user changes
their own password. Pages and ``/api/v1/users``."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers.response import Response as Redirect

from dynaguard.serve import accounts
from dynaguard.serve.store import schema
from dynaguard.serve.store.database import transaction
from dynaguard.serve.web.security import admin_required, current_user, login_required, session_user

pages = Blueprint("users", __name__)
api = Blueprint("users_api", __name__, url_prefix="/api/v1")


@pages.get("/users")
@admin_required
def users_page() -> str:
    return _page()


@pages.post("/users")
@admin_required
def create_user() -> tuple[str, int]:
    form = request.form
    with transaction(g.db):
        user, shown = _create(form.get("username", ""), form.get("password"), "admin" in form)
    return _page(created=user.username, password=shown), 201


@pages.post("/users/<username>/disable")
@admin_required
def disable_user(username: str) -> Redirect:
    with transaction(g.db):
        _checked(accounts.disable, _user(username), current_user() or "")
    return redirect(url_for("users.users_page"))


@pages.post("/users/<username>/password")
@admin_required
def reset_password(username: str) -> str:
    with transaction(g.db):
        user = _user(username)
        _checked(
            accounts.set_password, user, request.form.get("password", ""), current_user() or ""
        )
    return _page(message=f"the password of {user.username} was changed")


@pages.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Any:
    if request.method == "GET":
        return render_template("account.html.j2")
    form = request.form
    with transaction(g.db):
        _change_own(form.get("current_password", ""), form.get("password", ""))
    return render_template("account.html.j2", message="your password was changed")


@api.get("/users")
@admin_required
def list_users() -> Response:
    return jsonify(users=[user_dict(u) for u in accounts.users(g.db)])


@api.post("/users")
@admin_required
def api_create_user() -> tuple[Response, int]:
    body = _object()
    password = body.get("password")
    if not isinstance(body.get("username"), str) or not isinstance(password, (str, type(None))):
        abort(400, description="expected 'username' (and optionally 'password') strings")
    if not isinstance(body.get("admin", False), bool):
        abort(400, description="'admin' must be true or false")
    with transaction(g.db):
        user, shown = _create(body["username"], password, body.get("admin", False))
    answer = user_dict(user)
    if shown is not None:
        answer["password"] = shown  # generated here: shown this once
    return jsonify(answer), 201


@api.delete("/users/<username>")
@admin_required
def api_disable_user(username: str) -> Response:
    with transaction(g.db):
        user = _user(username)
        _checked(accounts.disable, user, current_user() or "")
    return jsonify(user_dict(user))


@api.put("/users/<username>/password")
@login_required
def api_set_password(username: str) -> Response:
    """An admin sets anyone's password; a user changes their own with the current one."""
    body = _object()
    password, current = body.get("password"), body.get("current_password", "")
    if not isinstance(password, str) or not isinstance(current, str):
        abort(400, description="expected a 'password' string")
    me = session_user()
    assert me is not None
    with transaction(g.db):
        if username == me.username:
            _change_own(current, password)
        elif me.admin:
            _checked(accounts.set_password, _user(username), password, me.username)
        else:
            abort(403, description="only an admin may set another user's password")
    return jsonify(changed=True)


def user_dict(user: schema.User) -> dict[str, Any]:
    return {
        "username": user.username,
        "admin": user.admin,
        "created_at": user.created_at.isoformat() + "Z",
        "disabled": user.disabled_at is not None,
    }


def _create(username: str, password: str | None, admin: bool) -> tuple[schema.User, str | None]:
    try:
        return accounts.create(g.db, username, password or None, current_user() or "", admin=admin)
    except accounts.AccountError as exc:
        abort(409 if "exists" in str(exc) else 400, description=str(exc))


def _change_own(current: str, password: str) -> None:
    me = session_user()
    assert me is not None
    if not accounts.verify(g.db, me.username, current):
        abort(403, description="the current password is wrong")
    _checked(accounts.set_password, me, password, me.username)


def _checked(action: Any, *args: Any) -> None:
    """Run an account change; its refusal is a 400 naming why."""
    try:
        action(g.db, *args)
    except accounts.AccountError as exc:
        abort(400, description=str(exc))


def _user(username: str) -> schema.User:
    found = accounts.find(g.db, username)
    if found is None:
        abort(404, description="no such user")
    return found


def _object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="expected a JSON object")
    return body


def _page(**shown: Any) -> str:
    return render_template("users.html.j2", users=accounts.users(g.db), **shown)
