"""Which functions are summarised up front, and that leaving the others out loses nothing."""

from __future__ import annotations

from dynaguard.catalogue import CATALOGUE, get_rule
from dynaguard.static import analyse_source
from dynaguard.static.engine import Run
from dynaguard.static.flow import relevance
from dynaguard.static.source import ir
from dynaguard.static.source.parse import load_source
from tests.static.conftest import PRELUDE, Project


def _run(files: dict[str, str]) -> Run:
    modules = []
    for path, source in files.items():
        loaded = load_source(source, path)
        assert isinstance(loaded, ir.Module)
        modules.append(loaded)
    run = Run(modules, list(CATALOGUE))
    for name in sorted(run.project.modules):
        run.analyzer.module_result(name)
    return run


VIEWS = """\
from flask import Blueprint, request as req
import boto3
from helpers import save, tidy

bp = Blueprint("b", __name__)
TABLE = boto3.resource("dynamodb").Table("t")
LIMIT = 10


def reads_request():
    return req.get_json()


def calls_relevant_helper(x):
    return save(x)


def calls_plain_helper(x):
    return tidy(x)


def uses_table_global(key):
    return TABLE


def plain(values):
    return sorted(v for v in values if v < LIMIT)


class Repo:
    def put(self, item):
        self.table.put_item(Item=item)


class Stats:
    def total(self, values):
        return sum(values)
"""

HELPERS = """\
import boto3


def save(item):
    boto3.resource("dynamodb").Table("t").put_item(Item=item)


def tidy(text):
    return text.strip()


def stream(event, context):
    for record in event["Records"]:
        print(record["eventName"])
"""


def test_roots_are_the_functions_that_name_something_the_rules_are_about() -> None:
    run = _run({"views.py": VIEWS, "helpers.py": HELPERS})
    assert relevance.roots(run.analyzer, run.models.relevant_names) == [
        "helpers:save",  # a DynamoDB operation
        "helpers:stream",  # a Streams batch
        "views:Repo.put",  # an operation on an attribute
        "views:calls_relevant_helper",  # a project function that is a root
        "views:reads_request",  # an aliased flask import
        "views:uses_table_global",  # a global holding a DynamoDB handle
    ]


def test_functions_no_root_calls_are_never_lowered() -> None:
    run = _run({"views.py": VIEWS, "helpers.py": HELPERS})
    run.findings()
    views = run.project.modules["views"]
    assert not views.functions["plain"].deferred.lowered
    assert not views.functions["Stats.total"].deferred.lowered
    assert views.functions["reads_request"].deferred.lowered


def test_a_plain_function_between_a_route_and_a_sink_is_analysed_through_the_route() -> None:
    source = PRELUDE + (
        "\n@app.post('/items')\ndef create():\n    return forward(request.get_json())\n"
        "\ndef forward(data):\n    return store(data)\n"
        "\ndef store(item):\n    table.put_item(Item=item)\n"
    )
    [finding] = analyse_source(source, rules=[get_rule("DG101")])
    assert finding.rule.id == "DG101"
    assert finding.endpoint is not None and finding.endpoint.path == "/items"
    assert [s.location.function for s in finding.flow] == ["create", "forward", "store", "store"]


def test_nested_functions_appear_once_their_enclosing_function_is_lowered() -> None:
    source = "def outer():\n    def inner():\n        class Local:\n            pass\n        return 1\n    return inner\n"
    module = load_source(source, "m.py")
    assert isinstance(module, ir.Module)
    assert "outer.inner" not in module.functions  # not lowered yet
    assert module.function("outer.inner") is not None
    assert module.klass("outer.inner.Local") is not None
    assert module.function("outer.missing") is None


def test_self_attributes_are_known_without_lowering_every_method_first() -> None:
    source = (
        "class Box:\n    def __init__(self, table):\n        self.table, self.size = table, 0\n"
        "    def grow(self):\n        for self.cursor in range(3):\n            self.size += 1\n"
    )
    module = load_source(source, "m.py")
    assert isinstance(module, ir.Module)
    assert module.self_attrs("Box") == {
        "size": ["__init__", "grow"],
        "table": ["__init__"],
        "cursor": ["grow"],
    }


def test_a_body_too_deep_to_lower_is_a_warning_not_a_crash(project: Project) -> None:
    deep = " + ".join(["x"] * 1500)  # parses, but lowering recurses once per term
    analysis = project(
        {
            "app.py": PRELUDE
            + f"\n@app.post('/x')\ndef create():\n    x = request.json\n    return {deep}\n"
        }
    )
    assert [w.message for w in analysis.warnings] == ["create is nested too deeply to analyse"]
