"""Objects a helper receives, and arguments a decorator adds: a parameter's methods mean
something once the object passed to it is known (flow/calls.py ``_bound``, flow/injection.py)."""

from __future__ import annotations

from dynaguard.static import analyse_source
from tests.static.conftest import PRELUDE, Project

HELPERS = """
class Record:
    def __init__(self, key):
        self.key = key

    def persist(self):
        table.put_item(Item={"pk": self.key, "kind": "record"})


def write(record):
    try:
        record.persist()
    except Exception as error:
        return str(error)


def scan_all(handle):
    return handle.scan()["Items"]


@app.post("/records/<key>")
def create(key):
    write(Record(key))
    return ""


@app.get("/admin/records")
def everything():
    return {"items": scan_all(table)}
"""


def test_methods_of_a_parameter_resolve_to_the_object_passed() -> None:
    found = {(f.rule.id, f.location.function) for f in analyse_source(PRELUDE + HELPERS)}  # type: ignore[union-attr]
    assert ("DG402", "Record.persist") in found  # through write(record) -> record.persist()
    assert ("DG202", "scan_all") in found  # handle.scan() on the table passed in


def test_a_parameter_that_is_never_given_an_object_stays_unknown() -> None:
    source = PRELUDE + HELPERS.replace("scan_all(table)", "scan_all(None)")
    assert "DG202" not in {f.rule.id for f in analyse_source(source)}


DECORATORS = """\
import functools

import boto3
from flask import request


def with_resource(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        kwargs["dynamodb"] = boto3.resource("dynamodb")
        return view(*args, **kwargs)

    return wrapper


def require_params(*names):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            for name in names:
                kwargs[name] = request.args.get(name)
            return view(*args, **kwargs)

        return wrapper

    return decorator
"""
VIEW = """\
from flask import Flask

from decorators import require_params, with_resource

app = Flask(__name__)


@app.get("/tables/items")
@with_resource
@require_params("{param}")
def list_items(dynamodb, table_name):
    return {{"items": dynamodb.Table(table_name).scan()["Items"]}}
"""


def test_a_decorator_passes_a_handle_and_a_request_value(project: Project) -> None:
    files = {"decorators.py": DECORATORS, "views.py": VIEW.format(param="table_name")}
    assert "DG702" in {f.rule.id for f in project(files).findings}


def test_a_parameter_no_decorator_fills_is_not_request_data(project: Project) -> None:
    files = {"decorators.py": DECORATORS, "views.py": VIEW.format(param="other")}
    assert "DG702" not in {f.rule.id for f in project(files).findings}
