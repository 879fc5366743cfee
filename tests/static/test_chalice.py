"""The Chalice model: routes and their endpoints, request data, the identity and authorizers."""

from __future__ import annotations

from dynaguard.model import Endpoint
from tests.static.conftest import Project

_APP = """\
import boto3
from chalice import Chalice, CognitoUserPoolAuthorizer

app = Chalice(app_name="shop")
table = boto3.resource("dynamodb").Table("items")
pool = CognitoUserPoolAuthorizer("p", provider_arns=["arn"])
"""


def _found(project: Project, files: dict[str, str]) -> dict[tuple[str, str], Endpoint | None]:
    analysis = project(files)
    return {
        (f.location.function or "", f.rule.id): f.endpoint for f in analysis.findings if f.location
    }


def test_routes_blueprints_and_methods(project: Project) -> None:
    found = _found(
        project,
        {
            "app.py": _APP
            + """
from chalicelib.orders import orders
app.register_blueprint(orders, url_prefix="/v2")

@app.route("/items", methods=["PUT", "POST"])
def put_items():
    table.put_item(Item=app.current_request.json_body)

@app.route("/items/{item_id}")
def get_item(item_id):
    return table.get_item(Key={"item_id": item_id})["Item"]
""",
            "chalicelib/__init__.py": "",
            "chalicelib/orders.py": """
import boto3
from chalice.app import Blueprint

orders = Blueprint(__name__)
table = boto3.resource("dynamodb").Table("orders")

@orders.route("/orders/{order_id}", methods=["DELETE"])
def cancel(order_id):
    table.delete_item(Key={"order_id": order_id})
""",
        },
    )
    assert found[("put_items", "DG101")] == Endpoint("PUT", "/items")
    # Chalice passes the URI variable as the view's argument: it is the client's.
    assert found[("get_item", "DG203")] == Endpoint("GET", "/items/{item_id}")
    assert found[("cancel", "DG203")] == Endpoint("DELETE", "/v2/orders/{order_id}")


def test_request_sources(project: Project) -> None:
    found = _found(
        project,
        {
            "app.py": _APP
            + """
@app.route("/a", methods=["POST"])
def from_query():
    table.put_item(Item=app.current_request.query_params)

@app.route("/b", methods=["POST"])
def from_uri_params():
    table.put_item(Item=app.current_request.uri_params)

@app.route("/c", methods=["POST"])
def from_constant():
    table.put_item(Item={"item_id": "fixed", "kind": "constant"})
"""
        },
    )
    assert ("from_query", "DG101") in found
    assert ("from_uri_params", "DG101") in found
    assert not any(name == "from_constant" for name, _ in found)


def test_authorizers_and_api_keys_authenticate(project: Project) -> None:
    found = _found(
        project,
        {
            "app.py": _APP
            + """
@app.route("/open/{item_id}")
def open_read(item_id):
    return table.get_item(Key={"item_id": item_id})["Item"]

@app.route("/none/{item_id}", authorizer=None)
def none_read(item_id):
    return table.get_item(Key={"item_id": item_id})["Item"]

@app.route("/nokey/{item_id}", api_key_required=False)
def no_key_read(item_id):
    return table.get_item(Key={"item_id": item_id})["Item"]

@app.route("/pool/{item_id}", authorizer=pool)
def pool_read(item_id):
    return table.get_item(Key={"item_id": item_id})["Item"]

@app.route("/key/{item_id}", api_key_required=True)
def key_read(item_id):
    return table.get_item(Key={"item_id": item_id})["Item"]

@app.route("/mine/{item_id}", authorizer=pool)
def own_read(item_id):
    sub = app.current_request.context["authorizer"]["claims"]["sub"]
    return table.get_item(Key={"owner": sub, "item_id": item_id})["Item"]
"""
        },
    )
    for public in ("open_read", "none_read", "no_key_read"):
        assert (public, "DG203") in found, public
    for guarded in ("pool_read", "key_read"):
        assert (guarded, "DG203") not in found, guarded
        assert (guarded, "DG201") in found, guarded  # authenticated, yet any item by its id
    assert not any(name == "own_read" for name, _ in found)  # the claims are the caller


def test_a_flask_route_elsewhere_is_still_flask(project: Project) -> None:
    found = _found(
        project,
        {
            "app.py": """
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("items")

@app.route("/f/<item_id>", methods=["PUT"])
def flask_put(item_id):
    table.put_item(Item=request.get_json())
"""
        },
    )
    assert found[("flask_put", "DG101")] == Endpoint("PUT", "/f/<item_id>")
