"""The PynamoDB model: ``Model`` subclasses, their reads and writes, and their declared keys.

A project class whose bases include ``pynamodb.models.Model`` (however imported) has kind
``pynamo``: ``Cls(**data)`` builds an item, ``Cls.get(...)``/``query``/``scan`` read,
``obj.save()``/``update()``/``delete()`` write, and ``Cls.attr.set(v)`` is an update action.
The key attributes and optimistic locking are read from the class body's IR (``id =
UnicodeAttribute(hash_key=True)``, ``version = VersionAttribute()``), base classes included: a
model with a ``VersionAttribute`` gets a version condition on every write from PynamoDB itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from dynaguard.static.flow.accesses import TABLE_ARG, stored
from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.inputs import FIELD
from dynaguard.static.flow.store import store_field
from dynaguard.static.flow.values import (
    CONTAIN,
    ELEM,
    EMPTY,
    KEYED,
    REQUEST,
    Value,
    apply,
    attributes_of,
    join,
    join_all,
    ref,
    with_step,
)
from dynaguard.static.models import expressions
from dynaguard.static.models.boto3 import CONDITION
from dynaguard.static.models.sessions import caller_item
from dynaguard.static.source import ir

_VERSION = "VersionAttribute"


@dataclass(frozen=True, slots=True)
class ModelFacts:
    hash_key: str | None = None
    range_key: str | None = None
    version: str | None = None
    """The ``VersionAttribute``'s name: PynamoDB conditions every write on it."""
    attributes: tuple[str, ...] = ()
    """Every declared attribute, in declaration order (the bases' first)."""

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
    declared: dict[str, None] = {}
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
            if _spelled(call.func).endswith("Attribute"):
                declared[name] = None
    return ModelFacts(hash_key, range_key, version, tuple(declared))


def _passed(value: Value) -> Value:
    """The request data and parameters in ``value`` (not stored data, not generated ids)."""
    labels = {k: t for k, t in value.labels.items() if k[0] >= 0 or k[0] == REQUEST}
    return Value(labels) if labels else EMPTY


def _spelled(func: ir.Expr) -> str:
    return func.id if isinstance(func, ir.Name) else getattr(func, "attr", "")


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
    extra: dict[str, Value] = {}
    at = _FILTER_AT.get(name)
    if at is not None:
        found_filter = args.keywords.get("filter_condition") or (
            args.positional[at] if at < len(args.positional) else None
        )
        if found_filter is not None:
            extra["FilterExpression"] = found_filter
    event = Event(
        Op.READ, f"Model.{name}", site, {"Key": Value(fields=key), **extra, **_table(cls_id)}
    )
    found = stored(site, f"{cls_id.rpartition(':')[2]}.{name}(...)")
    return Value(found.labels, instance), event


_FILTER_AT = MappingProxyType({"scan": 0, "query": 2, "count": 2})
"""Where a read takes its ``filter_condition`` positionally (``scan(filter_condition)``,
``query(hash_key, range_key_condition, filter_condition)``)."""
_CONDITION_AT = MappingProxyType({"save": 0, "delete": 0, "update": 1})
"""Where a write method takes its condition positionally (``save(condition=None)``,
``update(actions, condition=None)``)."""


def write_args(cls_id: str, name: str, args: Args) -> dict[str, Value]:
    """A PynamoDB write's condition (``condition=``, positional, or pre-4.0 ``id__null=True``
    style)."""
    out = dict(_table(cls_id))
    at = _CONDITION_AT[name]
    if "condition" in args.keywords:
        out["condition"] = args.keywords["condition"]
    elif at < len(args.positional) and _some(args.positional[at]):
        out["condition"] = args.positional[at]
    elif any("__" in k for k in args.keywords):
        out["Expected"] = Value(text="legacy")  # expected-value kwargs: a condition we don't read
    return out


def _some(value: Value) -> bool:
    """Not ``None``: an override's ``super().save(condition)`` passes its parameter along, and
    that is ``None`` unless its own caller gave one."""
    return bool(value.refs) or value.text is not None


def _table(cls_id: str) -> dict[str, Value]:
    return {TABLE_ARG: Value(text=f"model:{cls_id}")}


