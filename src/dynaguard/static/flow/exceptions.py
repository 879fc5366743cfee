"""Which exceptions a ``try`` statement handles, and which crash a request handler (DG302).

Types are compared by the last part of their dotted name (``botocore.exceptions.ClientError`` and
``ClientError`` are one); a handler whose body re-raises unconditionally (``except X: log; raise``)
handles nothing, and neither does one that turns the error into a server error (``raise
ChaliceViewError(e)``, ``abort(500)``): the client still gets a 5xx. ``*`` stands for a bare
``except:``.
"""

from __future__ import annotations

from dynaguard.static.source import ir

BARE = "*"

BROAD = frozenset({"Exception", "BaseException", BARE})
"""Handlers that catch anything a request handler can raise."""

KEY_ERRORS = frozenset({"KeyError", "LookupError", *BROAD})
"""What catches a missing key (``body['x']``, ``body.pop('x')``)."""
VALUE_ERRORS = frozenset({"ValueError", *BROAD})
"""What catches ``int('x')`` / ``float('x')`` (the TypeError of ``int(None)`` is rarer)."""
DECIMAL_ERRORS = frozenset({"InvalidOperation", "DecimalException", "ArithmeticError", *BROAD})
"""``Decimal('x')`` raises ``decimal.InvalidOperation``, which is NOT a ValueError."""
ATTRIBUTE_ERRORS = frozenset({"AttributeError", *BROAD})
"""What catches a method called on ``None`` (a mapping the request did not have)."""
TYPE_ERRORS = frozenset({"TypeError", *BROAD})
"""What catches ``f(**None)``."""
JSON_ERRORS = frozenset({"JSONDecodeError", *VALUE_ERRORS})
DATE_ERRORS = frozenset({"TypeError", "ParserError", *VALUE_ERRORS})
"""What catches a date parser's failure (``None`` is a TypeError, dateutil's a ParserError)."""


def type_names(expr: ir.Expr | None) -> frozenset[str]:
    """Names of the types an ``except`` clause lists (``(A, b.B)`` -> ``{A, B}``)."""
    if expr is None:
        return frozenset({BARE})
    if isinstance(expr, ir.Seq):
        return frozenset(n for e in expr.elts for n in type_names(e))
    if isinstance(expr, ir.Name):
        return frozenset({expr.id})
    if isinstance(expr, ir.Attr):
        return frozenset({expr.attr})
    return frozenset()


SERVER_ERRORS = frozenset(
    {"ChaliceViewError", "InternalServerError", "ServiceUnavailable", "Exception", "RuntimeError"}
)
"""Exceptions that every framework answers 5xx: Chalice's ``ChaliceViewError`` is its 500 (its
4xx errors are subclasses with their own names), werkzeug's ``InternalServerError`` is Flask's,
and a plain ``Exception`` reaches the 500 handler (or fails the Lambda invocation)."""


def handled(stmt: ir.Try) -> frozenset[str]:
    """The exception types the handlers of ``stmt`` handle (not just log and re-raise, or turn
    into a server error)."""
    out: set[str] = set()
    for index, (name, body) in enumerate(stmt.handlers):
        if index >= len(stmt.catches) or reraises(body, name) or escalates(body):
            continue
        out |= type_names(stmt.catches[index][0])
    return frozenset(out)


def reraises(body: tuple[ir.Stmt, ...], name: str | None) -> bool:
    """The handler body re-raises at its top level (``raise`` or ``raise exc``)."""
    for stmt in body:
        if isinstance(stmt, ir.Eval) and isinstance(stmt.value, ir.Pure):
            parts = stmt.value.parts
            if not parts:
                return True  # NOTE: a bare ``raise`` lowers to an empty Pure (lower.py)
            if len(parts) == 1 and isinstance(parts[0], ir.Name) and parts[0].id == name:
                return True
    return False


def escalates(body: tuple[ir.Stmt, ...]) -> bool:
    """The handler body answers with a server error at its top level: it raises one of
    :data:`SERVER_ERRORS` or calls ``abort`` with a 5xx status."""
    for stmt in body:
        if not isinstance(stmt, ir.Eval):
            continue
        value = stmt.value
        if isinstance(value, ir.Pure) and value.parts:
            raised = value.parts[0]  # NOTE: ``raise X(...) from e`` lowers to Pure((X(...), e))
            called = raised.func if isinstance(raised, ir.Call) else raised
            if _last_name(called) in SERVER_ERRORS:
                return True
        elif isinstance(value, ir.Call) and _last_name(value.func) == "abort" and value.args:
            status = value.args[0]
            if isinstance(status, ir.Const) and (status.number or 0) >= 500:
                return True
    return False


def _last_name(expr: ir.Expr) -> str | None:
    if isinstance(expr, ir.Name):
        return expr.id
    return expr.attr if isinstance(expr, ir.Attr) else None
