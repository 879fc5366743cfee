"""Deployment descriptors as data: which file and function each HTTP event calls."""

from __future__ import annotations

from pathlib import Path

from dynaguard.static.source.deployment import Handler, Route, discover, read


def _read(tmp_path: Path, files: dict[str, str]) -> list[Handler]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    handlers, warnings = read(discover([tmp_path], tmp_path))
    assert warnings == []
    return handlers


def test_sam_globals_code_uri_and_default_authorizer(tmp_path: Path) -> None:
    template = """\
Globals:
  Function:
    CodeUri: backend/
  Api:
    Auth:
      DefaultAuthorizer: Jwt
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Handler: orders.api.list_orders
      Environment:
        Variables:
          TABLE: !Ref Table
          URL: !Sub "https://${AWS::Region}.example"
      Events:
        List:
          Type: Api
          Properties:
            Path: /orders
            Method: get
        Public:
          Type: Api
          Properties:
            Path: /orders/public
            Method: get
            Auth:
              Authorizer: NONE
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
"""
    (handler,) = _read(tmp_path, {"infra/template.yaml": template})
    assert handler.path == "infra/backend/orders/api.py"
    assert handler.function == "list_orders"
    assert handler.routes == (
        Route("GET", "/orders", True),
        Route("GET", "/orders/public", False),
    )


def test_serverless_forms_and_private_endpoints(tmp_path: Path) -> None:
    serverless = """\
functions:
  a:
    handler: src/a.main
    events:
      - http: post users
      - httpApi: '*'
      - http:
          path: keys
          method: get
          private: true
      - schedule: rate(1 hour)
  b:
    handler: ../outside.main
  c:
    handler: not-python
"""
    (handler,) = _read(tmp_path, {"serverless.yml": serverless})
    assert handler == Handler(
        "src/a.py",
        "main",
        (Route("POST", "/users", False), Route("ANY", "/*", False), Route("GET", "/keys", True)),
    )


def test_descriptors_in_excluded_trees_are_not_read(tmp_path: Path) -> None:
    found = _read(
        tmp_path,
        {
            "node_modules/pkg/serverless.yml": "functions: {x: {handler: a.b}}\n",
            "template.yml": "Resources: {}\n",
            "config.yaml": "functions: {x: {handler: a.b}}\n",
        },
    )
    assert found == []


def test_a_descriptor_that_is_not_yaml_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text("functions: [\n", encoding="utf-8")
    handlers, warnings = read(discover([tmp_path], tmp_path))
    assert handlers == []
    assert [w.path for w in warnings] == ["serverless.yml"]


def test_a_template_above_the_scanned_folder_maps_its_handlers(tmp_path: Path) -> None:
    template = """\
Resources:
  Unsubscribe:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/unsubscribe
      Handler: app.handler
      Events:
        Post: {Type: Api, Properties: {Path: /unsub, Method: POST}}
"""
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    (tmp_path / "src" / "unsubscribe").mkdir(parents=True)
    (tmp_path / "src" / "template.yml").write_text("Resources: {}\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "serverless.yml").write_text("functions: {}\n", encoding="utf-8")
    # Scanning ``src/unsubscribe`` reads the descriptors beside it and above it up to the root,
    # once each, and none of a sibling folder.
    found = discover([tmp_path / "src" / "unsubscribe", tmp_path / "src"], tmp_path)
    assert [rel for _, rel in found] == ["src/template.yml", "template.yaml"]
    handlers, warnings = read(found)
    assert warnings == []
    assert handlers == [
        Handler("src/unsubscribe/app.py", "handler", (Route("POST", "/unsub", False),))
    ]


def test_nothing_above_the_root_is_read(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("Resources: {}\n", encoding="utf-8")
    (tmp_path / "app").mkdir()
    assert discover([tmp_path / "app"], tmp_path / "app") == []
