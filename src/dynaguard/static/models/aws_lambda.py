"""AWS Lambda handlers behind API Gateway (proxy integration, REST and HTTP APIs).

A handler is ``def handler(event, context)``. Entry points come from the project's deployment
descriptors (``source/deployment.py``: a Serverless or SAM function with HTTP events names its
endpoints, and an authorizer or API key on an event authenticates it), and otherwise from the
handler's shape: a module-level function whose parameters are ``(event, context)`` and that reads
API Gateway's fields; such a handler's findings name no endpoint.

The event: ``body`` is one client string (``json.loads`` makes it a client mapping),
``pathParameters`` / ``queryStringParameters`` / ``headers`` (and their multi-value forms) are
client mappings, and ``requestContext['authorizer']`` is the identity API Gateway verified.
API Gateway passes ``pathParameters`` and ``queryStringParameters`` as ``None``, not ``{}``, when
the request has none: ``.get`` on them raises AttributeError unless ``or {}`` replaced them.
"""

from __future__ import annotations

from collections.abc import Sequence

from dynaguard.model import Endpoint
from dynaguard.static.flow import dispatch
from dynaguard.static.flow.analyzer import Analyzer, base_id
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.result import RouteDecl
from dynaguard.static.flow.values import EMPTY, MAYBE_NONE, Kind, Value, source
from dynaguard.static.models import identity
from dynaguard.static.source import ir
from dynaguard.static.source.deployment import Handler

EVENT, REQUEST_CONTEXT, HTTP = "lambda:event", "lambda:request_context", "lambda:http"
_FIELDS = {
    "body": (Kind.VALUE, "body"),
    "pathParameters": (Kind.BODY, "route"),
    "queryStringParameters": (Kind.BODY, "query"),
    "multiValueQueryStringParameters": (Kind.BODY, "query"),
    "headers": (Kind.BODY, "header"),
    "multiValueHeaders": (Kind.BODY, "header"),
    "rawQueryString": (Kind.VALUE, "query"),
    "rawPath": (Kind.VALUE, "route"),
    "path": (Kind.VALUE, "route"),
    "cookies": (Kind.BODY, "cookie"),
}
_MAYBE_NONE = frozenset(
    {"pathParameters", "queryStringParameters", "multiValueQueryStringParameters"}
)
"""Fields API Gateway sets to ``None`` when the request has none (a route without variables)."""
_API_GATEWAY = frozenset({"body", "pathParameters", "queryStringParameters", "requestContext",
                          "httpMethod", "routeKey", "rawPath"})  # fmt: skip
"""Event fields that make a ``(event, context)`` function an API Gateway handler."""
_EVENT_PARAMS = frozenset({"event", "evt", "e", "request", "req"})
_CONTEXT_PARAMS = frozenset({"context", "ctx", "_context", "lambda_context", "_ctx", "_"})


def _note(name: str) -> str:
    return f"event['{name}']"


BODY_NOTE = _note("body")
QUERY_NOTE = _note("queryStringParameters")
PLAIN_MAPPINGS = frozenset({QUERY_NOTE})
"""Flow notes of request mappings that are plain dicts: a missing key is a KeyError (a 500)."""


_MARKED = {"rawPath": dispatch.PATH, "path": dispatch.PATH, "httpMethod": dispatch.METHOD,
           "routeKey": dispatch.ROUTE_KEY, "resource": dispatch.RESOURCE}  # fmt: skip
"""Event fields an entry point serving several routes dispatches on (``dispatch.py``)."""
_CONTEXT_MARKED = {"httpMethod": dispatch.METHOD, "routeKey": dispatch.ROUTE_KEY,
                   "resourcePath": dispatch.RESOURCE}  # fmt: skip
"""The same in ``requestContext`` (REST APIs); ``requestContext['http']`` holds an HTTP API's
``method`` and ``path``."""
_HTTP_MARKED = {"method": dispatch.METHOD, "path": dispatch.PATH}


def _field(frame: Frame, refs: frozenset[str], name: str | None, line: int, col: int) -> Value:
    if name is None:
        return EMPTY
    serves = dispatch.served(refs)
    if EVENT in refs:
        if name == "requestContext":
            return Value(refs=frozenset({REQUEST_CONTEXT}) | serves)
        found = _FIELDS.get(name)
        value = EMPTY
        if found is not None:
            kind, origin = found
            value = source(kind, frame.step(line, col, _note(name), origin))
            if name in _MAYBE_NONE:
                return Value(value.labels, frozenset({MAYBE_NONE}))
        return _marked(value, _MARKED.get(name), serves)
    if REQUEST_CONTEXT in refs:
        if name == "authorizer":
            return identity.source(frame, line, col, "requestContext['authorizer']", Kind.BODY)
        if name == "http":
            return Value(refs=frozenset({HTTP}) | serves)
        return _marked(EMPTY, _CONTEXT_MARKED.get(name), serves)
    if HTTP in refs:
        return _marked(EMPTY, _HTTP_MARKED.get(name), serves)
    return EMPTY


