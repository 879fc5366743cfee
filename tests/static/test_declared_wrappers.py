"""Declared DynamoDB wrappers: a call of one is the boto3 call it stands for, and the rules fire on
it as they do on boto3. Each case runs with the declaration (the finding appears or goes) and
without it, or with a declaration of an unrelated name (nothing changes)."""

from __future__ import annotations

import pytest

from dynaguard.model import Confidence
from dynaguard.static import Analysis
from tests.static.conftest import PRELUDE, Project
from tests.static.declared import found, models, rules

REPO = """\
import storage


class OrderRepo:
    \"\"\"Orders, through the company's storage client (nothing dynaguard can follow).\"\"\"

    def __init__(self):
        self.client = storage.connect()

    def save(self, order):
        self.client.write("orders", order)

    def find(self, order_id):
        return self.client.read("orders", {"order_id": order_id})

    def change(self, order_id, expression, values):
        self.client.update("orders", {"order_id": order_id}, expression, values)
"""

APP = """\
from flask import Flask, request
from flask_jwt_extended import jwt_required

from shop.repo import OrderRepo

app = Flask(__name__)
repo = OrderRepo()


@app.post("/orders")
@jwt_required()
def create_order():
    repo.save(request.get_json())
    return {"ok": True}, 201
"""

SAVE = """
[[models.wrappers]]
function = "shop.repo.OrderRepo.save"
operation = "put"
item = "order"
table = "orders"
"""


def _shop(app: str = APP) -> dict[str, str]:
    return {"shop/__init__.py": "", "shop/repo.py": REPO, "shop/app.py": app}


def test_a_declared_put_wrapper_is_a_put_item(project: Project) -> None:
    analysis = project(_shop(), models=models(SAVE))
    (finding,) = found(analysis, "DG101")
    assert "OrderRepo.save -> Table.put_item(Item=...)" in finding.message
    assert finding.location is not None and finding.location.line == 13
    assert analysis.coverage.by_model == 1 and analysis.coverage.blind is False


def test_without_the_declaration_the_wrapper_is_opaque(project: Project) -> None:
    analysis = project(_shop())
    assert rules(analysis) == []
    assert analysis.coverage.by_model == 0 and analysis.coverage.blind


def test_a_declaration_of_another_name_changes_nothing(project: Project) -> None:
    other = SAVE.replace("shop.repo.OrderRepo.save", "shop.repo.InvoiceRepo.save")
    analysis = project(_shop(), models=models(other))
    assert rules(analysis) == []
    assert analysis.coverage.by_model == 0
    # ... except that a declaration nothing matched says so (a typo is not silence).
    assert [w.message for w in analysis.warnings] == [
        "the declared shop.repo.InvoiceRepo.save matched no call or decorator in the scanned"
        " code (a declared name must end the dotted name the code imports)"
    ]


def test_names_match_below_a_source_root(project: Project) -> None:
    # Scanning the repository: the module is src.shop.repo, the declaration says shop.repo.
    files = {f"src/{path}": source for path, source in _shop().items()}
    analysis = project(files, models=models(SAVE))
    assert rules(analysis) == ["DG101"]


FOLLOWED_REPO = """\
import boto3

table = boto3.resource("dynamodb").Table("orders")


class OrderRepo:
    def save(self, order):
        table.put_item(Item=order)
"""


def test_a_declared_wrapper_is_not_followed_into_so_nothing_is_reported_twice(
    project: Project,
) -> None:
    files = {**_shop(), "shop/repo.py": FOLLOWED_REPO}
    followed = project(files)
    declared = project(files, models=models(SAVE))
    assert rules(followed) == rules(declared) == ["DG101"]
    assert "Table.put_item(Item=...)" in found(followed, "DG101")[0].message
    assert "OrderRepo.save -> Table.put_item" in found(declared, "DG101")[0].message
    # The call site is the declaration's; the put in the body is still a call dynaguard knows.
    assert (declared.coverage.by_model, declared.coverage.by_provenance) == (1, 1)


LIBRARY_APP = """\
from flask import Flask, request
from storage_lib import write_item

app = Flask(__name__)


@app.post("/<kind>/items")
def create_item(kind):
    write_item(kind, request.get_json())
    return {"ok": True}, 201
"""

LIBRARY = """
[[models.wrappers]]
function = "storage_lib.write_item"
operation = "put"
table-param = 0
item = 1
"""


def test_a_library_wrapper_with_the_table_as_a_parameter(project: Project) -> None:
    assert rules(project({"app.py": LIBRARY_APP})) == []
    analysis = project({"app.py": LIBRARY_APP}, models=models(LIBRARY))
    assert rules(analysis) == ["DG101", "DG203", "DG702"]
    assert "chooses the name in write_item -> resource.Table(TableName=...)" in (
        found(analysis, "DG702")[0].message
    )


LIBRARY_CLASS_APP = """\
from flask import Flask, request
from storage_lib import Collection

app = Flask(__name__)
orders = Collection("orders")


@app.post("/orders")
def create_order():
    orders.insert(request.get_json())
    return {"ok": True}, 201
"""


