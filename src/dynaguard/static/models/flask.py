"""The Flask model (with Flask-RESTful, Flask-RESTX and Flask-RESTPlus): request sources,
application objects, responses, and routes of every registration style.

Routes come from ``@app.route``/``@bp.get``..., ``add_url_rule(view_func=...)`` (functions and
``MethodView.as_view``), Flask-RESTful ``api.add_resource`` and Flask-RESTX ``@ns.route`` on
``Resource`` classes. A blueprint's or namespace's literal prefix is prepended.
"""

from __future__ import annotations

from types import MappingProxyType

from dynaguard.static.flow.evaluate import evaluate
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.result import Mount, RouteDecl
from dynaguard.static.flow.values import EMPTY, Kind, Step, Value, join_all, ref, source
from dynaguard.static.models import authz, stdlib
from dynaguard.static.source import ir

REQUEST = "ext:flask.request"
REQPARSE = "ext:flask_restful.reqparse.RequestParser"
APP, BLUEPRINT, API, NAMESPACE, PARSER = (
    "flask:app",
    "flask:bp",
    "flask:api",
    "flask:ns",
    "restful:parser",
)
_ROUTERS = frozenset({APP, BLUEPRINT, API, NAMESPACE})
_VERBS = frozenset({"get", "post", "put", "patch", "delete"})
REGISTRATIONS = frozenset({"add_url_rule", "add_resource"})

_MAPPINGS = {
    "json": "body",
    "form": "body",
    "values": "body",
    "args": "query",
    "view_args": "route",
    "files": "body",
    # A header or cookie is whatever the client sends: ``X-User-Id`` names no authenticated
    # identity (a signed session cookie is ``session``, modelled apart).
    "headers": "header",
    "cookies": "cookie",
}
_REQUEST_CALLS = {"get_json": (Kind.BODY, "body"), "get_data": (Kind.VALUE, "body")}
PLAIN_MAPPINGS = frozenset({"request.json", "request.get_json()", "api.payload", "ns.payload"})
"""Flow notes (as ``request_attribute``, ``external_call`` and ``other_attribute`` write them) of
the request mappings parsed from JSON: a missing key is a plain KeyError, a 500; a missing
``request.form`` or ``request.args`` key is werkzeug's BadRequestKeyError, which Flask answers
400."""
_CONSTRUCTORS = {
    "ext:flask.Flask": APP,
    "ext:flask.Blueprint": BLUEPRINT,
    "ext:flask_restful.Api": API,
    "ext:flask_restx.Api": API,
    "ext:flask_restplus.Api": API,
    REQPARSE: PARSER,
}
_NAMESPACES = frozenset({"ext:flask_restx.Namespace", "ext:flask_restplus.Namespace"})


def request_attribute(frame: Frame, ref_name: str, name: str, line: int, col: int) -> Value | None:
    """``request.json`` and friends: whole request mappings; ``request.data``: one raw value."""
    if ref_name != REQUEST:
        return None
    if name in _MAPPINGS:
        return source(Kind.BODY, frame.step(line, col, f"request.{name}", _MAPPINGS[name]))
    if name == "data":
        return source(Kind.VALUE, frame.step(line, col, "request.data", "body"))
    return None


def external_call(frame: Frame, name: str, args: Args) -> Value | None:
    prefix, _, method = name.rpartition(".")
    if prefix == REQUEST and method in _REQUEST_CALLS:
        kind, origin = _REQUEST_CALLS[method]
        return source_at(args, kind, f"request.{method}()", origin)
    if name in _CONSTRUCTORS:
        made = ref(_CONSTRUCTORS[name])
        if name == "ext:flask.Blueprint":
            return router(frame, made, keyword_text(args, "url_prefix"), args)
        if made.refs == {API}:
            return _api(frame, made, args)
        return made
    if name in _NAMESPACES:
        return _namespace(frame, args)
    return None


def source_at(args: Args, kind: Kind, note: str, origin: str) -> Value:
    site = args.site
    return source(kind, Step(site.path, site.line, site.col, site.function, note, origin))


_ID = "flask:id@"
"""Ref prefix of one router (a blueprint, an API, a namespace): where it was made."""


def router(frame: Frame, made: Value, prefix: str | None, args: Args) -> Value:
    """A router value: what it is, its own prefix, and its identity (for its registrations)."""
    site = args.site
    identity = f"{_ID}{site.path}:{site.line}:{site.col}"
    frame.mounts.append(Mount(identity, (prefix or "").rstrip("/")))
    refs = made.refs | {identity} | ({f"prefix:{prefix}"} if prefix else set())
    return Value(refs=frozenset(refs))


def _api(frame: Frame, made: Value, args: Args) -> Value:
    """``Api(app_or_blueprint, prefix=...)``: routes go under the blueprint when given one."""
    api = router(frame, made, keyword_text(args, "prefix"), args)
    attach(frame, api, args.first("app"))
    return api


