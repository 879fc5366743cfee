"""Module globals survive module-level branches (regression: `if TYPE_CHECKING:` hid tables)."""

from __future__ import annotations

from dynaguard.static import analyse_source

SOURCE = """\
from __future__ import annotations
from typing import TYPE_CHECKING
import boto3
from flask import Flask, request

if TYPE_CHECKING:
    import os
try:
    import ujson as fastjson
except ImportError:
    fastjson = None

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("users")


@app.post("/users")
def create_user():
    table.put_item(Item=request.get_json())
    return {}
"""


def test_table_defined_after_module_level_branches_is_still_a_table() -> None:
    findings = analyse_source(SOURCE, path="app.py")
    assert [(f.rule.id, f.location.line if f.location else 0) for f in findings] == [("DG101", 19)]
