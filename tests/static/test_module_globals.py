"""Module globals survive module-level branches (regression: `if TYPE_CHECKING:` hid tables)."""

from __future__ import annotations

from dynaguard.static import analyse_source
from tests.static.conftest import Project

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


GAME = (
    "import boto3\nfrom flask import request\n"
    "table = boto3.resource('dynamodb').Table('games')\n\n"
    "def game(game_id):\n    table.put_item(Item=request.get_json())\n    return ''\n"
)


def test_a_package_binding_replaces_its_submodule_attribute(project: Project) -> None:
    # ``from .game import *`` binds ``views.game`` to the function, not the submodule.
    files = {
        "views/__init__.py": "from .game import *\n",
        "views/game.py": GAME,
        "app.py": (
            "from flask import Flask\nimport views\n\napp = Flask(__name__)\n"
            "app.add_url_rule('/games/<game_id>', view_func=views.game, methods=['POST'])\n"
        ),
    }
    found = project(files).findings
    assert [
        (f.rule.id, f"{f.endpoint.method} {f.endpoint.path}") for f in found if f.rule.id == "DG101"
    ] == [("DG101", "POST /games/<game_id>")]


def test_a_package_that_only_imports_its_submodule_keeps_it(project: Project) -> None:
    files = {
        "views/__init__.py": "from . import game\n",
        "views/game.py": GAME,
        "app.py": (
            "from flask import Flask\nimport views\n\napp = Flask(__name__)\n"
            "app.add_url_rule('/games/<game_id>', view_func=views.game.game, methods=['POST'])\n"
        ),
    }
    found = project(files).findings
    assert [f"{f.endpoint.method} {f.endpoint.path}" for f in found if f.rule.id == "DG101"] == [
        "POST /games/<game_id>"
    ]
