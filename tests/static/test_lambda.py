"""API Gateway Lambda handlers: endpoints and authorizers from Serverless and SAM files, the
event as request data, the verified claims as the caller, and handlers found by shape alone."""

from __future__ import annotations

from dynaguard.model import Endpoint
from tests.static.conftest import Project

_TABLE = """\
import json
import boto3

table = boto3.resource("dynamodb").Table("items")
"""

_READ = """
def {name}(event, context):
    item_id = event["pathParameters"]["item_id"]
    return {{"statusCode": 200, "body": json.dumps(table.get_item(Key={{"item_id": item_id}}))}}
"""

_SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: Cognito
        Authorizers:
          Cognito:
            UserPoolArn: !GetAtt Pool.Arn
  OpenRead:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: items.open_read
      Events:
        Get:
          Type: Api
          Properties:
            Path: /open/{item_id}
            Method: get
  GuardedRead:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: items.guarded_read
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /items/{item_id}
            Method: get
  KeyRead:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: items.key_read
      Events:
        Get:
          Type: Api
          Properties:
            Path: /keyed/{item_id}
            Method: get
            Auth: {ApiKeyRequired: true}
  Create:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: items.create
      Events:
        Post:
          Type: HttpApi
          Properties:
            Path: /items
            Method: POST
"""


def _found(project: Project, files: dict[str, str]) -> dict[tuple[str, str], Endpoint | None]:
    analysis = project(files)
    assert analysis.warnings == ()
    return {
        (f.location.function or "", f.rule.id): f.endpoint for f in analysis.findings if f.location
    }


def test_sam_events_name_endpoints_and_authorizers(project: Project) -> None:
    source = _TABLE + "".join(
        _READ.format(name=n) for n in ("open_read", "guarded_read", "key_read")
    )
    source += """
def create(event, context):
    table.put_item(Item=json.loads(event["body"]))
    return {"statusCode": 201}
"""
    found = _found(project, {"template.yaml": _SAM, "src/items.py": source})
    assert found[("open_read", "DG203")] == Endpoint("GET", "/open/{item_id}")
    # The Api's default authorizer and a required API key authenticate the caller.
    assert ("guarded_read", "DG203") not in found
    assert ("key_read", "DG203") not in found
    assert found[("create", "DG101")] == Endpoint("POST", "/items")


def test_serverless_http_events(project: Project) -> None:
    serverless = """\
service: shop
provider: {name: aws, runtime: python3.12}
functions:
  read:
    handler: handlers/items.open_read
    events:
      - http: GET items/{item_id}
  guarded:
    handler: handlers/items.guarded_read
    events:
      - http:
          path: guarded/{item_id}
          method: get
          authorizer: aws_iam
  private:
    handler: handlers/items.key_read
    events:
      - httpApi:
          method: GET
          path: /private/{item_id}
"""
    source = _TABLE + "".join(
        _READ.format(name=n) for n in ("open_read", "guarded_read", "key_read")
    )
    found = _found(project, {"serverless.yml": serverless, "handlers/items.py": source})
    assert found[("open_read", "DG203")] == Endpoint("GET", "/items/{item_id}")
    assert ("guarded_read", "DG203") not in found  # the IAM authorizer
    assert found[("key_read", "DG203")] == Endpoint("GET", "/private/{item_id}")


def test_the_verified_claims_are_the_caller(project: Project) -> None:
    template = _SAM.replace("items.open_read", "items.mine").replace(
        "items.key_read", "items.anyone"
    )
    source = (
        _TABLE
        + """
def mine(event, context):
    sub = event["requestContext"]["authorizer"]["claims"]["sub"]
    item_id = event["pathParameters"]["item_id"]
    return table.get_item(Key={"owner": sub, "item_id": item_id})["Item"]


def anyone(event, context):
    owner = event["pathParameters"]["item_id"]
    return table.get_item(Key={"owner": owner, "item_id": "profile"})["Item"]
