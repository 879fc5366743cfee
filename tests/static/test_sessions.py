"""Server-side sessions (``models/sessions.py``): the item a credential selects is the caller."""

from __future__ import annotations

from dynaguard.catalogue import get_rule
from dynaguard.static import analyse_source

_PYNAMO = """
from flask import Flask, abort, request
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

app = Flask(__name__)


class {model}(Model):
    class Meta:
        table_name = "{table}"

    sid = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()


class Note(Model):
    class Meta:
        table_name = "notes"

    user_id = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)
    text = UnicodeAttribute()


def caller():
    found = {model}.get_or_none({cookie})
    if found is None:
        abort(401)
    return found.user_id


@app.get("/notes/<user_id>/<at>")
def one(user_id, at):
    note = Note.get(user_id, at)
    if note.user_id != caller():
        abort(403)
    return {{"text": note.text, "at": note.at}}
"""


def _bola(cookie: str, model: str = "Session", table: str = "sessions") -> list[str]:
    source = _PYNAMO.format(cookie=cookie, model=model, table=table)
    findings = analyse_source(source, rules=[get_rule("DG201"), get_rule("DG203")])
    return sorted(f"{f.rule.id} {f.location.function}" for f in findings if f.location)


def test_an_item_compared_with_the_user_a_session_cookie_selects_is_the_callers() -> None:
    assert _bola('request.cookies.get("session_id")') == []


def test_a_cookie_that_names_no_credential_selects_no_caller() -> None:
    # Neither the cookie nor the table says credential: no caller, nothing authenticated.
    found = _bola('request.cookies.get("workspace")', "Workspace", "workspaces")
    assert found == ["DG203 one"]


def test_a_session_table_makes_any_cookie_it_is_keyed_by_a_session_id() -> None:
    assert _bola('request.cookies.get("sid")') == []


def test_a_bearer_header_looked_up_in_a_helper_selects_the_caller() -> None:
    header = 'request.headers.get("Authorization", "").removeprefix("Bearer ")'
    assert _bola(header) == []
