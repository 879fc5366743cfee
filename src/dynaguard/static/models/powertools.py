"""AWS Lambda Powertools event handler: resolvers and routers, routes, the current event.

``app = APIGatewayRestResolver()`` (or the HTTP API, ALB, function URL and VPC Lattice
resolvers) and ``router = Router()`` with ``app.include_router(router, prefix=...)``; routes are
``@app.get("/todos/<todo_id>")`` (and the other verbs) or ``@app.route("/x", method=[...])``, with
Flask-style variables passed as the view's arguments. ``app.current_event`` is the request:
``json_body``, ``body``, ``query_string_parameters``, ``path_parameters``, ``headers`` and
their ``get_*_value`` readers; ``request_context.authorizer`` is what API Gateway verified.

Every route of a resolver runs in one Lambda function whose authorizer, if any, the deployment
sets for the whole function: dynaguard claims nothing about a route's authentication here.
"""

from __future__ import annotations

from dataclasses import replace

from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.values import EMPTY, Kind, Value, ref, source
from dynaguard.static.models import identity
from dynaguard.static.models.flask import (
    attach,
    declared_route,
    keyword_text,
    route_call,
    router,
)
from dynaguard.static.source import ir

RESOLVER, EVENT, CONTEXT = "powertools:resolver", "powertools:event", "powertools:context"
_PACKAGE = "ext:aws_lambda_powertools.event_handler"
_RESOLVERS = frozenset(
    f"{_PACKAGE}.{name}"
    for name in ("APIGatewayRestResolver", "APIGatewayHttpResolver", "ApiGatewayResolver",
                 "ALBResolver", "LambdaFunctionUrlResolver", "VPCLatticeResolver",
                 "VPCLatticeV2Resolver", "Router", "api_gateway.Router",
                 "api_gateway.APIGatewayRestResolver", "api_gateway.ApiGatewayResolver",
                 "router.APIGatewayRouter", "router.Router")
)  # fmt: skip
_VERBS = frozenset({"get", "post", "put", "patch", "delete"})
_ATTRIBUTES = {
    "json_body": (Kind.BODY, "body"),
    "body": (Kind.VALUE, "body"),
    "decoded_body": (Kind.VALUE, "body"),
    "query_string_parameters": (Kind.BODY, "query"),
    "multi_value_query_string_parameters": (Kind.BODY, "query"),
    "path_parameters": (Kind.BODY, "route"),
    "headers": (Kind.BODY, "header"),
    "cookies": (Kind.BODY, "cookie"),
}
_READERS = {
    "get_query_string_value": "query",
    "get_multi_value_query_string_values": "query",
    "get_header_value": "header",
}


def _note(name: str) -> str:
    return f"current_event.{name}"


PLAIN_MAPPINGS = frozenset({_note("json_body"), _note("query_string_parameters")})
"""Flow notes of request mappings that are plain dicts: a missing key is a KeyError (a 500)."""


def _route(frame: Frame, target: str, call: ir.Call) -> bool:
    assert isinstance(call.func, ir.Attr)
    found = route_call(frame, call)
    if found is None or RESOLVER not in found[0].refs:
        return False
    receiver, rule = found
    verb = call.func.attr
    methods = (verb.upper(),) if verb in _VERBS else _methods(call)
    declared = declared_route(target, receiver, rule, methods, False)
    frame.routes.append(replace(declared, unseen_auth=True))
    return True


def _methods(call: ir.Call) -> tuple[str, ...] | None:
    for name, expr in call.kwargs:
        if name == "method":
            values = expr.elts if isinstance(expr, ir.Seq) else (expr,)
            return tuple(v.text.upper() for v in values if isinstance(v, ir.Const) and v.text)
    return None


class Powertools(Model):
    name = "powertools"
    packages = frozenset({"aws_lambda_powertools"})
    ref_kinds = frozenset({"powertools"})
    relevant_names = frozenset({"current_event"})

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name in _RESOLVERS:
            return router(frame, ref(RESOLVER), None, args)
        return None

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        if RESOLVER in receiver.refs and name == "include_router":
            attach(frame, args.first("router"), receiver, keyword_text(args, "prefix"))
            return EMPTY
        if EVENT in receiver.refs and name in _READERS:
            site = args.site
            step = frame.step(site.line, site.col, f"{_note(name)}()", _READERS[name])
            return source(Kind.VALUE, step)
        return None

    def attribute(self, frame: Frame, obj: Value, name: str, line: int, col: int) -> Value | None:
        if RESOLVER in obj.refs and name == "current_event":
            return ref(EVENT)
        if EVENT in obj.refs:
            if name == "request_context":
                return ref(CONTEXT)
            found = _ATTRIBUTES.get(name)
            if found is not None:
                kind, origin = found
                return source(kind, frame.step(line, col, _note(name), origin))
        if CONTEXT in obj.refs and name == "authorizer":
            return identity.source(frame, line, col, "request_context.authorizer", Kind.BODY)
        return None

    def decorate(self, frame: Frame, target: str, decorator: ir.Expr, is_class: bool) -> bool:
        if not (isinstance(decorator, ir.Call) and isinstance(decorator.func, ir.Attr)):
            return False
        attr = decorator.func.attr
        return (attr == "route" or attr in _VERBS) and _route(frame, target, decorator)


MODEL = Powertools()
