"""The Flask-Dynamo model: ``Dynamo(app)`` (or ``init_app``) keeps boto3 tables by name in
``dynamo.tables``, also reachable as ``app.extensions['dynamo']``.

``dynamo.tables['users']`` is the boto3 Table ``users``: the boto3 model explains its methods.
A table chosen by request data (``dynamo.tables[request.args['t']]``) is a name event (DG702).
"""

from __future__ import annotations

from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.values import Value, ref
from dynaguard.static.models.boto3 import RESOURCE, TABLE, TABLE_ID
from dynaguard.static.models.flask import EXTENSIONS

EXTENSION = "dynamo:extension"
TABLES = "dynamo:tables"
_CONSTRUCTORS = frozenset({"ext:flask_dynamo.Dynamo", "ext:flask_dynamo.manager.Dynamo"})


class FlaskDynamo(Model):
    name = "flask_dynamo"
    packages = frozenset({"flask_dynamo"})
    ref_kinds = frozenset({"dynamo"})

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        return ref(EXTENSION) if name in _CONSTRUCTORS else None

    def attribute(self, frame: Frame, obj: Value, name: str, line: int, col: int) -> Value | None:
        if EXTENSION not in obj.refs:
            return None
        if name == "tables":
            return ref(TABLES)
        return ref(RESOURCE) if name in ("connection", "resource") else None

    def subscript(
        self, frame: Frame, container: Value, key: Value, at: tuple[int, int]
    ) -> Value | None:
        if EXTENSIONS in container.refs and key.text == "dynamo":
            return ref(EXTENSION)
        if TABLES not in container.refs:
            return None
        site = frame.step(*at, "")
        frame.emit(Event(Op.NAME, "dynamo.tables[...]", site, {"TableName": key}))
        identity = key.text or f"@{site.path}:{site.line}"
        return ref(TABLE, TABLE_ID + identity)


MODEL = FlaskDynamo()