def attach(frame: Frame, child: Value, parent: Value, prefix: str | None = None) -> None:
    """``child`` hangs under ``parent`` (registered with ``prefix``, or with its own)."""
    router = router_identity(child)
    if router:
        given = prefix.rstrip("/") if prefix is not None else None
        frame.mounts.append(Mount(router, given, router_identity(parent), registered=True))


def keyword_text(args: Args, name: str) -> str | None:
    """A keyword argument's text; a prefix built from configuration (``f"{prefix}/users"``)
    keeps its literal parts and names the rest, so that routes still read right."""
    value = args.keywords.get(name)
    if value is None or value.text is not None:
        return value.text if value is not None else None
    expr = next((e for n, e in args.call.kwargs if n == name), None)
    return template(expr) if expr is not None else None


def template(expr: ir.Expr) -> str | None:
    """``f"{API_PREFIX}/users"`` as ``{API_PREFIX}/users``; None for anything else."""
    if isinstance(expr, ir.Const):
        return expr.text
    if not isinstance(expr, ir.Derive) or not expr.concat:
        return None
    parts = [
        p.text or "" if isinstance(p, ir.Const) else "{" + _spelled(p) + "}" for p in expr.parts
    ]
    return "".join(parts)


def _spelled(expr: ir.Expr) -> str:
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Attr):
        return f"{_spelled(expr.obj)}.{expr.attr}"
    if isinstance(expr, ir.Sub) and isinstance(expr.index, ir.Const) and expr.index.text:
        return f"{_spelled(expr.obj)}[{expr.index.text!r}]"
    return "..."


def router_identity(value: Value) -> str:
    found = sorted(r for r in value.refs if r.startswith(_ID))
    return found[0] if found else ""


def _namespace(frame: Frame, args: Args) -> Value:
    name = args.first("name").text or ""
    path = args.keywords.get("path", EMPTY).text
    return router(frame, ref(NAMESPACE), path if path is not None else f"/{name}", args)


def other_method(
    frame: Frame, ref_name: str, receiver: Value, name: str, args: Args
) -> Value | None:
    if ref_name == PARSER and name == "parse_args":
        return source_at(args, Kind.FIELDS, "parser.parse_args()", "declared")
    if ref_name == API and name == "namespace":
        namespace = _namespace(frame, args)
        attach(frame, namespace, receiver)
        return namespace
    if ref_name == API and name == "add_namespace":
        attach(frame, args.first("ns"), receiver, args.keywords.get("path", EMPTY).text)
        return EMPTY
    if ref_name == API and name == "init_app":
        attach(frame, receiver, args.first("app"))
        return EMPTY

    if ref_name in (APP, BLUEPRINT) and name in ("before_request", "before_app_request"):
        authz.note_hook_call(frame, receiver.refs, args.first(), args.site)
        return EMPTY
    return None


EXTENSIONS = "flask:extensions"
"""``app.extensions`` / ``current_app.extensions``: where Flask extensions keep their state."""


def other_attribute(frame: Frame, ref_name: str, name: str, line: int, col: int) -> Value | None:
    if ref_name == APP and name == "extensions":
        return ref(EXTENSIONS)
    if ref_name in (API, NAMESPACE) and name == "payload":
        return source(
            Kind.BODY,
            frame.step(line, col, f"{'api' if ref_name == API else 'ns'}.payload", "body"),
        )
    return None


def own_prefix(value: Value) -> str:
    found = sorted(r[7:] for r in value.refs if r.startswith("prefix:"))
    return found[0].rstrip("/") if found else ""


def route_methods(call: ir.Call) -> tuple[str, ...] | None:
    for name, expr in call.kwargs:
        if name == "methods" and isinstance(expr, ir.Seq):
            return tuple(e.text.upper() for e in expr.elts if isinstance(e, ir.Const) and e.text)
    return None


def route_call(frame: Frame, call: ir.Call) -> tuple[Value, str] | None:
    """``x.route('/rule', ...)``, ``x.get('/rule')``: the router and the rule, when the rule is
    text (the decorator form every framework here shares; each checks the router is its own)."""
    if not isinstance(call.func, ir.Attr) or not call.args:
        return None
    receiver = evaluate(frame, call.func.obj)
    rule = evaluate(frame, call.args[0]).text
    return None if rule is None else (receiver, rule)


def _route(frame: Frame, target: str, call: ir.Expr, is_class: bool) -> bool:
    assert isinstance(call, ir.Call) and isinstance(call.func, ir.Attr)
    func = call.func
    if func.attr != "route" and func.attr not in _VERBS:
        return False
    found = route_call(frame, call)
    if found is None:
        return False
    receiver, rule = found
    if not (receiver.refs & _ROUTERS or (func.attr == "route" and rule.startswith("/"))):
        return False
    methods = (func.attr.upper(),) if func.attr in _VERBS else route_methods(call)
    frame.routes.append(declared_route(target, receiver, rule, methods, is_class))
    return True