# -- the model ---------------------------------------------------------------------------------

ATTRIBUTE = "pynattr"
"""Ref of a model's attribute object (``User.email``): its ``set``/``add``... are update actions."""
_ACTIONS = frozenset({"set", "add", "remove", "append", "prepend", "delete"})
_CONDITIONS = frozenset({"exists", "does_not_exist", "startswith", "contains", "between", "is_in"})
_KIND = "pynamo"
BATCH = "pynbatch"
"""Ref of ``Model.batch_write()``'s writer (``pynbatch:<class id>``): its ``save``/``delete`` are
batch writes of that model, with no condition possible (as boto3's ``batch_writer``)."""


class PynamoDB(Model):
    name = "pynamodb"
    packages = frozenset({"pynamodb"})
    class_kinds = MappingProxyType({"ext:pynamodb.models.Model": _KIND})
    kinds = frozenset({_KIND})
    ref_kinds = frozenset({ATTRIBUTE, BATCH, "inst"})
    builtins = frozenset({"getattr", "setattr"})

    def attribute(self, frame: Frame, obj: Value, name: str, line: int, col: int) -> Value | None:
        """``item.attribute_values``: the item's attributes as a mapping (what it would send)."""
        if name != "attribute_values":
            return None
        classes = frame.analyzer.classes
        for cls_id in (r.removeprefix("inst:") for r in obj.refs if r.startswith("inst:")):
            found = classes.get(cls_id)
            if found is not None and _KIND in found.kinds:
                return attributes_of(obj)
        return None

    def instantiate(self, frame: Frame, cls_id: str, args: Args) -> Value | None:
        site = args.site
        refs = frozenset({f"inst:{cls_id}"})
        class_name = cls_id.rpartition(".")[2].rpartition(":")[2]
        spread = with_step(
            join_all(args.spread), frame.step(site.line, site.col, f"{class_name}(**...)")
        )
        out = Value(spread.labels, refs, dict(spread.fields))
        if spread.labels and not spread.fields:
            # ``Model(**payload)``: each declared attribute is set from the payload's value (a
            # whole client mapping stays one too, for DG101).
            given = set(args.keywords)
            inner = apply(_passed(spread), ELEM)
            # NOTE: not the key attributes: whether the client picks the key is what the whole
            # mapping's labels say (DG101, DG402), and a helper may have set it on the way.
            facts = model_facts(frame.analyzer, cls_id)
            fields = {
                n: with_step(
                    inner, frame.step(site.line, site.col, f"{class_name}(**...)['{n}']", FIELD)
                )
                for n in facts.attributes
                if n not in given and n not in facts.keys
            }
            out = Value(spread.labels, refs, fields) if inner.labels else out
        for key, value in args.keywords.items():
            stepped = with_step(value, frame.step(site.line, site.col, f"{class_name}({key}=...)"))
            out = Value(
                {**out.labels, **apply(stepped, CONTAIN).labels}, refs, {**out.fields, key: stepped}
            )
        keys = positional_keys(frame.analyzer, cls_id, args.positional)
        out = Value(out.labels, refs, {**keys, **out.fields}) if keys else out
        return join(out, Value(apply(join_all(args.positional), CONTAIN).labels))

    def instance_method(
        self,
        frame: Frame,
        cls_id: str,
        receiver: Value,
        name: str,
        args: Args,
    ) -> Value | None:
        if name not in {"save", "update", "delete"}:
            return None
        site = args.site
        extra = write_args(cls_id, name, args)  # condition and table, for DG401-DG404
        if name == "save":
            frame.emit(Event(Op.PUT, "Model.save", site, {"Item": receiver, **extra}))
        elif name == "update":
            actions = {"actions": args.first("actions"), "@item": receiver}
            frame.emit(Event(Op.UPDATE, "Model.update", site, {**actions, **extra}))
        else:
            frame.emit(Event(Op.READ, "Model.delete", site, {"@item": receiver, **extra}))
        return EMPTY

    def class_method(self, frame: Frame, cls_id: str, name: str, args: Args) -> Value | None:
        if name == "batch_write":
            return ref(f"{BATCH}:{cls_id}")
        if name not in _CLASS_READS:
            return None
        found, event = read(frame.analyzer, cls_id, name, args)
        if event is None:
            return found
        frame.emit(event)
        return caller_item(frame, event, found)

    def class_attribute(self, frame: Frame, cls_id: str, name: str, value: Value) -> Value | None:
        if any(r.startswith("fn:") for r in value.refs):
            return None
        return Value(refs=frozenset({ATTRIBUTE}), text=name)

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        """``User.email.set(v)``: an update action naming its attribute; ``User.email.exists()``:
        a condition, with its expression text (as boto3's ``Attr('email').exists()``);
        ``batch.save(item)`` / ``batch.delete(item)`` on ``Model.batch_write()``'s writer."""
        batches = sorted(r for r in receiver.refs if r.startswith(f"{BATCH}:"))
        if batches and name in {"save", "delete"}:
            _batch_write(frame, batches[0].partition(":")[2], name, args)
            return EMPTY
        if ATTRIBUTE not in receiver.refs:
            return None
        if name in _CONDITIONS and receiver.text:
            text = expressions.method_text(receiver.text, name)
            if not text:
                return None
            # The compared values under the attribute (``Song.owner.startswith(x)``: owner: x),
            # as boto3's ``Attr('owner').begins_with(x)``: whose items a scan filter picks.
            given = join_all(args.positional)
            fields = {receiver.text: given} if given else None
            return Value(None, frozenset({CONDITION, expressions.COND + text}), fields)
        if name not in _ACTIONS:
            return None
        site = args.site
        value = with_step(
            args.first(), frame.step(site.line, site.col, f"{receiver.text or '?'}.{name}(...)")
        )
        labels = {**apply(value, CONTAIN).labels, **receiver.labels}
        return Value(labels, frozenset(), {receiver.text: value} if receiver.text else None)

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        """``getattr(Model, name)`` / ``setattr(item, name, v)`` with a name we cannot read."""
        if name == "builtin:getattr" and len(args.positional) >= 2:
            obj, key = args.positional[0], args.positional[1]
            if key.text is None and _of_kind(frame, obj, "cls:"):
                return Value(apply(key, KEYED).labels, frozenset({ATTRIBUTE}))
        if name == "builtin:setattr" and len(args.positional) == 3:
            obj, key = args.positional[0], args.positional[1]
            if key.text is None and _of_kind(frame, obj, "inst:"):
                frame.emit(Event(Op.SETATTR, "setattr", args.site, {"Name": key}))
                _set_any(frame, obj, args)
                return EMPTY
        return None