def _marked(value: Value, marker: str | None, serves: frozenset[str]) -> Value:
    """The value, marked as the request's path, method... when the event names its routes."""
    if marker is None or not serves:
        return value
    return Value(value.labels, value.refs | serves | {marker}, value.fields, value.text)


_READ = frozenset({EVENT, REQUEST_CONTEXT, HTTP})


class AwsLambda(Model):
    name = "aws_lambda"
    ref_kinds = subscripted_kinds = frozenset({"lambda", "route"})

    def subscript(
        self, frame: Frame, container: Value, key: Value, at: tuple[int, int]
    ) -> Value | None:
        if not container.refs & _READ:
            return None
        return _field(frame, container.refs, key.text, *at)

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        if name != "get" or not receiver.refs & _READ:
            return None
        site = args.site
        return _field(frame, receiver.refs, args.first("key").text, site.line, site.col)

    def entry_points(self, analyzer: Analyzer, handlers: Sequence[Handler]) -> list[RouteDecl]:
        out: list[RouteDecl] = []
        declared: set[str] = set()
        by_path = {m.path: m for m in analyzer.project.modules.values()}
        for handler in handlers:
            module = by_path.get(handler.path)
            if module is None and handler.anywhere:
                ends = [m for p, m in by_path.items() if p.endswith("/" + handler.path)]
                module = ends[0] if len(ends) == 1 else None
            func = module.functions.get(handler.function) if module is not None else None
            if module is None or func is None or not func.params:
                continue
            fn_id = f"{module.name}:{handler.function}"
            if not handler.routes:
                continue  # not behind API Gateway here (a queue, a stream, a schedule...)
            declared.add(fn_id)
            serves = dispatch.serving(Endpoint(r.method, r.path) for r in handler.routes)
            # The function may dispatch on the path or method itself (``dispatch.py``).
            event = frozenset({EVENT}) | serves
            bound = ((func.params[0], event),)
            for route in handler.routes:
                out.append(
                    RouteDecl(
                        fn_id,
                        route.path,
                        (route.method,),
                        bound=bound,
                        authenticated=route.authenticated,
                    )
                )
        shaped = _shaped(analyzer)
        # A handler-shaped function that another entry point calls is its helper (one Lambda
        # dispatching to per-resource modules), not a second entry point.
        entries = declared | {fn_id for fn_id, _ in shaped}
        called = {
            callee
            for key, result in analyzer.results.items()
            if base_id(key) in entries
            for callee in result.calls
            if callee != base_id(key)
        }
        for fn_id, func in shaped:
            if fn_id not in declared and fn_id not in called:
                bound = ((func.params[0], frozenset({EVENT})),)
                out.append(RouteDecl(fn_id, "", (), bound=bound, routed=False, unseen_auth=True))
        return out


def behind_gateway(analyzer: Analyzer) -> bool:
    """Whether the project has a Lambda handler that API Gateway calls (by its shape)."""
    return bool(_shaped(analyzer))


def _shaped(analyzer: Analyzer) -> list[tuple[str, ir.Function]]:
    """(id, function) of every handler API Gateway calls, told by its shape (once per run)."""
    return analyzer.memo(
        "aws_lambda.shaped",
        lambda: [
            (f"{module.name}:{qualname}", func)
            for module in analyzer.project.modules.values()
            for qualname, func in module.functions.items()
            if _handler_shape(module.text(func), func.params, qualname)
        ],
    )


def _handler_shape(text: str, params: tuple[str, ...], qualname: str) -> bool:
    """``def handler(event, context)`` at module level that reads API Gateway's event fields."""
    if "." in qualname or len(params) != 2:
        return False
    if params[0] not in _EVENT_PARAMS or params[1] not in _CONTEXT_PARAMS:
        return False
    if "Records" in text:
        return False  # a Streams, SQS or SNS consumer: a batch of records, not a request
    return any(f"'{name}'" in text or f'"{name}"' in text for name in _API_GATEWAY)


MODEL = AwsLambda()
