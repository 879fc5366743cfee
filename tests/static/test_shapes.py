"""Shapes of real code: a library object's method taken without calling it, and Python 3.6-era
modules where ``async`` is an identifier."""

from __future__ import annotations

from dynaguard.static import analyse_source
from dynaguard.static.source import ir
from dynaguard.static.source.parse import load_source
from tests.static.conftest import PRELUDE

VIEW = "\n@app.post('/items')\ndef create():\n    {call}\n    return ''\n"


def _rules(call: str) -> set[str]:
    return {f.rule.id for f in analyse_source(PRELUDE + VIEW.format(call=call))}


def test_a_method_taken_by_name_or_kept_in_a_variable_is_still_the_call() -> None:
    assert "DG101" in _rules("getattr(table, 'put_item')(Item=request.get_json())")
    assert "DG101" in _rules("write = table.put_item\n    write(Item=request.get_json())")


HELPER = """
def run_and_log(func, *args, **kwargs):
    print("calling", func)
    return func({forward})
"""


def test_a_helper_that_calls_the_method_it_is_given_with_the_rest() -> None:
    call = "run_and_log(table.put_item, Item=request.get_json())"
    helper = HELPER.format(forward="*args, **kwargs")
    assert "DG101" in {f.rule.id for f in analyse_source(PRELUDE + helper + VIEW.format(call=call))}
    # A helper that does not pass its arguments on calls the method with none of them.
    helper = HELPER.format(forward="")
    assert "DG101" not in {
        f.rule.id for f in analyse_source(PRELUDE + helper + VIEW.format(call=call))
    }


def test_an_attribute_of_a_table_that_is_not_a_method_call_makes_no_write() -> None:
    assert "DG101" not in _rules(
        "name = getattr(table, 'name')\n    print(name, request.get_json())"
    )


LEGACY = """\
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("jobs")


def notify(data, async=False):
    return data


@app.post("/jobs")
def create():
    table.put_item(Item=request.get_json())
    return ""
"""


def test_python_36_code_with_async_as_a_name_is_analysed() -> None:
    module = load_source(LEGACY, "jobs.py")
    assert isinstance(module, ir.Module) and module.source == LEGACY
    assert "DG101" in {f.rule.id for f in analyse_source(LEGACY, path="jobs.py")}


def test_real_syntax_errors_still_say_so() -> None:
    broken = load_source(LEGACY.replace("def notify", "def notify(:"), "jobs.py")
    assert not isinstance(broken, ir.Module) and "does not parse" in broken.message
    coroutine = "async def go():\n    await thing()\n"
    assert isinstance(load_source(coroutine, "go.py"), ir.Module)