"""
    )
    found = _found(project, {"template.yaml": template, "src/items.py": source})
    assert not any(name == "mine" for name, _ in found)
    # Authenticated by the API key, yet the owner in the key is the client's to choose.
    assert found[("anyone", "DG201")] == Endpoint("GET", "/keyed/{item_id}")


def test_a_handler_no_file_declares_is_found_by_its_shape(project: Project) -> None:
    source = (
        _TABLE
        + """
def lambda_handler(event, context):
    body = json.loads(event["body"])
    table.put_item(Item=body)
    return {"statusCode": 201}


def consume(event, context):
    for record in event["Records"]:
        table.put_item(Item=json.loads(record["body"]))
"""
    )
    analysis = project({"create.py": source})
    found = {(f.location.function, f.rule.id): f.endpoint for f in analysis.findings if f.location}
    assert found[("lambda_handler", "DG101")] is None  # no descriptor: no endpoint to name
    # Whether API Gateway authenticates it is configured where dynaguard cannot read: no DG203.
    assert ("lambda_handler", "DG203") not in found
    assert not any(name == "consume" for name, _ in found)  # a queue consumer, not a request
    assert analysis.coverage.routes == analysis.coverage.routes_reaching_dynamodb == 1


def test_an_entry_point_with_no_endpoint_is_named_by_its_handler_when_blind(
    project: Project,
) -> None:
    source = """
import json


def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"echo": event["body"]})}
"""
    analysis = project({"echo.py": source})
    assert analysis.coverage.routes == 1
    assert analysis.coverage.blind_routes == ("handler echo.lambda_handler",)


def test_an_unreadable_descriptor_is_a_warning(project: Project) -> None:
    analysis = project(
        {"template.yaml": "Resources: [unclosed\n", "app.py": _TABLE + _READ.format(name="get")}
    )
    assert [w.path for w in analysis.warnings] == ["template.yaml"]
    assert "not read" in analysis.warnings[0].message


def test_a_mapping_api_gateway_may_pass_as_none_crashes_its_get(project: Project) -> None:
    # ``pathParameters`` / ``queryStringParameters`` are None, not {}, when the request has none;
    # a route with a variable always has ``pathParameters``.
    template = (
        _SAM.replace("items.open_read", "feed.by_path")
        .replace("/open/{item_id}", "/open")
        .replace("items.key_read", "feed.by_variable")
    )
    source = (
        _TABLE
        + """
def by_path(event, context):
    params = event.get("pathParameters", {})
    return table.get_item(Key={"id": params.get("id", "none")})["Item"]


def by_variable(event, context):
    params = event.get("pathParameters", {})
    return table.get_item(Key={"id": params.get("item_id", "none")})["Item"]


def by_query(event, context):
    since = event["queryStringParameters"].get("since", "0")
    table.put_item(Item={"id": "feed", "since": since})


def defaulted(event, context):
    params = event.get("queryStringParameters") or {}
    table.put_item(Item={"id": "feed", "since": params.get("since", "0")})


def refused(event, context):
    params = event.get("queryStringParameters")
    if params is None:
        return {"statusCode": 400}
    table.put_item(Item={"id": "feed", "since": params.get("since", "0")})


def caught(event, context):
    try:
        since = event["queryStringParameters"].get("since", "0")
    except AttributeError:
        return {"statusCode": 400}
    table.put_item(Item={"id": "feed", "since": since})
"""
    )
    analysis = project({"template.yaml": template, "src/feed.py": source})
    crashes = {
        f.location.function for f in analysis.findings if f.rule.id == "DG302" and f.location
    }
    assert crashes == {"by_path", "by_query"}
    # The value read with ``.get`` is still the client's, whichever way the mapping was made safe.
    written = {
        f.location.function for f in analysis.findings if f.rule.id == "DG301" and f.location
    }
    assert written == {"by_query", "defaulted", "refused", "caught"}
