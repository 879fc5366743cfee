"""GraphQL resolvers (graphene, Strawberry, Ariadne): entry points whose arguments are client input.

- graphene: a ``Mutation`` subclass's ``mutate`` (the operation is the class name, camelCased:
  ``CreateUser`` -> ``createUser``), and an ``ObjectType``'s ``resolve_<field>`` methods.
- Strawberry: methods decorated ``@strawberry.field`` / ``@strawberry.mutation``, and functions
  a type binds as a field (``create_user: User = strawberry.mutation(resolver=create_user)``);
  the operation is the attribute's name camelCased, or the ``name=`` given.
- Ariadne: ``@query.field("user")`` or ``query.set_field("user", resolve_user)`` on a
  ``QueryType()``, ``MutationType()`` or ``ObjectType``.

Each finding's endpoint is ``GRAPHQL <operation>``. A resolver's parameters after ``info`` (or
after the object it resolves) are the client's arguments, typed as the schema declares them
(``graphql_args.py``: an input object's keys are the schema's), ``**kwargs`` the whole declared
input; ``info.context`` is where the server put the caller. A GraphQL API is usually authenticated in
front of the resolvers (a view decorator, the gateway, a context getter): when no resolver of
the project looks at ``info.context`` and no Lambda handler behind API Gateway serves the schema,
nothing authenticates (DG203 applies); otherwise dynaguard claims nothing about it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import MappingProxyType

from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.evaluate import evaluate
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.result import RouteDecl
from dynaguard.static.flow.values import EMPTY, Value, ref
from dynaguard.static.models import aws_lambda, graphql_args, identity
from dynaguard.static.source import ir
from dynaguard.static.source.deployment import Handler

INFO, CONTEXT, TYPE = "graphql:info", "graphql:context", "graphql:type"
METHOD = "GRAPHQL"
"""The endpoint's method: a GraphQL operation is one POST to one URL, told apart by its name."""
_MUTATION, _OBJECT = "graphql_mutation", "graphql_object"
_BASES = {
    "ext:graphene.Mutation": _MUTATION,
    "ext:graphene.relay.ClientIDMutation": _MUTATION,
    "ext:graphene.ObjectType": _OBJECT,
    "ext:graphene.InputObjectType": graphql_args.INPUT,
}
_STRAWBERRY = frozenset({"ext:strawberry.field", "ext:strawberry.mutation"})
_STRAWBERRY_INPUT = "ext:strawberry.input"
_RESOLVER, _NAMED = "graphql:resolver:", "graphql:named:"
"""Refs of ``strawberry.field(resolver=f, name=...)``: the function and the operation's name."""
_ARIADNE = frozenset(
    {"ext:ariadne.QueryType", "ext:ariadne.MutationType", "ext:ariadne.ObjectType",
     "ext:ariadne.SubscriptionType"}
)  # fmt: skip
_RECEIVERS = frozenset({"self", "cls", "root", "obj", "parent", "_", "_root", "_obj", "source"})
_CONTEXT_TEXT = re.compile(r"\binfo\.context\b")


def _camel(name: str) -> str:
    """``create_user`` and ``CreateUser`` -> ``createUser`` (graphene's and Strawberry's names)."""
    parts = [p for p in name.split("_") if p]
    if not parts:
        return name
    first = parts[0][0].lower() + parts[0][1:]
    return first + "".join(p[0].upper() + p[1:] for p in parts[1:])


def _decl(
    analyzer: Analyzer, fn_id: str, func: ir.Function, operation: str, unseen: bool
) -> RouteDecl:
    params = list(func.params)
    if "info" in params:
        arguments = params[params.index("info") + 1 :]
    else:
        arguments = params[1:] if params and params[0] in _RECEIVERS else params
    module = fn_id.partition(":")[0]
    client, typed = graphql_args.kinds(analyzer, module, func, arguments)
    bound = (("info", frozenset({INFO})),) if "info" in params else ()
    return RouteDecl(
        fn_id, operation, (METHOD,), bound=bound, client=client, typed=typed, unseen_auth=unseen
    )


def _declared(analyzer: Analyzer) -> list[tuple[str, str]]:
    """(function id, operation) of the resolvers decorators declared in this run."""
    return analyzer.memo("graphql.decorated", list)


