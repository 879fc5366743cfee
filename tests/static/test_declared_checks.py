"""Declared identity functions, ownership checks, authentication and role decorators, and
validators: each makes a finding go away that the same code raises without the declaration,
and a declaration of an unrelated name changes nothing."""

from __future__ import annotations

import pytest

from tests.static.conftest import PRELUDE, Project
from tests.static.declared import models, rules

# -- identity functions ----------------------------------------------------------------------

CALLER = (
    PRELUDE
    + """\
import tokens
from boto3.dynamodb.conditions import Key
from flask_jwt_extended import jwt_required


def caller_id():
    # The signed token the client sends: dynaguard cannot know its signature is checked.
    return tokens.verify(request.args["token"])["sub"]


@app.get("/notes")
@jwt_required()
def my_notes():
    return {"notes": table.query(KeyConditionExpression=Key("owner").eq(caller_id()))["Items"]}
"""
)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("", ["DG201"]),
        ('identity-functions = ["app.other_id"]', ["DG201"]),
        ('identity-functions = ["app.caller_id"]', []),
    ],
)
def test_a_key_from_a_declared_identity_function_is_not_client_chosen(
    project: Project, declared: str, expected: list[str]
) -> None:
    analysis = project({"app.py": CALLER}, models=models(f"[models]\n{declared}\n"))
    assert rules(analysis) == expected


WHO = (
    PRELUDE
    + """\
from sso_client import who


@app.get("/notes/<note_id>")
def read_note(note_id):
    return table.get_item(Key={"owner": who(), "note_id": note_id})["Item"]
"""
)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("", ["DG203"]),
        ('identity-functions = ["sso_client.whom"]', ["DG203"]),
        ('identity-functions = ["sso_client.who"]', []),
    ],
)
def test_a_library_identity_function_authenticates_the_route_that_uses_it(
    project: Project, declared: str, expected: list[str]
) -> None:
    analysis = project({"app.py": WHO}, models=models(f"[models]\n{declared}\n"))
    assert rules(analysis) == expected


# -- ownership checks ------------------------------------------------------------------------

OWNED = (
    PRELUDE
    + """\
from flask_jwt_extended import get_jwt_identity, jwt_required
from policy import vouch


def assert_owner(item):
    vouch(item)  # denies unless the caller owns the item: nothing dynaguard can read


@app.post("/orders")
@jwt_required()
def create_order():
    order = {"order_id": str(uuid.uuid4()), "owner": get_jwt_identity()}
    table.put_item(Item=order)
    return order, 201


@app.get("/orders/<order_id>")
@jwt_required()
def read_order(order_id):
    order = table.get_item(Key={"order_id": order_id})["Item"]
    CHECK(order)
    return order
"""
).replace("import boto3\n", "import uuid\n\nimport boto3\n")


@pytest.mark.parametrize(
    ("check", "declared", "expected"),
    [
        ("assert_owner", "", ["DG201"]),
        ("assert_owner", 'ownership-checks = ["app.assert_admin"]', ["DG201"]),
        ("assert_owner", 'ownership-checks = ["app.assert_owner"]', []),
        ("vouch", "", ["DG201"]),
        ("vouch", 'ownership-checks = ["policy.vouch"]', []),
    ],
)
def test_a_declared_ownership_check_of_the_item_read_guards_it(
    project: Project, check: str, declared: str, expected: list[str]
) -> None:
    source = OWNED.replace("CHECK(", f"{check}(")
    analysis = project({"app.py": source}, models=models(f"[models]\n{declared}\n"))
    assert rules(analysis) == expected


# -- authentication and role decorators ------------------------------------------------------

GUARDED = (
    PRELUDE
    + """\
from gatehouse import clearance, gate


@app.get("/orders/<order_id>")
@gate
def read_order(order_id):
    return table.get_item(Key={"order_id": order_id})["Item"]


@app.delete("/admin/orders/<order_id>")
@gate
@clearance("ops")
def purge_order(order_id):
    table.delete_item(Key={"order_id": order_id}, ConditionExpression="attribute_exists(order_id)")
    return "", 204
"""
)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("", ["DG202", "DG203", "DG203"]),
        ('authentication-decorators = ["gatehouse.gates"]', ["DG202", "DG203", "DG203"]),
        ('authentication-decorators = ["gatehouse.gate"]', ["DG202"]),
        ('role-decorators = ["gatehouse.clearance"]', ["DG203"]),
        (
            'authentication-decorators = ["gatehouse.gate"]\n'
            'role-decorators = ["gatehouse.clearance"]',
            [],
        ),
    ],
)
def test_declared_decorators_authenticate_and_check_roles(
    project: Project, declared: str, expected: list[str]
) -> None:
    analysis = project({"app.py": GUARDED}, models=models(f"[models]\n{declared}\n"))
    assert rules(analysis) == expected


PROJECT_DECORATOR = """\
import functools


def gate(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)  # the check is in the gateway: nothing to read here

    return wrapper
"""


def test_a_project_decorator_is_declared_by_its_own_name(project: Project) -> None:
    app = GUARDED.replace("from gatehouse import clearance, gate", "from guards import gate")
    app = app.replace('@clearance("ops")\n', "")
    files = {"app.py": app, "guards.py": PROJECT_DECORATOR}
    assert rules(project(files)) == ["DG202", "DG203", "DG203"]
    declared = models('[models]\nauthentication-decorators = ["guards.gate"]\n')
    assert rules(project(files, models=declared)) == ["DG202"]


# -- validators ------------------------------------------------------------------------------

INPUT = (
    PRELUDE
    + """\
from flask_jwt_extended import get_jwt_identity, jwt_required
from rules_engine import vet


def vet_order(data):
    vet(data)  # raises on a bad order: nothing dynaguard can read


@app.post("/orders")
@jwt_required()
def create_order():
    data = request.get_json()
    VALIDATE
    table.put_item(Item={"owner": get_jwt_identity(), "amount": data["amount"]})
    return {"ok": True}, 201
"""
)


@pytest.mark.parametrize(
    ("validation", "declared", "expected"),
    [
        ("vet_order(data)", "", ["DG301", "DG302"]),
        ("vet_order(data)", 'validators = ["app.vet"]', ["DG301", "DG302"]),
        ("vet_order(data)", 'validators = ["app.vet_order"]', []),
        ("vet(data)", 'validators = ["rules_engine.vet"]', []),
        ("data = vet(data)", 'validators = ["rules_engine.vet"]', []),
        ("data = vet_order(data) or data", 'validators = ["app.vet_order"]', []),
    ],
)
def test_what_a_declared_validator_was_given_or_returned_is_validated(
    project: Project, validation: str, declared: str, expected: list[str]
) -> None:
    source = INPUT.replace("VALIDATE", validation)
    analysis = project({"app.py": source}, models=models(f"[models]\n{declared}\n"))
    assert rules(analysis) == expected


def test_a_validator_vouches_for_values_not_for_a_whole_body(project: Project) -> None:
    source = INPUT.replace("VALIDATE", "vet(data)").replace(
        '{"owner": get_jwt_identity(), "amount": data["amount"]}', "data"
    )
    analysis = project(
        {"app.py": source}, models=models('[models]\nvalidators = ["rules_engine.vet"]\n')
    )
    assert rules(analysis) == ["DG101"]
