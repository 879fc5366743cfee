"""PynamoDB model facts for the conditional-write rules: key attributes and optimistic locking.

Read from the class body's IR (``id = UnicodeAttribute(hash_key=True)``, ``version =
VersionAttribute()``), base classes included. A model with a ``VersionAttribute`` gets a version
condition on every ``save``/``update``/``delete`` from PynamoDB itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dynaguard.static import ir
from dynaguard.static.accesses import TABLE_ARG, stored
from dynaguard.static.events import Event, Op
from dynaguard.static.values import Value

if TYPE_CHECKING:
    from dynaguard.static.calls import Args
    from dynaguard.static.summaries import Analyzer

_VERSION = "VersionAttribute"


@dataclass(frozen=True, slots=True)
class ModelFacts:
    hash_key: str | None = None
    range_key: str | None = None
    version: str | None = None
    """The ``VersionAttribute``'s name: PynamoDB conditions every write on it."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k in (self.hash_key, self.range_key) if k)


def model_facts(analyzer: Analyzer, cls_id: str) -> ModelFacts:
    cache: dict[str, ModelFacts] = analyzer.memo("pynamo.models", dict)
    found = cache.get(cls_id)
    if found is None:
        found = cache[cls_id] = _facts(analyzer, cls_id)
    return found


def _facts(analyzer: Analyzer, cls_id: str) -> ModelFacts:
    hash_key = range_key = version = None
    for facts in reversed(analyzer.mro(cls_id)):  # a subclass's declarations win
        module_name, _, qualname = facts.cls_id.partition(":")
        module = analyzer.project.modules.get(module_name)
        body = _class_body(module, qualname) if module else None
        for name, call in _attribute_calls(body or ()):
            kwargs = {k for k, _ in call.kwargs}
            hash_key = name if "hash_key" in kwargs else hash_key
            range_key = name if "range_key" in kwargs else range_key
            if _is_version(analyzer, module_name, call.func):
                version = name
    return ModelFacts(hash_key, range_key, version)


def _attribute_calls(body: tuple[ir.Stmt, ...]) -> list[tuple[str, ir.Call]]:
    out = []
    for stmt in body:
        if (
            isinstance(stmt, ir.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ir.Name)
            and isinstance(stmt.value, ir.Call)
        ):
            out.append((stmt.targets[0].id, stmt.value))
    return out


def _is_version(analyzer: Analyzer, module: str, func: ir.Expr) -> bool:
    """``VersionAttribute(...)`` imported from pynamodb (by provenance, not by name alone)."""
    root = func
    while isinstance(root, ir.Attr):
        root = root.obj
    if not isinstance(root, ir.Name):
        return False
    if isinstance(func, ir.Attr) and func.attr != _VERSION:
        return False
    refs = analyzer.global_value(module, root.id).refs
    if isinstance(func, ir.Name):
        return any(r.startswith("ext:pynamodb") and r.endswith(f".{_VERSION}") for r in refs)
    return any(r.startswith("ext:pynamodb") for r in refs)


def _class_body(module: ir.Module, qualname: str) -> tuple[ir.Stmt, ...] | None:
    """The body of a class defined at module level or in a function (its enclosing ones)."""
    parts = qualname.split(".")
    owners = (module.function(".".join(parts[:cut])) for cut in range(len(parts) - 1, 0, -1))
    scopes = [module.body, *(f.body for f in owners if f is not None)]
    for scope in scopes:
        found = _find_class(scope, qualname)
        if found is not None:
            return found
    return None


def _find_class(body: tuple[ir.Stmt, ...], qualname: str) -> tuple[ir.Stmt, ...] | None:
    for stmt in body:
        if isinstance(stmt, ir.ClassStmt):
            if stmt.class_id == qualname:
                return stmt.body
            found = _find_class(stmt.body, qualname)
        elif isinstance(stmt, ir.If):
            found = _find_class(stmt.body, qualname) or _find_class(stmt.orelse, qualname)
        else:
            continue
        if found is not None:
            return found
    return None


# -- calls ------------------------------------------------------------------------------------

_KEYED_READS = frozenset({"get", "get_or_none", "query", "count"})
_READS = frozenset({*_KEYED_READS, "scan", "batch_get"})


def positional_keys(analyzer: Analyzer, cls_id: str, positional: list[Value]) -> dict[str, Value]:
    """``Model(hash, range, ...)``: the positional key values under their attribute names."""
    keys = model_facts(analyzer, cls_id).keys
    return dict(zip(keys, positional, strict=False))


def read(analyzer: Analyzer, cls_id: str, name: str, args: Args) -> tuple[Value, Event | None]:
    """``Model.get(hash, range)`` and friends: stored instances, and the read they make
    (``from_raw_data`` and the like build instances without reading: no event)."""
    instance = frozenset({f"inst:{cls_id}"})
    if name not in _READS:
        return Value(refs=instance), None
    site = args.site
    facts = model_facts(analyzer, cls_id)
    key: dict[str, Value] = {}
    if name in _KEYED_READS:
        given = [args.keywords.get("hash_key"), args.keywords.get("range_key")]
        for index, attribute in enumerate(facts.keys):
            value = given[index] or (
                args.positional[index] if index < len(args.positional) else None
            )
            if value is not None:
                key[attribute] = value
    event = Event(Op.READ, f"Model.{name}", site, {"Key": Value(fields=key), **_table(cls_id)})
    found = stored(site, f"{cls_id.rpartition(':')[2]}.{name}(...)")
    return Value(found.labels, instance), event


def write_args(cls_id: str, args: Args) -> dict[str, Value]:
    """A PynamoDB write's condition (``condition=``, or pre-4.0 ``id__null=True`` style)."""
    out = dict(_table(cls_id))
    if "condition" in args.keywords:
        out["condition"] = args.keywords["condition"]
    elif any("__" in k for k in args.keywords):
        out["Expected"] = Value(text="legacy")  # expected-value kwargs: a condition we don't read
    return out


def _table(cls_id: str) -> dict[str, Value]:
    return {TABLE_ARG: Value(text=f"model:{cls_id}")}
