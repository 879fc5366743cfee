"""`dynaguard code` with `[tool.dynaguard.models]`: the declarations in pyproject.toml reach the
analysis, and the report counts what they recognised."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dynaguard.cli import main

REPO = """\
import storage


class OrderRepo:
    def __init__(self):
        self.client = storage.connect()

    def save(self, order):
        self.client.write("orders", order)
"""

APP = """\
from flask import Flask, request

from shop.repo import OrderRepo

app = Flask(__name__)
repo = OrderRepo()


@app.post("/orders")
def create_order():
    repo.save(request.get_json())
    return {"ok": True}, 201
"""

PYPROJECT = """\
[project]
name = "shop"

[tool.dynaguard.models]
authentication-decorators = ["shop.auth.signed_in"]

[[tool.dynaguard.models.wrappers]]
function = "shop.repo.OrderRepo.save"
operation = "put"
item = "order"
table = "orders"
"""


def _shop(root: Path, pyproject: str | None) -> Path:
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shop" / "repo.py").write_text(REPO, encoding="utf-8")
    (root / "shop" / "app.py").write_text(APP, encoding="utf-8")
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_declared_wrappers_in_pyproject_are_used_and_counted(tmp_path: Path) -> None:
    root = _shop(tmp_path, PYPROJECT)
    code, out, _ = _run("code", str(root))
    assert code == 1
    assert "DG101" in out and "OrderRepo.save -> Table.put_item(Item=...)" in out
    assert "0 by shape, 1 by your models" in out
    assert "the declared shop.auth.signed_in matched no call or decorator" in out
    assert "the declared shop.repo.OrderRepo.save matched" not in out
    code, out, _ = _run("code", "--format", "json", str(root))
    coverage = json.loads(out)["coverage"]
    assert (coverage["dynamodb_calls"]["by_model"], coverage["blind"]) == (1, False)


def test_without_the_table_the_same_project_is_blind(tmp_path: Path) -> None:
    root = _shop(tmp_path, "[tool.dynaguard]\nfail-on = 'high'\n")
    code, out, _ = _run("code", str(root))
    assert code == 0
    assert "DG101" not in out
    assert "recognised no DynamoDB access" in out and "docs/models.md" in out


def test_a_bad_declaration_is_exit_2_naming_file_and_key(tmp_path: Path) -> None:
    root = _shop(tmp_path, PYPROJECT.replace('operation = "put"', 'operation = "upsert"'))
    code, _, err = _run("code", str(root))
    assert code == 2
    assert "pyproject.toml: [tool.dynaguard.models] wrappers[0].operation:" in err
    assert "Traceback" not in err


def test_scan_source_reads_the_code_with_the_same_declarations(tmp_path: Path) -> None:
    # The static side of `dynaguard scan --source` is `dynaguard code` on the same tree.
    from dynaguard.cli.joined import join_source
    from dynaguard.cli.scan import _source_models
    from dynaguard.model import Report

    root = _shop(tmp_path, PYPROJECT)
    flags = {"sources": (root,), "config": None}
    joined = join_source(Report(findings=()), [root], _source_models(flags))
    assert "DG101" in {f.rule.id for f in joined.findings}
    assert join_source(Report(findings=()), [root]).findings == ()