def test_a_method_of_a_library_class_is_declared_by_the_class_name(project: Project) -> None:
    insert = '[[models.wrappers]]\nfunction = "storage_lib.Collection.insert"\noperation = "put"\n'
    assert rules(project({"app.py": LIBRARY_CLASS_APP})) == []
    assert rules(project({"app.py": LIBRARY_CLASS_APP}, models=models(insert + "item = 0\n"))) == [
        "DG101",
        "DG203",
    ]
    # By name, a library function's parameter is found only among keyword arguments: dynaguard
    # cannot read its signature, so a positional argument stays unmatched.
    by_name = models(insert + 'item = "document"\n')
    assert rules(project({"app.py": LIBRARY_CLASS_APP}, models=by_name)) == []


def test_parameters_are_found_by_name_or_position_however_the_caller_passes_them(
    project: Project,
) -> None:
    by_keyword = APP.replace("repo.save(request.get_json())", "repo.save(order=request.json)")
    by_position = SAVE.replace('item = "order"', "item = 0")
    assert rules(project(_shop(by_keyword), models=models(SAVE))) == ["DG101"]
    assert rules(project(_shop(by_keyword), models=models(by_position))) == ["DG101"]
    assert rules(project(_shop(), models=models(by_position))) == ["DG101"]


NOTES_APP = """\
from flask import Flask
from flask_jwt_extended import get_jwt_identity, jwt_required

from notes.store import notes_of

app = Flask(__name__)


@app.get("/users/<user_id>/notes")
@jwt_required()
def list_notes(user_id):
    return {"notes": notes_of(user_id)}


@app.get("/me/notes")
@jwt_required()
def my_notes():
    return {"notes": notes_of(get_jwt_identity())}
"""

QUERY = """
[[models.wrappers]]
function = "notes.store.notes_of"
operation = "query"
key = { owner = 0 }
table = "notes"
"""


def test_a_declared_query_by_a_client_chosen_owner_is_bola(project: Project) -> None:
    files = {"notes/__init__.py": "", "notes/store.py": "def notes_of(owner): ...\n"}
    files["notes/app.py"] = NOTES_APP
    assert rules(project(files)) == []
    analysis = project(files, models=models(QUERY))
    (finding,) = found(analysis, "DG201")
    assert finding.endpoint is not None and finding.endpoint.path == "/users/<user_id>/notes"
    assert "notes_of -> Table.query reads an item of the notes table" in finding.message


ORDERS_APP = """\
from flask import Flask, request
from flask_jwt_extended import get_jwt_identity, jwt_required

from shop.repo import OrderRepo

app = Flask(__name__)
repo = OrderRepo()


@app.post("/orders/<order_id>")
@jwt_required()
def create_order(order_id):
    body = request.get_json()
    repo.save({"order_id": order_id, "owner": get_jwt_identity(), "note": body.get("note")})
    return {"ok": True}, 201


@app.get("/orders/<order_id>")
@jwt_required()
def read_order(order_id):
    return repo.find(order_id)


@app.patch("/orders/<order_id>")
@jwt_required()
def rename_order(order_id):
    repo.change(order_id, "SET title = :t", {":t": request.get_json().get("title")})
    return {"ok": True}
"""

CRUD = (
    SAVE
    + """
[[models.wrappers]]
function = "shop.repo.OrderRepo.find"
operation = "get"
key = { order_id = "order_id" }
table = "orders"

[[models.wrappers]]
function = "shop.repo.OrderRepo.change"
operation = "update"
key = { order_id = 0 }
update-param = 1
values = 2
table = "orders"
"""
)


BOTO3_ORDERS_APP = (
    ORDERS_APP.replace("from shop.repo import OrderRepo\n", "import boto3\n")
    .replace("repo = OrderRepo()", 'table = boto3.resource("dynamodb").Table("orders")')
    .replace("repo.save(", "table.put_item(Item=")
    .replace("repo.find(order_id)", 'table.get_item(Key={"order_id": order_id})')
    .replace(
        "repo.change(order_id, ",
        'table.update_item(Key={"order_id": order_id}, UpdateExpression=',
    )
    .replace(', {":t"', ', ExpressionAttributeValues={":t"')
)


def _seen(analysis: Analysis) -> list[tuple[str, int, str, str]]:
    return sorted(
        (
            f.rule.id,
            f.location.line if f.location else 0,
            str(f.endpoint),
            f.effective_persona.value,
        )
        for f in analysis.findings
    )


def test_declared_writes_are_judged_per_operation_as_boto3_writes_are(project: Project) -> None:
    analysis = project(_shop(ORDERS_APP), models=models(CRUD))
    # A create under a client-chosen key with no condition, an update that may create a
    # phantom item, and reads and writes of items the identity owns by a client-chosen key.
    assert rules(analysis) == ["DG201", "DG201", "DG402", "DG403"]
    assert found(analysis, "DG201")[0].effective_confidence is Confidence.MEDIUM
    assert analysis.coverage.by_model == 3
    # The same handlers written with boto3 raise the same findings at the same places.
    assert _seen(analysis) == _seen(project(_shop(BOTO3_ORDERS_APP)))


