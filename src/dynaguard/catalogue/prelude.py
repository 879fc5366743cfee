"""The imports and globals every rule doc example assumes, so examples stay short.

A rule's ``doc.example`` and ``doc.fix`` are complete modules once this prelude is put in front;
the catalogue test analyses both (the example must raise the rule, the fix must not), so the docs
cannot drift from the analyser.
"""

PRELUDE = """\
import functools
import json

import boto3
from boto3.dynamodb.conditions import Attr, Key
from flask import Flask, abort, g, jsonify, request

app = Flask(__name__)
dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table("users")
client = boto3.client("dynamodb")


def current_user_id() -> str:
    return g.user_id


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not g.get("user_id"):
            abort(401)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("role") != "admin":
            abort(403)
        return view(*args, **kwargs)

    return wrapper

"""


def with_prelude(code: str) -> str:
    """The example as a whole module."""
    return PRELUDE + "\n" + code
