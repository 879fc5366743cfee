"""AWS Lambda Powertools resolvers: routes, routers with prefixes, the current event."""

from __future__ import annotations

from dynaguard.model import Endpoint
from tests.static.conftest import Project

_APP = """\
import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Router

app = APIGatewayRestResolver()
table = boto3.resource("dynamodb").Table("todos")
"""


def test_routes_routers_and_request_data(project: Project) -> None:
    analysis = project(
        {
            "app.py": _APP
            + """
from routes import todos
app.include_router(todos, prefix="/v1")

@app.post("/todos")
def create():
    table.put_item(Item=app.current_event.json_body)

@app.route("/bulk", method=["PUT"])
def bulk():
    table.put_item(Item=app.current_event.query_string_parameters)

@app.get("/todos/<todo_id>")
def read(todo_id):
    owner = app.current_event.request_context.authorizer.claims["sub"]
    return table.get_item(Key={"owner": owner, "todo_id": todo_id})["Item"]

def lambda_handler(event, context):
    return app.resolve(event, context)
""",
            "routes.py": """
import boto3
from aws_lambda_powertools.event_handler.api_gateway import Router

todos = Router()
table = boto3.resource("dynamodb").Table("todos")

@todos.put("/todos/<todo_id>")
def replace(todo_id):
    body = todos.current_event.json_body
    table.put_item(Item={"todo_id": todo_id, **body})
""",
        }
    )
    found = {(f.location.function, f.rule.id): f.endpoint for f in analysis.findings if f.location}
    assert found[("create", "DG101")] == Endpoint("POST", "/todos")
    assert found[("bulk", "DG101")] == Endpoint("PUT", "/bulk")
    assert found[("replace", "DG101")] == Endpoint("PUT", "/v1/todos/<todo_id>")
    assert not any(name == "read" for name, _ in found)  # keyed by the verified caller
    # The resolver's authorizer is the deployment's, for every route: no DG203 claim.
    assert not any(rule == "DG203" for _, rule in found)
    assert analysis.coverage.routes == 4


def test_a_flask_app_get_is_not_a_powertools_route(project: Project) -> None:
    analysis = project(
        {
            "app.py": """
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("todos")

@app.get("/todos/<todo_id>")
def read(todo_id):
    return table.get_item(Key={"todo_id": todo_id})["Item"]
"""
        }
    )
    found = {(f.location.function, f.rule.id): f.endpoint for f in analysis.findings if f.location}
    assert found[("read", "DG203")] == Endpoint("GET", "/todos/<todo_id>")
