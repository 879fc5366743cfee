"""Two analyses in one process (``--new-since`` analyses the ref's tree, then the working tree)
give each tree the findings it gives alone, although read sites are interned process-wide."""

from __future__ import annotations

from pathlib import Path

from dynaguard.catalogue import CATALOGUE
from dynaguard.static import analyse

HEAD = """import boto3
from flask import Flask, jsonify
from flask_login import current_user, login_required

app = Flask(__name__)
members = boto3.resource("dynamodb").Table("members")


@app.post("/members")
@login_required
def join():
    members.put_item(
        Item={"member_id": current_user.id, "password_hash": current_user.password_digest},
        ConditionExpression="attribute_not_exists(member_id)",
    )
    return {"ok": True}, 201


@app.get("/members/me")
@login_required
def {name}():
    return jsonify(members.get_item(Key={{"member_id": current_user.id}})["Item"])
"""


def _tree(root: Path, name: str) -> Path:
    root.mkdir()
    (root / "app.py").write_text(HEAD.replace("{name}", name).replace("{{", "{").replace("}}", "}"))
    return root


def _found(root: Path) -> list[tuple[str, str]]:
    analysis = analyse([root], root=root, rules=list(CATALOGUE))
    return sorted((f.rule.id, f.location.function) for f in analysis.findings if f.location)


def test_a_read_at_the_same_place_in_another_function_is_still_read(tmp_path: Path) -> None:
    before = _tree(tmp_path / "ref", "profile")
    after = _tree(tmp_path / "work", "me")
    assert ("DG801", "profile") in _found(before)
    # The second tree's get_item sits at the same path, line and column, in another function.
    assert ("DG801", "me") in _found(after)
