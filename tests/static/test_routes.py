"""Findings in handlers carry the endpoint, whatever the registration style."""

from __future__ import annotations

from dynaguard.model import Endpoint
from tests.static.conftest import PRELUDE, Project

SINK = "table.put_item(Item=request.get_json())"


def _endpoints(project: Project, source: str) -> dict[str, Endpoint | None]:
    analysis = project({"app.py": PRELUDE + source})
    return {f.location.function or "": f.endpoint for f in analysis.findings if f.location}


def test_decorator_routes(project: Project) -> None:
    found = _endpoints(
        project,
        f"""
@app.route("/a", methods=["GET", "POST"])
def a():
    {SINK}

@app.put("/b/<item_id>")
def b(item_id):
    {SINK}

bp = __import__("flask").Blueprint("bp", __name__, url_prefix="/api")

from flask import Blueprint
api_bp = Blueprint("api", __name__, url_prefix="/v1/")

@api_bp.route("/c", methods=["PATCH"])
def c():
    {SINK}
""",
    )
    assert found["a"] == Endpoint("POST", "/a")  # the first write method of the route
    assert found["b"] == Endpoint("PUT", "/b/<item_id>")
    assert found["c"] == Endpoint("PATCH", "/v1/c")


def test_add_url_rule_and_method_view(project: Project) -> None:
    found = _endpoints(
        project,
        f"""
from flask.views import MethodView

def plain():
    {SINK}

class ItemView(MethodView):
    def get(self):
        return {{}}

    def post(self):
        {SINK}

app.add_url_rule("/plain", view_func=plain, methods=["POST"])
app.add_url_rule("/items", view_func=ItemView.as_view("items"))
""",
    )
    assert found["plain"] == Endpoint("POST", "/plain")
    assert found["ItemView.post"] == Endpoint("POST", "/items")


def test_restful_and_restx_resources(project: Project) -> None:
    found = _endpoints(
        project,
        f"""
from flask_restful import Api, Resource
from flask_restx import Namespace

api = Api(app)
ns = Namespace("things", path="/things")

class Thing(Resource):
    def put(self, thing_id):
        {SINK}

@ns.route("/<thing_id>/copy")
class ThingCopy(Resource):
    def post(self, thing_id):
        {SINK}

api.add_resource(Thing, "/thing/<thing_id>")
""",
    )
    assert found["Thing.put"] == Endpoint("PUT", "/thing/<thing_id>")
    assert found["ThingCopy.post"] == Endpoint("POST", "/things/<thing_id>/copy")


def test_helper_takes_the_route_of_its_handler(project: Project) -> None:
    found = _endpoints(
        project,
        """
def store(body):
    table.put_item(Item=body)

def read_and_store():
    table.put_item(Item=request.get_json())

@app.post("/via-arg")
def via_arg():
    store(request.get_json())

@app.post("/via-call")
def via_call():
    read_and_store()
""",
    )
    assert found["store"] == Endpoint("POST", "/via-arg")
    assert found["read_and_store"] == Endpoint("POST", "/via-call")


def test_no_route_no_endpoint(project: Project) -> None:
    found = _endpoints(project, f"\ndef orphan():\n    {SINK}\n")
    assert found == {"orphan": None}


def test_registration_prefixes_apply_across_modules(project: Project) -> None:
    views = (
        PRELUDE.replace("app = Flask(__name__)\n", "")
        + f"""
from flask import Blueprint
from flask_restful import Api, Resource

users = Blueprint("users", __name__, url_prefix="/ignored")
admin = Blueprint("admin", __name__)
api = Api(admin, prefix="/v2")

@users.post("/<user_id>")
def create(user_id):
    {SINK}

class Item(Resource):
    def put(self, item_id):
        {SINK}

api.add_resource(Item, "/items/<item_id>")
"""
    )
    app = """
from flask import Flask
from views import users, admin

app = Flask(__name__)
app.register_blueprint(users, url_prefix="/api/users")
app.register_blueprint(admin, url_prefix="/admin/")
"""
    analysis = project({"views.py": views, "app.py": app})
    found = {f.location.function: f.endpoint for f in analysis.findings if f.location}
    # register_blueprint's url_prefix replaces the blueprint's own; an Api on a blueprint
    # hangs under the blueprint's prefix.
    assert found["create"] == Endpoint("POST", "/api/users/<user_id>")
    assert found["Item.put"] == Endpoint("PUT", "/admin/v2/items/<item_id>")


def test_restx_namespaces_hang_under_their_api(project: Project) -> None:
    found = _endpoints(
        project,
        f"""
from flask_restx import Api, Namespace, Resource

api = Api(app, prefix="/api")
ns = Namespace("orders")
renamed = Namespace("legacy")
api.add_namespace(ns)
api.add_namespace(renamed, path="/v0")

@ns.route("/<order_id>")
class Order(Resource):
    def put(self, order_id):
        {SINK}

@renamed.route("/<order_id>")
class Legacy(Resource):
    def put(self, order_id):
        {SINK}
""",
    )
    assert found["Order.put"] == Endpoint("PUT", "/api/orders/<order_id>")
    assert found["Legacy.put"] == Endpoint("PUT", "/api/v0/<order_id>")


def test_an_empty_rule_is_the_blueprint_prefix_itself(project: Project) -> None:
    found = _endpoints(
        project,
        f"""
from flask import Blueprint

users = Blueprint("users", __name__)

@users.route("", methods=["PUT"])
def replace_user():
    {SINK}

app.register_blueprint(users, url_prefix="/user")
""",
    )
    assert found["replace_user"] == Endpoint("PUT", "/user")
