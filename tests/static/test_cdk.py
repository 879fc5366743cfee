"""CDK apps as data: which Lambda handlers API Gateway validates before they run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from dynaguard.catalogue import CATALOGUE
from dynaguard.static import analyse
from dynaguard.static.source import deployment
from dynaguard.static.source.cdk import Gateway, discover, read
from dynaguard.static.source.discover import upward

T = TypeVar("T")

_FUNCTIONS_TS = """\
import * as lambda_py from '@aws-cdk/aws-lambda-python-alpha';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export class NoteFunctions extends Construct {
  readonly postFunction: lambda.Function;
  readonly getFunction: lambda.Function;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.postFunction = new lambda_py.PythonFunction(this, 'post-note', {
      entry: 'src/post_note',
      runtime: lambda.Runtime.PYTHON_3_12,
    });
    this.getFunction = new lambda.Function(this, 'get-note', {
      code: lambda.Code.fromAsset('src/get_note'),
      handler: 'app.lambda_handler',
      runtime: lambda.Runtime.PYTHON_3_12,
    });
  }
}

export class TagFunctions extends Construct {
  readonly postFunction: lambda.Function;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.postFunction = new lambda_py.PythonFunction(this, 'post-tag', {
      entry: 'src/post_tag',
    });
  }
}
"""

_API_TS = """\
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { NoteFunctions, TagFunctions } from './functions';

export function notesApi(scope: any, api: apigw.RestApi, model: apigw.Model) {
  const validator = new apigw.RequestValidator(scope, 'v', { restApi: api, validateRequestBody: true });
  const notes = new NoteFunctions(scope, 'notes');
  const postIntegration = new apigw.LambdaIntegration(notes.postFunction, { proxy: true });
  const root = api.root.addResource('notes');
  root.addMethod('POST', postIntegration, {
    requestModels: { 'application/json': model },
    requestValidator: validator,
  });
  root.addMethod('GET', new apigw.LambdaIntegration(notes.getFunction), {
    requestParameters: { 'method.request.querystring.id': true, 'method.request.querystring.page': false },
    requestValidator: validator,
  });
}

export function tagsApi(scope: any, api: apigw.RestApi) {
  const tags = new TagFunctions(scope, 'tags');
  // The same local name as above, for another construct's function: no model here.
  const postIntegration = new apigw.LambdaIntegration(tags.postFunction);
  api.root.addResource('tags').addMethod('POST', postIntegration);
}
"""

_POST_NOTE = """\
import json
import boto3

notes = boto3.resource("dynamodb").Table("notes")


def handler(event, context):
    body = json.loads(event["body"])
    notes.put_item(
        Item={"note_id": str(body["id"]), "text": str(body["text"])},
        ConditionExpression="attribute_not_exists(note_id)",
    )
    return {"statusCode": 201}
"""


def _app(tmp_path: Path) -> Path:
    files = {
        "cdk.json": '{"app": "npx ts-node bin/app.ts"}\n',
        "lib/functions.ts": _FUNCTIONS_TS,
        "lib/api.ts": _API_TS,
        "node_modules/aws-cdk-lib/index.ts": "export const Function = 1; // aws-cdk\n",
        "src/post_note/index.py": _POST_NOTE,
        "src/post_tag/index.py": _POST_NOTE.replace("notes", "tags"),
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_methods_are_followed_to_the_handler_files_they_integrate(tmp_path: Path) -> None:
    root = _app(tmp_path)
    found = discover([root / "src"], root)
    assert [rel for _, rel in found] == [
        "lib/api.ts",
        "lib/functions.ts",
        "src/post_note/index.py",
        "src/post_tag/index.py",
    ]
    gateways, warnings = read(found)
    assert warnings == []
    assert gateways == [
        Gateway("src/get_note/app.py", "lambda_handler", False, frozenset({"id"})),
        Gateway("src/post_note/index.py", "handler", True, frozenset()),
        Gateway("src/post_tag/index.py", "handler", False, frozenset()),
    ]


def test_a_body_the_gateway_validates_does_not_crash_the_handler(tmp_path: Path) -> None:
    root = _app(tmp_path)
    analysis = analyse([root / "src"], root=root, rules=list(CATALOGUE))
    crashes = {f.location.path for f in analysis.findings if f.rule.id == "DG302" and f.location}
    # The same code: behind a request model it cannot get a malformed body; without one it can.
    assert crashes == {"src/post_tag/index.py"}


def test_an_app_with_nothing_readable_gives_nothing(tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "stack.ts").write_text("const x = 1; // aws-cdk, no functions\n", encoding="utf-8")
    assert read(discover([tmp_path], tmp_path)) == ([], [])


_STACK_PY = """\
from aws_cdk import Stack, aws_apigateway as apigw, aws_lambda as _lambda


