"""The app factory shared by both twins: same tables, same auth, same spec, different handlers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from dynaguard.demo import auth, db, spec
from dynaguard.demo.db import EXTENSION, DemoState, TableNames, tables
from dynaguard.lab import create_tables

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource

TwinKind = Literal["vulnerable", "secure"]
KINDS: tuple[TwinKind, ...] = ("vulnerable", "secure")


class DemoJSONProvider(DefaultJSONProvider):
    """Numbers read from DynamoDB are Decimals; send them as JSON numbers, not strings."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        if isinstance(o, set | frozenset):
            return sorted(o)
        return DefaultJSONProvider.default(o)


def source_paths(kind: TwinKind) -> tuple[Path, ...]:
    """The files a twin's app is made of: its handlers and the shared auth, tables and spec
    route (what ``dynaguard scan --source`` reads to derive the spec from the code)."""
    here = Path(__file__).resolve().parent
    return (here / kind, here / "auth.py", here / "db.py", here / "spec.py")


def default_prefix(kind: TwinKind) -> str:
    return f"dg_{kind}_"


def create_app(
    kind: TwinKind,
    *,
    dynamodb: DynamoDBServiceResource | None = None,
    client: DynamoDBClient | None = None,
    table_prefix: str | None = None,
    jwt_secret: str | None = None,
) -> Flask:
    """Build a twin. Its tables are created if missing and the demo users seeded.

    ``dynamodb`` defaults to ``boto3.resource("dynamodb")`` (which honours
    ``AWS_ENDPOINT_URL_DYNAMODB``), ``client`` to that resource's client, ``table_prefix`` to
    ``dg_<kind>_`` and ``jwt_secret`` to the process-wide random secret.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    prefix = default_prefix(kind) if table_prefix is None else table_prefix
    app = Flask(f"dynaguard.demo.{kind}", static_folder=None)
    app.json = DemoJSONProvider(app)
    app.config[auth.SECRET_KEY] = jwt_secret or auth.PROCESS_SECRET
    app.extensions[EXTENSION] = DemoState(TableNames.for_prefix(prefix), dynamodb, client)
    with app.app_context():
        create_tables(db.client(), tables(prefix))
        auth.seed_demo_users(db.table("users"))
    app.register_blueprint(auth.bp)
    app.register_blueprint(spec.bp)
    _register_twin(app, kind)
    return app


def _register_twin(app: Flask, kind: TwinKind) -> None:
    # Imported here so that the vulnerable twin runs even where dynaguard.secure cannot be imported.
    if kind == "vulnerable":
        from dynaguard.demo.vulnerable import register
    else:
        from dynaguard.demo.secure import register
    register(app)
