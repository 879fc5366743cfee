"""A Chalice Streams consumer that hands its batch to another module's function: the finding
is in that function, and its flow starts at the consumer the platform calls."""

from __future__ import annotations

from tests.static.conftest import Project

_APP = """
from chalice import Chalice
from chalicelib import handlers

app = Chalice(app_name="mirror")

@app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:eu-west-1:1:table/t/stream/1")
def on_orders(event):
    return handlers.copy_all(event)
"""

_HANDLERS = """
import logging
import boto3

mirror = boto3.resource("dynamodb").Table("mirror")

def copy_all(batch):
    for record in batch:
        try:
            mirror.put_item(Item={"pk": record.keys["pk"]["S"]})
        except Exception:
            logging.exception("copy failed")
"""


def test_the_flow_starts_at_the_consumer_that_hands_the_batch_over(project: Project) -> None:
    analysis = project(
        {"app.py": _APP, "chalicelib/__init__.py": "", "chalicelib/handlers.py": _HANDLERS}
    )
    found = [f for f in analysis.findings if f.rule.id == "DG602"]
    assert len(found) == 1
    finding = found[0]
    assert finding.location is not None
    assert (finding.location.path, finding.location.function) == (
        "chalicelib/handlers.py",
        "copy_all",
    )
    first = finding.flow[0]
    assert (first.location.path, first.location.function) == ("app.py", "on_orders")
    assert "hands the batch to copy_all" in first.note


def test_a_consumer_that_loops_itself_is_not_redirected(project: Project) -> None:
    # The batch is iterated where it arrives; the helper it also calls gets one record.
    app = _APP.replace(
        "return handlers.copy_all(event)", "for r in event:\n        handlers.one(r)"
    )
    helpers = "def one(record):\n    return record.keys\n"
    analysis = project(
        {"app.py": app, "chalicelib/__init__.py": "", "chalicelib/handlers.py": helpers}
    )
    assert [f.rule.id for f in analysis.findings if f.rule.id.startswith("DG6")] == []