class GraphQL(Model):
    name = "graphql"
    packages = frozenset({"graphene", "strawberry", "ariadne"})
    ref_kinds = frozenset({"graphql"})
    class_kinds = MappingProxyType(_BASES)
    kinds = frozenset({_MUTATION, _OBJECT, graphql_args.INPUT})

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name in _STRAWBERRY:
            return _bound_field(args)
        return ref(TYPE) if name in _ARIADNE else graphql_args.declaration(name, args)

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        # Ariadne's ``mutation.set_field("updateSong", update_song)``: the decorator's twin.
        if TYPE not in receiver.refs or name != "set_field" or len(args.positional) < 2:
            return None
        operation = args.positional[0].text
        for resolver in sorted(args.positional[1].refs):
            if operation and resolver.startswith("fn:"):
                _declared(frame.analyzer).append((resolver[3:], operation))
        return EMPTY

    def attribute(self, frame: Frame, obj: Value, name: str, line: int, col: int) -> Value | None:
        if INFO in obj.refs and name == "context":
            return ref(CONTEXT)
        if CONTEXT in obj.refs:
            return identity.source(frame, line, col, f"info.context.{name}")
        return None

    def subscript(
        self, frame: Frame, container: Value, key: Value, at: tuple[int, int]
    ) -> Value | None:
        if CONTEXT not in container.refs:
            return None
        return identity.source(frame, *at, f"info.context[{key.text!r}]")

    def decorate(self, frame: Frame, target: str, decorator: ir.Expr, is_class: bool) -> bool:
        func_expr = decorator.func if isinstance(decorator, ir.Call) else decorator
        refs = (
            evaluate(frame, func_expr).refs
            if isinstance(func_expr, (ir.Name, ir.Attr))
            else frozenset()
        )
        if is_class:
            if _STRAWBERRY_INPUT in refs:
                graphql_args.strawberry_inputs(frame.analyzer).add(target)
            return False
        operation = None
        if refs & _STRAWBERRY:
            operation = _given_name(frame, decorator) or _camel(
                target.rpartition(".")[2].rpartition(":")[2]
            )
        elif (
            isinstance(decorator, ir.Call)
            and isinstance(decorator.func, ir.Attr)
            and decorator.func.attr == "field"
            and decorator.args
            and TYPE in evaluate(frame, decorator.func.obj).refs
        ):
            operation = evaluate(frame, decorator.args[0]).text
        if not operation:
            return False
        _declared(frame.analyzer).append((target, operation))
        return False  # other models (authorization) still read the decorator

    def entry_points(self, analyzer: Analyzer, handlers: Sequence[Handler]) -> list[RouteDecl]:
        found = list(_declared(analyzer))
        for cls_id, facts in analyzer.classes.items():
            module_name = cls_id.partition(":")[0]
            qualname = facts.info.qualname
            found += _bound_resolvers(facts.env)
            if _MUTATION in facts.kinds and "mutate" in facts.info.methods:
                found.append(
                    (f"{module_name}:{qualname}.mutate", _camel(qualname.rpartition(".")[2]))
                )
            if _OBJECT in facts.kinds:
                found += [
                    (f"{module_name}:{qualname}.{m}", _camel(m.removeprefix("resolve_")))
                    for m in facts.info.methods
                    if m.startswith("resolve_")
                ]
        located = []
        for fn_id, operation in found:
            where = analyzer.project.function(fn_id)
            if where is not None:
                located.append((fn_id, operation, *where))
        # Authentication sits in front of the resolvers when one of them reads the caller, or
        # when the schema is served by a Lambda handler behind API Gateway (its authorizer is the
        # gateway's, configured outside the code).
        unseen = any(_CONTEXT_TEXT.search(module.text(func)) for _, _, module, func in located) or (
            bool(located) and aws_lambda.behind_gateway(analyzer)
        )
        return [_decl(analyzer, fn_id, func, op, unseen) for fn_id, op, _, func in located]


def _given_name(frame: Frame, decorator: ir.Expr) -> str:
    """The ``name=`` of ``@strawberry.field(name="...")``, which replaces the derived name."""
    if not isinstance(decorator, ir.Call):
        return ""
    named = [value for key, value in decorator.kwargs if key == "name"]
    return (evaluate(frame, named[0]).text or "") if named else ""


def _bound_field(args: Args) -> Value | None:
    """``strawberry.field(resolver=f)`` (or ``strawberry.field(f)``): the field a type's
    attribute becomes, served by ``f``; the decorator form (no resolver) stays unexplained."""
    functions = {r[3:] for r in args.first("resolver").refs if r.startswith("fn:")}
    if not functions:
        return None
    named = args.keywords.get("name")
    refs = {f"{_RESOLVER}{fn_id}" for fn_id in functions}
    if named is not None and named.text:
        refs.add(f"{_NAMED}{named.text}")
    return Value(refs=frozenset(refs))


def _bound_resolvers(env: dict[str, Value]) -> list[tuple[str, str]]:
    """(function id, operation) of the fields a class body binds to resolver functions."""
    found = []
    for attribute, value in env.items():
        resolvers = sorted(r for r in value.refs if r.startswith(_RESOLVER))
        if not resolvers:
            continue  # most class attributes: no resolver bound, no name to work out
        named = [r.removeprefix(_NAMED) for r in value.refs if r.startswith(_NAMED)]
        operation = named[0] if named else _camel(attribute)
        found += [(r.removeprefix(_RESOLVER), operation) for r in resolvers]
    return found


MODEL = GraphQL()
