"""Dispatch on the request's path or method inside one entry point that serves several routes.

A single Lambda function behind API Gateway often serves many routes and picks the code to run
itself (``if event["rawPath"] == "/orders": ...``, ``if method == "DELETE": ...``). When the
deployment descriptor names the routes, the analysis runs such a handler knowing which routes
can reach each point: a branch no route can take is not run, each DynamoDB call remembers the
routes that reach it (``ROUTES`` among its arguments), and a finding there names one of them.

The routes travel as refs on the values the model marks (``SERVES``): the event and what is
read from it. Marked values carry what they are (``PATH``, ``METHOD``, ``ROUTE_KEY``,
``RESOURCE``), and a test made only of text comparisons (``ir.Decision``) is decided for each
route: true, false, or unknown (a path variable may hold anything).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from dynaguard.model import Endpoint
from dynaguard.static.flow.values import Value
from dynaguard.static.source import ir

SERVES = "route:serves="
"""A ref ``route:serves=PUT /items/{id}``: a route that may be the one being served."""
PATH, METHOD, ROUTE_KEY, RESOURCE = "route:path", "route:method", "route:key", "route:resource"
"""What a marked value is: the request path, its method, ``"PUT /items/{id}"``, or the route's
path template (``/items/{id}``)."""
ROUTES = "@routes"
"""The event argument holding the routes that reach a DynamoDB call (refs ``SERVES...``)."""
_WHAT = (PATH, METHOD, ROUTE_KEY, RESOURCE)

_Evaluate = Callable[[ir.Expr], "str | None"]
"""What a test's subject is: one of ``_WHAT`` or None (the frame evaluates it)."""


def serving(endpoints: Iterable[Endpoint]) -> frozenset[str]:
    return frozenset(f"{SERVES}{e.method} {e.path}" for e in endpoints)


def served(refs: Iterable[str]) -> frozenset[str]:
    """The ``SERVES`` refs among ``refs``."""
    return frozenset(r for r in refs if r.startswith(SERVES))


def endpoints(value: Value | None) -> list[Endpoint]:
    """The routes a ``ROUTES`` argument names, sorted."""
    if value is None:
        return []
    out = []
    for r in sorted(served(value.refs)):
        method, _, path = r[len(SERVES) :].partition(" ")
        out.append(Endpoint(method, path))
    return out


def narrowed(value: Value, serves: frozenset[str]) -> Value:
    """The value with only the routes still possible here (a call inside a dispatch branch)."""
    own = served(value.refs)
    if not own or own <= serves:
        return value
    keep = own & serves
    return Value(value.labels, (value.refs - own) | keep, value.fields, value.text)


def split(
    decision: ir.Decision, serves: frozenset[str], evaluate: _Evaluate
) -> tuple[frozenset[str], frozenset[str]]:
    """The routes under which the test may be true, and those under which it may be false."""
    known: dict[int, str | None] = {}

    def what(expr: ir.Expr) -> str | None:  # each subject evaluated once, not once per route
        key = id(expr)
        if key not in known:
            known[key] = evaluate(expr)
        return known[key]

    yes, no = set(), set()
    for route in serves:
        method, _, path = route[len(SERVES) :].partition(" ")
        found = _decide(decision, method, path, what)
        if found is not False:
            yes.add(route)
        if found is not True:
            no.add(route)
    return frozenset(yes), frozenset(no)


def _decide(d: ir.Decision, method: str, path: str, evaluate: _Evaluate) -> bool | None:
    if isinstance(d, ir.Junction):
        found = [_decide(p, method, path, evaluate) for p in d.parts]
        if d.op == "not":
            return None if found[0] is None else not found[0]
        if d.op == "and":
            return False if False in found else (True if all(found) else None)
        return True if True in found else (False if all(f is False for f in found) else None)
    what = evaluate(d.subject)
    if what is None:
        return None
    if what == METHOD:
        if method == "ANY":
            return None
        return _compare(d, method, exact=True)
    if what == ROUTE_KEY:
        return _compare(d, f"{method} {path}", exact=True) if method != "ANY" else None
    if what == RESOURCE:
        return _compare(d, path, exact=True)
    return _compare(d, path, exact="{" not in path)


def _compare(d: ir.TextTest, actual: str, *, exact: bool) -> bool | None:
    """``actual`` is the value itself (``exact``) or a path template whose variables may hold
    any segment (``/items/{id}``)."""
    texts = [t.lower() for t in d.texts] if d.fold else list(d.texts)
    if d.fold:
        actual = actual.lower()
    if d.op in ("in", "not in"):
        found = [_equal(actual, t, exact) for t in texts]
        hit = True if True in found else (False if all(f is False for f in found) else None)
        return hit if d.op == "in" or hit is None else not hit
    results = [_text_op(d.op, actual, t, exact) for t in texts]
    return True if True in results else (False if all(r is False for r in results) else None)


def _equal(actual: str, text: str, exact: bool) -> bool | None:
    if exact:
        return actual == text
    return None if _pattern(actual).fullmatch(text) else False


def _text_op(op: str, actual: str, text: str, exact: bool) -> bool | None:
    if exact:
        if op == "startswith":
            return actual.startswith(text)
        if op == "endswith":
            return actual.endswith(text)
        return text in actual
    fixed = actual.partition("{")[0]  # the literal start of the template
    if op == "startswith":
        if fixed.startswith(text):
            return True
        return None if text.startswith(fixed) else False
    if op == "contains" and text in fixed:
        return True
    return None


@lru_cache(maxsize=256)
def _pattern(template: str) -> re.Pattern[str]:
    """``/items/{id}`` as a regular expression: ``{id}`` one segment, ``{proxy+}`` the rest."""
    parts = re.split(r"(\{[^}]*\})", template)
    out = []
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            out.append(".+" if part.endswith("+}") else "[^/]+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


def marker(value: Value) -> str | None:
    """What a value is, when the model marked it (``PATH`` ...); None if unmarked or mixed."""
    found = {r for r in value.refs if r in _WHAT}
    return found.pop() if len(found) == 1 else None
