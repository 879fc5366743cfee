"""Standard-library (and look-alike) functions request data passes through: JSON parsers,
``Decimal``, copies, and generators of unique values (``uuid4()``, ``secrets.token_hex()``)."""

from __future__ import annotations

import posixpath

from dynaguard.static.flow import accesses, inputs
from dynaguard.static.flow.exceptions import DATE_ERRORS, DECIMAL_ERRORS, JSON_ERRORS
from dynaguard.static.flow.frame import ANY_PACKAGE, Args, Frame, Model
from dynaguard.static.flow.values import PARSE, SCALAR, STR, Value, apply

PARSERS = frozenset(
    {"ext:json.loads", "ext:json.load", "ext:flask.json.loads", "ext:simplejson.loads",
     "ext:orjson.loads", "ext:ujson.loads"}
)  # fmt: skip
"""Calls that turn a client string into a client mapping (``flask.json.loads`` is Flask's)."""
_COPIES = frozenset(
    {"ext:copy.copy", "ext:copy.deepcopy", "ext:dataclasses.asdict", "ext:collections.OrderedDict"}
)
_FRESH = frozenset(
    {"ext:uuid.uuid1", "ext:uuid.uuid4", "ext:uuid.uuid7", "ext:secrets.token_hex",
     "ext:secrets.token_urlsafe", "ext:ulid.new", "ext:ulid.ULID", "ext:ulid.ulid",
     "ext:shortuuid.uuid", "ext:nanoid.generate", "ext:bson.ObjectId", "ext:bson.objectid.ObjectId"}
)  # fmt: skip


_DATES = frozenset(
    {"ext:datetime.datetime.strptime", "ext:datetime.datetime.fromisoformat",
     "ext:datetime.date.fromisoformat", "ext:datetime.time.fromisoformat",
     "ext:dateutil.parser.parse", "ext:dateutil.parser.isoparse"}
)  # fmt: skip
"""Date parsers: a malformed (or missing: ``None``) client string raises ValueError/TypeError."""
_FILE_FACTS = frozenset(
    {"ext:os.stat", "ext:os.lstat", "ext:os.path.getsize", "ext:os.path.getmtime",
     "ext:os.path.getctime"}
)  # fmt: skip
"""What the file system says about a file (its size, its times): not what the client sent."""
_RAISING = frozenset({"ext:json.loads", "ext:flask.json.loads", "ext:simplejson.loads"})
"""Parsers whose error on malformed text we judge (a ValueError, ``JSONDecodeError``)."""


def parse(frame: Frame, name: str, args: Args) -> Value:
    """``json.loads(x)``: a client string becomes a client mapping, and a ValueError (DG302)."""
    errors = JSON_ERRORS if name in _RAISING else None
    return inputs.convert(frame, name, args, apply(args.first(), PARSE), errors, parsed=True)


class Stdlib(Model):
    name = "stdlib"
    packages = frozenset(
        {"json", "simplejson", "orjson", "ujson", "decimal", "copy", "dataclasses", "collections",
         "uuid", "secrets", "ulid", "shortuuid", "nanoid", "bson", "datetime", "dateutil", "os"}
    )  # fmt: skip

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name in PARSERS:
            return parse(frame, name, args)
        if name == "ext:decimal.Decimal":
            return inputs.convert(frame, name, args, apply(args.all(), SCALAR), DECIMAL_ERRORS)
        if name in _DATES:
            date = apply(args.first(), SCALAR)
            return inputs.convert(frame, name, args, date, DATE_ERRORS, complete=True)
        if name in _FILE_FACTS:
            return Value()
        if name in _COPIES:
            return args.first()
        if name in _FRESH:
            return accesses.fresh(args.site, f"{name[4:]}()")
        if name in _ENV_READS:
            return _env(frame, args.first("key"))
        return None

    def subscript(
        self, frame: Frame, container: Value, key: Value, at: tuple[int, int]
    ) -> Value | None:
        return _env(frame, key) if ENVIRON in container.refs else None


ENVIRON = "ext:os.environ"
_ENV_READS = frozenset({"ext:os.getenv", "ext:os.environ.get"})


def _env(frame: Frame, name: Value) -> Value | None:
    """``os.environ['USERS_TABLE']``: the deployment's value, named by its variable, so that
    every read of one variable names the same table. Qualified by the module's folder: separate
    Lambda functions (a folder each) have environments of their own."""
    if not name.text:
        return None
    folder = posixpath.dirname(frame.module.path)
    return Value(text=f"${name.text}" + (f" ({folder}/)" if folder else ""))


class Serialisers(Model):
    """Asked last: any ``*.dumps`` / ``*.jsonify`` no other model knows writes its argument out
    as text (the client's values stay client values)."""

    name = "serialisers"
    packages = frozenset({ANY_PACKAGE})

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if not name.endswith((".dumps", ".jsonify")):
            return None
        text = apply(args.all(), STR)
        # The text still spells every field of a mapping: what a response built from it shows
        # (DG801).
        fields = args.first().fields if args.positional else {}
        return Value(text.labels, frozenset(), dict(fields)) if fields else text


MODEL = Stdlib()
SERIALISERS = Serialisers()
