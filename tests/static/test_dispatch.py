"""One Lambda serving several routes that dispatches on the path or method itself, with its
routes from a plain CloudFormation template (``source/cloudformation.py``, ``flow/dispatch.py``)."""

from __future__ import annotations

import ast

import pytest

from dynaguard.model import Endpoint
from dynaguard.static.flow import dispatch
from dynaguard.static.source import ir
from dynaguard.static.source.lower_expr import decision_of
from tests.static.conftest import Project

_HTTP_API = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.main.handler
      Code: {{S3Bucket: !Ref Bucket, S3Key: code.zip}}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {{ProtocolType: HTTP}}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub 'arn:aws:apigateway:${{AWS::Region}}:lambda:path/functions/${{Fn.Arn}}/invocations'
{routes}"""

_ROUTE = """\
  Route{n}:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: '{key}'
      Target: !Sub 'integrations/${{Integration}}'
{extra}"""


def _template(*routes: str, guarded: tuple[str, ...] = ()) -> str:
    body = "".join(
        _ROUTE.format(
            n=i,
            key=key,
            extra="      AuthorizationType: JWT\n" if key in guarded else "",
        )
        for i, key in enumerate(routes)
    )
    return _HTTP_API.format(routes=body)


_MAIN = """\
from app import notes


def handler(event, context):
    path = event.get("rawPath") or event["requestContext"]["http"]["path"]
    if path == "/health":
        return {"statusCode": 200}
    if path.startswith("/notes/"):
        return notes.handler(event, context)
    return {"statusCode": 404}
"""

_NOTES = """\
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["NOTES"])


def handler(event, context):
    method = event["requestContext"]["http"]["method"]
    note_id = event["rawPath"].split("/notes/", 1)[1]
    if method == "GET":
        return {"statusCode": 200, "body": json.dumps(table.get_item(Key={"id": note_id}))}
    if method == "PUT":
        table.update_item(
            Key={"id": note_id},
            UpdateExpression="SET body = :b",
            ExpressionAttributeValues={":b": "x"},
        )
        return {"statusCode": 204}
    if method == "DELETE":
        table.delete_item(Key={"id": note_id})
        return {"statusCode": 204}
    return {"statusCode": 405}
"""


def _findings(project: Project, template: str) -> set[tuple[str, int, str, Endpoint | None]]:
    analysis = project(
        {
            "infra/api.yaml": template,
            "src/app/__init__.py": "",
            "src/app/main.py": _MAIN,
            "src/app/notes.py": _NOTES,
        }
    )
    assert analysis.warnings == ()
    return {
        (f.location.path, f.location.line, f.rule.id, f.endpoint)
        for f in analysis.findings
        if f.location
    }


def test_each_route_reaches_only_its_own_branch(project: Project) -> None:
    found = _findings(project, _template("GET /health", "PUT /notes/{id}", "DELETE /notes/{id}"))
    put, delete = Endpoint("PUT", "/notes/{id}"), Endpoint("DELETE", "/notes/{id}")
    unauthenticated = {(e, line) for path, line, rule, e in found if rule == "DG203"}
    # One finding per route, on the handler API Gateway calls, each naming its own route.
    assert unauthenticated == {(put, 4), (delete, 4)}
    # The delete's missing existence check is reported for the DELETE route only.
    assert ("src/app/notes.py", 22, "DG403", delete) in found
    # GET /notes/{id} is not deployed: the read in that branch is no finding at all.
    assert not any(line == 13 for path, line, _, _ in found if path == "src/app/notes.py")


def test_a_route_with_an_authorizer_is_authenticated(project: Project) -> None:
    template = _template("PUT /notes/{id}", "DELETE /notes/{id}", guarded=("DELETE /notes/{id}",))
    found = _findings(project, template)
    assert {e for _, _, rule, e in found if rule == "DG203"} == {Endpoint("PUT", "/notes/{id}")}


def test_the_helper_handlers_it_calls_are_not_entry_points_of_their_own(project: Project) -> None:
    found = _findings(project, _template("PUT /notes/{id}"))
    # notes.handler has a handler's shape, but main.handler calls it: no endpoint-less copies.
    assert found and all(endpoint is not None for *_, endpoint in found)


def test_a_rest_api_route_path_is_built_from_its_resources(project: Project) -> None:
    template = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.11, Handler: app.notes.handler}
  Api:
    Type: AWS::ApiGateway::RestApi
  Notes:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: notes}
  Note:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref Notes, PathPart: '{id}'}
  Delete:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Note
      HttpMethod: DELETE
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        Uri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/functions/${Fn.Arn}/invocations'
"""
    found = _findings(project, template)
    assert ("src/app/notes.py", 22, "DG403", Endpoint("DELETE", "/notes/{id}")) in found


def test_yaml_that_is_no_template_is_not_read(project: Project) -> None:
    analysis = project({"infra/broken.yaml": "key: [unclosed\n", "app.py": "x = 1\n"})
    assert analysis.warnings == ()  # no API Gateway resource named in it: not a template


def _decide(test: str, route: str) -> bool | None:
    decision = decision_of(ast.parse(test, mode="eval").body)
    assert decision is not None
    serves = dispatch.serving([Endpoint(*route.split(" ", 1))])

    def what(expr: ir.Expr) -> str | None:
        assert isinstance(expr, ir.Name)
        return {"path": dispatch.PATH, "method": dispatch.METHOD}.get(expr.id)

    yes, no = dispatch.split(decision, serves, what)
    return None if yes and no else bool(yes)


@pytest.mark.parametrize(
    ("test", "route", "expected"),
    [
        ('path == "/notes"', "GET /notes", True),
        ('path == "/notes"', "GET /notes/{id}", False),
        ('path == "/notes/1"', "GET /notes/{id}", None),  # the variable may hold "1"
        ('path != "/health"', "GET /health", False),
        ('path.startswith("/notes/")', "GET /notes/{id}", True),
        ('path.startswith("/notes/")', "GET /notes", False),
        ('path.startswith("/no")', "GET /{proxy+}", None),
        ('method in ("PUT", "PATCH")', "PATCH /notes/{id}", True),
        ('method.lower() == "get"', "GET /notes", True),
        ('method == "GET"', "ANY /notes", None),
        ('method == "GET" and path == "/notes"', "GET /other", False),
        ('not (method == "GET" or method == "HEAD")', "DELETE /x", True),
        ('"/notes" in path', "GET /api/notes/{id}", True),
        ('other == "x"', "GET /notes", None),  # not the path or method: unknown
    ],
)
def test_a_text_test_is_decided_per_route(test: str, route: str, expected: bool | None) -> None:
    assert _decide(test, route) is expected


def test_only_text_comparisons_are_decisions() -> None:
    assert decision_of(ast.parse("path == prefix", mode="eval").body) is None
    assert decision_of(ast.parse("len(path) > 3", mode="eval").body) is None
    assert decision_of(ast.parse('ok and path == "/x"', mode="eval").body) is None
