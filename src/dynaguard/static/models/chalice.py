"""The AWS Chalice model: apps and blueprints, routes, the current request, and authorizers.

Routes come from ``@app.route(path, methods=[...])`` on a ``Chalice`` app or a ``Blueprint``
(moved under ``app.register_blueprint(bp, url_prefix=...)``); paths keep Chalice's ``{name}``
variables, which Chalice passes to the view as arguments of those names. Request data is
``app.current_request`` (``json_body``, ``raw_body``, ``query_params``, ``uri_params``,
``headers``...). The identity is the API Gateway request context (``context['authorizer']
['claims']``): API Gateway fills it only after an authorizer accepted the caller. A route with an
``authorizer=`` or ``api_key_required=True`` is authenticated; one with neither is public.
"""

from __future__ import annotations

from dataclasses import replace

from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.values import EMPTY, MAYBE_NONE, Kind, Value, ref, source
from dynaguard.static.models import identity
from dynaguard.static.models.flask import (
    attach,
    declared_route,
    keyword_text,
    route_call,
    route_methods,
    router,
)
from dynaguard.static.source import ir

APP, BLUEPRINT, REQUEST = "chalice:app", "chalice:bp", "chalice:request"
_ROUTERS = frozenset({APP, BLUEPRINT})
_CONSTRUCTORS = {
    "ext:chalice.Chalice": APP,
    "ext:chalice.app.Chalice": APP,
    "ext:chalice.Blueprint": BLUEPRINT,
    "ext:chalice.app.Blueprint": BLUEPRINT,
}
_REQUEST_DATA = {
    "json_body": (Kind.BODY, "body"),
    "raw_body": (Kind.VALUE, "body"),
    "query_params": (Kind.BODY, "query"),
    "uri_params": (Kind.BODY, "route"),
    "headers": (Kind.BODY, "header"),
}
_RESPONSES = frozenset({"ext:chalice.Response", "ext:chalice.app.Response"})
_IN_DICT = ("query_params", "headers", "uri_params", "context")
"""What ``current_request.to_dict()`` holds of the request (no body: it is not in the dict)."""


def _note(name: str) -> str:
    return f"current_request.{name}"


PLAIN_MAPPINGS = frozenset({_note("json_body"), _note("query_params")})
"""Flow notes of request mappings that are plain dicts: a missing key is a KeyError (a 500;
Chalice has no BadRequestKeyError, ``facts/handler_facts.py``)."""


JSON_BODY_NOTE = _note("json_body")


def _request_attribute(frame: Frame, name: str, line: int, col: int) -> Value | None:
    found = _REQUEST_DATA.get(name)
    if found is not None:
        kind, origin = found
        value = source(kind, frame.step(line, col, _note(name), origin))
        if name == "json_body":
            # Chalice gives None when the request has no JSON Content-Type: a request without
            # the header passes the route's content-type check (it defaults to JSON there).
            return Value(value.labels, frozenset({MAYBE_NONE}))
        return value
    if name == "context":
        return identity.source(frame, line, col, "current_request.context", Kind.BODY)
    return None


def _route(frame: Frame, target: str, call: ir.Call) -> bool:
    found = route_call(frame, call)
    if found is None or not found[0].refs & _ROUTERS:
        return False
    receiver, rule = found
    declared = declared_route(target, receiver, rule, route_methods(call), False)
    frame.routes.append(replace(declared, authenticated=_authenticates(call)))
    return True


def _authenticates(call: ir.Call) -> bool:
    for name, expr in call.kwargs:
        constant = expr if isinstance(expr, ir.Const) else None
        if name == "authorizer" and constant is None:
            return True  # an authorizer object (``authorizer=None`` is the default: none)
        if name == "api_key_required" and (constant is None or constant.truth is True):
            return True
    return False


class Chalice(Model):
    name = "chalice"
    packages = frozenset({"chalice"})
    ref_kinds = frozenset({"chalice"})
    relevant_names = frozenset({"current_request"})

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name in _RESPONSES:
            return args.first("body")  # what the client gets is the body as it is (DG801)
        made = _CONSTRUCTORS.get(name)
        if made is None:
            return None
        # A blueprint's prefix is the one it is registered under; an app has none.
        return router(frame, ref(made), None, args)

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        if APP in receiver.refs and name == "register_blueprint":
            attach(frame, args.first("blueprint"), receiver, keyword_text(args, "url_prefix"))
            return EMPTY
        if REQUEST in receiver.refs and name == "to_dict":
            site = args.site
            parts = {n: _request_attribute(frame, n, site.line, site.col) for n in _IN_DICT}
            return Value(fields={n: v for n, v in parts.items() if v is not None})
        return None

    def attribute(self, frame: Frame, obj: Value, name: str, line: int, col: int) -> Value | None:
        if obj.refs & _ROUTERS and name == "current_request":
            return ref(REQUEST)
        if REQUEST in obj.refs:
            return _request_attribute(frame, name, line, col)
        return None

    def decorate(self, frame: Frame, target: str, decorator: ir.Expr, is_class: bool) -> bool:
        if not (isinstance(decorator, ir.Call) and isinstance(decorator.func, ir.Attr)):
            return False
        return decorator.func.attr == "route" and _route(frame, target, decorator)


MODEL = Chalice()
