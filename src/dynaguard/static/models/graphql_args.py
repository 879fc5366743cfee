"""What a GraphQL resolver's argument receives, from the type the schema declares for it.

A schema types every argument, so the names inside one are never the client's: an input object
(``@strawberry.input``, a ``graphene.InputObjectType``) is a mapping whose keys the schema chose
and whose values the client sent (``Kind.FIELDS``), while a free-form JSON scalar
(``strawberry.scalars.JSON``, graphene's ``JSONString`` / ``GenericScalar``) is a whole client
mapping (``Kind.BODY``). Scalars, lists and whatever dynaguard cannot resolve stay one client value
(``Kind.VALUE``): iterating a list gives its elements. An Ariadne resolver's arguments are typed
only in the SDL, which dynaguard does not read: each is ``Kind.FIELDS``, whatever the schema
declares under it is its (``song["id"]`` is one client value), never a name the client chose.
"""

from __future__ import annotations

from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.frame import Args
from dynaguard.static.flow.values import Kind, Value
from dynaguard.static.source import ir

INPUT = "graphql_input"
"""Class kind of a graphene ``InputObjectType``."""
OF, LIST, JSON = "graphql:of:", "graphql:list", "graphql:json"
"""Refs of a graphene argument declaration: the class it wraps, a list of it, a JSON scalar."""
_JSON = frozenset(
    {"ext:strawberry.scalars.JSON", "ext:graphene.JSONString", "ext:graphene.GenericScalar",
     "ext:graphene.types.generic.GenericScalar", "ext:graphene.types.json.JSONString",
     "ext:graphene.types.JSONString", "ext:graphene.types.GenericScalar"}
)  # fmt: skip
_WRAPPERS = frozenset(
    {"ext:graphene.NonNull", "ext:graphene.Argument", "ext:graphene.InputField",
     "ext:graphene.Field"}
)  # fmt: skip
SCALAR = "graphql:scalar:"
"""Ref of a graphene scalar declaration (``graphene.Int()``): ``graphql:scalar:number``."""
_SCALARS = {
    "Int": "number", "Float": "number", "Decimal": "number", "BigInt": "number",
    "Boolean": "boolean", "int": "number", "float": "number", "decimal.Decimal": "number",
    "bool": "boolean",
}  # fmt: skip
"""graphene's scalars (by their last name) and Strawberry's annotations that fix a type: a
number the schema lets through in any range, or a boolean, which has none."""
_LISTS = frozenset({"list", "List", "typing.List", "Sequence", "typing.Sequence", "tuple", "set"})


def strawberry_inputs(analyzer: Analyzer) -> set[str]:
    """Class ids decorated ``@strawberry.input`` in this run."""
    return analyzer.memo("graphql.inputs", set)


def declaration(name: str, args: Args) -> Value | None:
    """A graphene argument declaration (``graphene.List(CardInput, required=True)``)."""
    if name in _JSON:
        return Value(refs=frozenset({JSON}))
    scalar = _SCALARS.get(name.rpartition(".")[2]) if name.startswith("ext:graphene.") else None
    if scalar is not None:
        return Value(refs=frozenset({SCALAR + scalar}))
    if name not in _WRAPPERS and name != "ext:graphene.List":
        return None
    wrapped = args.positional[0].refs if args.positional else frozenset()
    refs = {f"{OF}{r[4:]}" for r in wrapped if r.startswith(("cls:", "inst:"))}
    refs |= {r for r in wrapped if r.startswith("graphql:")}
    refs |= {SCALAR + _SCALARS[r.rpartition(".")[2]] for r in wrapped if _scalar_class(r)}
    if name == "ext:graphene.List":
        refs.add(LIST)
    return Value(refs=frozenset(refs)) if refs else None


def _scalar_class(ref_name: str) -> bool:
    """``graphene.Float`` passed uncalled to a wrapper (``graphene.NonNull(graphene.Float)``)."""
    return ref_name.startswith("ext:graphene.") and ref_name.rpartition(".")[2] in _SCALARS


def kinds(
    analyzer: Analyzer, module: str, func: ir.Function, arguments: list[str]
) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str], ...]]:
    """Each argument with its ``Kind``, from its annotation (Strawberry) or, for a graphene
    mutation, the ``Arguments`` (or ``Input``) class of the mutation; and the arguments whose
    scalar type the schema fixes (``number``, ``boolean``)."""
    declared = _graphene_arguments(analyzer, module, func)
    annotated = dict(func.annotations)
    untyped = func.class_id is None and not annotated  # an Ariadne resolver: typed in the SDL
    out, typed = [], []
    for name in arguments:
        if name == func.kwarg or untyped:
            out.append((name, int(Kind.FIELDS)))
            continue
        refs = set(declared.get(name, Value()).refs)
        for dotted in annotated.get(name, ()):
            refs |= _resolve(analyzer, module, dotted)
            if dotted in _LISTS:
                refs.add(LIST)
            if dotted in _SCALARS:  # a builtin type: no global of the module names it
                refs.add(SCALAR + _SCALARS[dotted])
        out.append((name, _kind(analyzer, refs)))
        scalar = {r.removeprefix(SCALAR) for r in refs if r.startswith(SCALAR)}
        if len(scalar) == 1:  # ``Union[int, bool]`` (or a mistake): no one type
            typed.append((name, scalar.pop()))
    return tuple(out), tuple(typed)


def _kind(analyzer: Analyzer, refs: set[str]) -> int:
    if refs & (_JSON | {JSON}):
        return int(Kind.BODY)
    if LIST in refs:
        return int(Kind.VALUE)
    inputs = strawberry_inputs(analyzer)
    for r in refs:
        cls_id = r.removeprefix(OF).removeprefix("cls:").removeprefix("inst:")
        if cls_id != r and (cls_id in inputs or INPUT in analyzer.kinds(cls_id)):
            return int(Kind.FIELDS)
    return int(Kind.VALUE)


def _resolve(analyzer: Analyzer, module: str, dotted: str) -> set[str]:
    """The refs a dotted name of ``module`` holds (``types.CardInput`` through a module)."""
    first, *rest = dotted.split(".")
    refs = analyzer.global_value(module, first).refs
    for part in rest:
        mods = [r[4:] for r in refs if r.startswith("mod:")]
        exts = [r for r in refs if r.startswith("ext:")]
        refs = frozenset(f"{e}.{part}" for e in exts)
        for mod in mods:
            refs |= analyzer.module_attr(mod, part).refs
    return set(refs)


def _graphene_arguments(analyzer: Analyzer, module: str, func: ir.Function) -> dict[str, Value]:
    if func.class_id is None or not func.qualname.endswith(".mutate"):
        return {}
    for inner in ("Arguments", "Input"):
        facts = analyzer.class_facts(f"{module}:{func.class_id}.{inner}")
        if facts is not None:
            return facts.env
    return {}