def declared_route(
    target: str, receiver: Value, rule: str, methods: tuple[str, ...] | None, is_class: bool
) -> RouteDecl:
    own = own_prefix(receiver)
    return RouteDecl(target, own + rule, methods, is_class, router_identity(receiver), own)


def register(frame: Frame, call: ir.Call, receiver: Value, name: str, args: Args) -> None:
    """``add_url_rule(rule, view_func=...)`` and ``api.add_resource(Resource, *urls)``."""
    if name == "add_url_rule":
        rule = args.first("rule").text
        view = args.keywords.get("view_func") or (
            args.positional[2] if len(args.positional) > 2 else EMPTY
        )
        if rule is None:
            return
        for target in sorted(view.refs):
            kind, _, ident = target.partition(":")
            if kind in ("fn", "view"):
                decl = declared_route(ident, receiver, rule, route_methods(call), kind == "view")
                frame.routes.append(decl)
        return
    resource = args.first("resource")
    urls = [u.text for u in args.positional[1:] if u.text is not None]
    for target in sorted(resource.refs):
        if target.startswith("cls:"):
            for url in urls:
                frame.routes.append(declared_route(target[4:], receiver, url, None, True))


_PROXIES = frozenset({"ext:werkzeug.local.LocalProxy", "ext:werkzeug.LocalProxy"})
_RESPONSES = frozenset({"ext:flask.jsonify", "ext:flask.json.jsonify", "ext:flask.make_response"})
_VIEWS = {
    "ext:flask.views.MethodView": "view",
    "ext:flask.views.View": "view",
    "ext:flask_restful.Resource": "resource",
    "ext:flask_restx.Resource": "resource",
    "ext:flask_restplus.Resource": "resource",
}


def _response(args: Args) -> Value:
    """``jsonify(item)``, ``jsonify(users=items)``: the response holds the values as they are
    (a whole item stays whole, for DG801); nothing is a sink after it."""
    keywords = Value(None, frozenset(), dict(args.keywords)) if args.keywords else EMPTY
    return join_all([args.positional[0] if args.positional else EMPTY, keywords])


class Flask(Model):
    name = "flask"
    packages = frozenset({"flask", "flask_restful", "flask_restx", "flask_restplus", "werkzeug"})
    ref_kinds = frozenset({"flask", "restful"})
    class_kinds = MappingProxyType(_VIEWS)
    method_names = REGISTRATIONS | {"as_view", "register_blueprint"}
    relevant_names = REGISTRATIONS | {"route"}
    aliases = MappingProxyType(
        {
            "ext:flask.globals.request": REQUEST,
            "ext:flask_restx.reqparse.RequestParser": REQPARSE,
            "ext:flask_restplus.reqparse.RequestParser": REQPARSE,
        }
    )

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name in _PROXIES:  # LocalProxy(lambda: x) stands for x
            return args.first()
        if name in stdlib.PARSERS:
            return stdlib.parse(frame, name, args)
        if name in _RESPONSES:
            return _response(args)
        return external_call(frame, name, args)

    def ext_attribute(
        self, frame: Frame, ref_name: str, name: str, line: int, col: int
    ) -> Value | None:
        if ref_name == "ext:flask.current_app" and name == "extensions":
            return ref(EXTENSIONS)
        return request_attribute(frame, ref_name, name, line, col)

    def named_method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        if name == "as_view":
            views = [ref(f"view:{r[4:]}") for r in sorted(receiver.refs) if r.startswith("cls:")]
            return join_all(views) if views else None
        if name == "register_blueprint":  # on the app or a blueprint, however they were made
            attach(frame, args.first("blueprint"), receiver, keyword_text(args, "url_prefix"))
            return EMPTY
        register(frame, args.call, receiver, name, args)
        return EMPTY

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        found = [
            v
            for r in sorted(receiver.refs)
            if (v := other_method(frame, r, receiver, name, args)) is not None
        ]
        return join_all(found) if found else None

    def attribute(self, frame: Frame, obj: Value, name: str, line: int, col: int) -> Value | None:
        found = [
            v
            for r in sorted(obj.refs)
            if (v := other_attribute(frame, r, name, line, col)) is not None
        ]
        return join_all(found) if found else None

    def decorate(self, frame: Frame, target: str, decorator: ir.Expr, is_class: bool) -> bool:
        is_method = isinstance(decorator, ir.Call) and isinstance(decorator.func, ir.Attr)
        return is_method and _route(frame, target, decorator, is_class)


MODEL = Flask()
