"""Objects real projects pass around: managers set up by an app factory, and objects written
through their ``__dict__``."""

from __future__ import annotations

from tests.static.conftest import Project

MANAGER = """\
import boto3

class Connections:
    def initialise(self):
        self.table = boto3.resource("dynamodb").Table("integrations")

    def put(self, user, item):
        item["user"] = user
        self.table.put_item(Item=item)

    def get(self, user):
        return self.table.get_item(Key={"user": user}).get("Item") or {}

class Integrations:
    def initialise(self, connections):
        self.cm = connections

    def add(self, user, name):
        existing = self.cm.get(user)
        existing[name] = True
        self.cm.put(user, existing)

cm = Connections()
im = Integrations()
"""
FACTORY = """\
from flask import Flask
from app.managers import cm, im
from app.views import bp

def create_app():
    app = Flask(__name__)
    cm.initialise()
    {setup}
    app.register_blueprint(bp)
    return app
"""
VIEWS = """\
from flask import Blueprint
from flask_login import current_user, login_required
from app.managers import im

bp = Blueprint("views", __name__)

@bp.post("/integrations/<name>")
@login_required
def subscribe(name):
    im.add(current_user.id, name)
    return ""
"""


def _rules(project: Project, setup: str) -> set[str]:
    files = {
        "app/__init__.py": FACTORY.format(setup=setup),
        "app/managers.py": MANAGER,
        "app/views.py": VIEWS,
    }
    return {f.rule.id for f in project(files).findings}


def test_a_handle_passed_to_a_setup_method_is_what_the_object_holds(project: Project) -> None:
    # The factory is never called in the scanned code; it still runs before the handlers.
    assert "DG401" in _rules(project, "im.initialise(cm)")


def test_without_the_setup_call_the_object_holds_nothing(project: Project) -> None:
    assert "DG401" not in _rules(project, "pass")


def test_an_object_written_through_its_dict_has_the_codes_attribute_names(
    project: Project,
) -> None:
    source = """\
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("shares")

class Share:
    def __init__(self, sender, url):
        self.sender = sender
        self.url = url

def add(obj):
    item = {}
    for name, value in obj.__dict__.items():
        item[name] = value
    table.put_item(Item=item, ConditionExpression="attribute_not_exists(sender)")

@app.post("/shares")
def share():
    add(Share("me", request.get_json(silent=True) or {}))
    return ""

@app.post("/raw")
def raw():
    item = {"sender": "me"}
    item[request.args.get("field", "url")] = "set"
    table.put_item(Item=item, ConditionExpression="attribute_not_exists(sender)")
    return ""
"""
    found = {(f.rule.id, f.location.function) for f in project({"app.py": source}).findings}  # type: ignore[union-attr]
    assert ("DG702", "add") not in found
    assert ("DG702", "raw") in found