def _batch_write(frame: Frame, cls_id: str, name: str, args: Args) -> None:
    item = args.first("item")
    table = _table(cls_id)
    if name == "save":
        frame.emit(Event(Op.PUT, "batch_writer.save", args.site, {"Item": item, **table}))
    else:
        frame.emit(Event(Op.READ, "batch_writer.delete", args.site, {"@item": item, **table}))


_CLASS_READS = frozenset(
    {"get", "get_or_none", "query", "scan", "batch_get", "from_raw_data", "from_dynamodb_dict"}
)


def _set_any(frame: Frame, obj: Value, args: Args) -> None:
    """``setattr(item, name, value)`` with a name we cannot read: any declared attribute but the
    key (PynamoDB refuses to change one on a saved item) may now hold the value."""
    value, name = args.positional[2], args.positional[1]
    if not value.labels or any(k[0] == REQUEST for k in name.labels):
        return  # a name the client chose: the write is DG102's (its values come with it)
    target, at = args.call.args[0], (args.site.line, args.site.col)
    for cls_id in sorted(r.removeprefix("inst:") for r in obj.refs if r.startswith("inst:")):
        facts = model_facts(frame.analyzer, cls_id)
        for attribute in facts.attributes:
            if attribute not in facts.keys:
                old = obj.fields.get(attribute, EMPTY)
                store_field(frame, target, attribute, join(old, value), at=at, spelling=".<name>")


def _of_kind(frame: Frame, value: Value, prefix: str) -> bool:
    return any(
        _KIND in frame.analyzer.kinds(r[len(prefix) :]) for r in value.refs if r.startswith(prefix)
    )


MODEL = PynamoDB()