class NotesStack(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        self.post_fn = _lambda.Function(
            self, "PostNote",
            runtime=_lambda.Runtime.PYTHON_3_12,
            code=_lambda.Code.from_asset("functions"),
            handler="notes.create",
        )
        api = apigw.RestApi(self, "Api")
        validator = api.add_request_validator("body", validate_request_body=True)
        model = api.add_model("Note", schema=apigw.JsonSchema(required=["id", "text"]))
        api.root.add_resource("notes").add_method(
            "POST",
            apigw.LambdaIntegration(self.post_fn),
            request_models={"application/json": model},
            request_validator=validator,
            request_parameters={"method.request.querystring.tag": True},
        )
"""


def test_a_python_cdk_app_is_read_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "cdk.json").write_text('{"app": "python3 app.py"}\n', encoding="utf-8")
    (tmp_path / "infra" / "stack.py").write_text(_STACK_PY, encoding="utf-8")
    gateways, warnings = read(discover([tmp_path / "infra"], tmp_path))
    assert warnings == []
    # Code paths are relative to the app folder, where ``cdk synth`` runs.
    assert gateways == [Gateway("infra/functions/notes.py", "create", True, frozenset({"tag"}))]


def test_unclosed_or_endless_calls_give_nothing(tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text("{}\n", encoding="utf-8")
    unclosed = "// aws-cdk\n" + "root.addMethod(" * 2000 + "const f = new lambda.Function(" * 200
    nested = "// aws-cdk\n" + "root.addMethod(" * 2000 + ")" * 2000
    (tmp_path / "unclosed.ts").write_text(unclosed, encoding="utf-8")
    (tmp_path / "nested.ts").write_text(nested, encoding="utf-8")
    # One pass over the brackets per file, calls longer than any CDK props skipped: a file of
    # unclosed brackets used to make every call read to its end (minutes for 500 KB).
    assert read(discover([tmp_path], tmp_path)) == ([], [])


def test_each_app_resolves_code_paths_from_its_own_folder(tmp_path: Path) -> None:
    for app in ("orders", "users"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "cdk.json").write_text("{}\n", encoding="utf-8")
        stack = _STACK_PY.replace("PostNote", f"Post{app}").replace("self.post_fn", f"self.{app}")
        (tmp_path / app / "stack.py").write_text(stack, encoding="utf-8")
    gateways, _ = read(discover([tmp_path], tmp_path))
    assert [g.path for g in gateways] == ["orders/functions/notes.py", "users/functions/notes.py"]


def test_a_cdk_json_that_links_out_of_the_scan_makes_its_own_folder_the_app(
    tmp_path: Path,
) -> None:
    # The app was the link's target folder, whose sources lie outside the root: a ValueError
    # traceback. ``cdk synth`` runs where cdk.json is, link or not.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "cdk.json").write_text("{}\n", encoding="utf-8")
    (outside / "stack.py").write_text(_STACK_PY, encoding="utf-8")
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    (scanned / "cdk.json").symlink_to(outside / "cdk.json")
    (scanned / "stack.py").write_text(_STACK_PY, encoding="utf-8")
    assert [rel for _, rel in discover([scanned], scanned)] == ["stack.py"]


def test_the_folders_above_a_path_end_at_the_file_system_root(tmp_path: Path) -> None:
    # With ``/`` as the scan root (``dynaguard code . /dev/null``, or a container's working
    # directory) the walk up from a path never ended: ``/`` is its own parent.
    (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
    assert list(upward(tmp_path, Path("/"))) == [tmp_path, *tmp_path.parents]
    assert list(upward(tmp_path, tmp_path / "elsewhere")) == []
    found = _within(10, lambda: discover([tmp_path / "app.py"], Path("/")))
    assert found == []
    found = _within(10, lambda: deployment.discover([tmp_path / "app.py"], Path("/")))
    assert found == []


def _within(seconds: float, work: Callable[[], T]) -> T:
    """What ``work`` returns, failing (not hanging) the test when it runs past ``seconds``."""
    done: list[T] = []
    worker = threading.Thread(target=lambda: done.append(work()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert done, f"still running after {seconds} s"
    return done[0]