def test_a_condition_the_wrapper_always_adds_is_declared_as_fixed_text(project: Project) -> None:
    guarded = CRUD.replace(
        'table = "orders"\n', 'table = "orders"\ncondition = "attribute_not_exists(order_id)"\n', 1
    ).replace("update-param = 1\n", 'update-param = 1\ncondition = "attribute_exists(order_id)"\n')
    assert rules(project(_shop(ORDERS_APP), models=models(guarded))) == ["DG201", "DG201"]


def test_an_update_expression_built_from_the_request_is_dg701(project: Project) -> None:
    app = ORDERS_APP.replace(
        '"SET title = :t", {":t": request.get_json().get("title")}',
        "f\"SET title = {request.args['title']}\", {}",
    )
    assert "DG701" in rules(project(_shop(app), models=models(CRUD)))
    assert "DG701" not in rules(project(_shop(app)))


OPERATIONS_APP = """\
import boto3
from flask import Flask, request
from flask_jwt_extended import jwt_required

import db

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("orders")
client = boto3.client("dynamodb")


@app.delete("/admin/orders/<order_id>")
@jwt_required()
def purge_order(order_id):
    CALL
    return "", 204
"""

DB = """\
def remove(order_id): ...
def save_all(items): ...
def replace(item): ...
def everything(): ...
"""
OPERATIONS = """
[[models.wrappers]]
function = "db.remove"
operation = "delete"
key = { order_id = 0 }
table = "orders"

[[models.wrappers]]
function = "db.save_all"
operation = "batch_write"
item = 0
table = "orders"

[[models.wrappers]]
function = "db.replace"
operation = "transact_write"
item = 0
table = "orders"

[[models.wrappers]]
function = "db.everything"
operation = "scan"
table = "orders"
"""


@pytest.mark.parametrize(
    ("declared", "boto3"),
    [
        ("db.remove(order_id)", 'table.delete_item(Key={"order_id": order_id})'),
        (
            'db.save_all(request.get_json()["orders"])',
            'client.batch_write_item(RequestItems={"orders": [{"PutRequest": {"Item": '
            'request.get_json()["orders"]}}]})',
        ),
        (
            "db.remove(order_id); db.replace(request.get_json())",
            'table.delete_item(Key={"order_id": order_id}); client.transact_write_items('
            'TransactItems=[{"Put": {"TableName": "orders", "Item": request.get_json()}}])',
        ),
        (
            "db.remove(order_id); db.remove(order_id + '-copy')",
            "table.delete_item("
            'Key={"order_id": order_id}); table.delete_item(Key={"order_id": order_id + "-copy"})',
        ),
        ("return {'all': db.everything()['Items']}", "return {'all': table.scan()['Items']}"),
    ],
)
def test_each_operation_is_judged_as_its_boto3_call(
    project: Project, declared: str, boto3: str
) -> None:
    files = {"db.py": DB}
    app = OPERATIONS_APP.replace("CALL", declared)
    as_declared = project({**files, "app.py": app}, models=models(OPERATIONS))
    as_boto3 = project({**files, "app.py": OPERATIONS_APP.replace("CALL", boto3)})
    assert _seen(as_declared) == _seen(as_boto3)
    assert as_declared.findings  # each case is a weakness, so the comparison compares something


PATCH_APP = """\
from flask import Flask, request
from flask_jwt_extended import jwt_required

import db

app = Flask(__name__)


@app.patch("/orders/<order_id>")
@jwt_required()
def patch_order(order_id):
    db.patch(order_id, request.get_json())
    return {"ok": True}
"""

PATCH = """
[[models.wrappers]]
function = "db.patch"
operation = "update"
key = { order_id = 0 }
item = 1
condition = "attribute_exists(order_id)"
table = "orders"
"""


def test_the_item_of_an_update_is_the_attributes_it_sets_by_name(project: Project) -> None:
    files = {"app.py": PATCH_APP, "db.py": "def patch(order_id, changes): ...\n"}
    assert rules(project(files)) == []
    # The client chooses which attributes the update sets: names from the request (DG102).
    assert rules(project(files, models=models(PATCH))) == ["DG102"]


HANDLE_APP = (
    PRELUDE
    + """\
from flask_jwt_extended import jwt_required

import db


@app.post("/items/<item_id>")
@jwt_required()
def create_item(item_id):
    if table.get_item(Key={"item_id": item_id}).get("Item"):
        return {"error": "exists"}, 409
    db.put(table, {"item_id": item_id, "name": "new"})
    return {"ok": True}, 201
"""
)

PUT = '[[models.wrappers]]\nfunction = "db.put"\noperation = "put"\ntable-param = 0\nitem = 1\n'


def test_a_boto3_table_handle_passed_as_the_table_is_that_table(project: Project) -> None:
    files = {"app.py": HANDLE_APP, "db.py": "def put(table, item): ...\n"}
    analysis = project(files, models=models(PUT))
    # The put checks nothing: the read before it addresses the same item of the same table.
    (finding,) = found(analysis, "DG402")
    assert finding.message.startswith("check-then-put: Table.get_item checks the item")
    assert rules(project(files)) == []
