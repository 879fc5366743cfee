"""Calls: project functions through their summaries, Python builtins, and the rest by asking the
models (``frame.models``). An unknown callable keeps client scalars only."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from dynaguard.static.flow import accesses, dispatch
from dynaguard.static.flow.analyzer import FIELD, TEXT, Bound
from dynaguard.static.flow.attributes import METHOD, external_name
from dynaguard.static.flow.builtins import builtin_call, declared
from dynaguard.static.flow.frame import Args, Frame
from dynaguard.static.flow.instantiate import instantiate, instantiate_event
from dynaguard.static.flow.mappings import mapping_method
from dynaguard.static.flow.result import Result
from dynaguard.static.flow.store import add_to
from dynaguard.static.flow.values import (
    CONTAIN,
    EMPTY,
    GIVEN,
    MAYBE_NONE,
    PREFIX,
    SCALAR,
    STR,
    Value,
    apply,
    join,
    join_all,
    ref,
    with_field,
)
from dynaguard.static.source import ir

if TYPE_CHECKING:
    from dynaguard.static.flow.analyzer import Analyzer, Bound

_STRING_METHODS = frozenset(
    {"format", "join", "replace", "strip", "lower", "upper", "split", "encode", "decode",
     "rstrip", "lstrip", "title", "capitalize", "casefold", "format_map"}
)  # fmt: skip
_MUTATORS = frozenset({"append", "add", "extend", "insert", "appendleft"})


def function_call(frame: Frame, call: ir.Call, func: Value, args: Args) -> Value:
    results: list[Value] = []
    if len(func.refs) > 1:  # a method ref travels with its object's refs: never alone
        results += _method_calls(frame, func, args)
    for name in sorted(func.refs):
        found = _call_ref(frame, call, name, args)
        if found is not None:
            results.append(found)
    if results:
        return join_all(results)
    return apply(args.all(), SCALAR)  # an unknown function: a client scalar stays one


def _method_calls(frame: Frame, func: Value, args: Args) -> list[Value]:
    """What calling a library object's method taken earlier does (``getattr(table, 'put_item')``,
    ``meth:`` refs), as the object's model says."""
    methods = sorted(r for r in func.refs if r.startswith(METHOD))
    if not methods:
        return []
    receiver = Value(None, frozenset(r for r in func.refs if not r.startswith(METHOD)))
    found = [frame.models.method(frame, receiver, m[len(METHOD) :], args) for m in methods]
    return [v for v in found if v is not None]


def _call_ref(frame: Frame, call: ir.Call, name: str, args: Args) -> Value | None:
    kind, _, target = name.partition(":")
    if kind == "fn":
        return call_function(frame, target, args, None)
    if kind == "cls":
        return instantiate_class(frame, target, args)
    if kind == "ext":
        return external_call(frame, name, args)
    if kind == "builtin":
        if target == "super":
            return super_value(frame, _receiver(frame))
        found = frame.models.call(frame, name, args)
        return found if found is not None else builtin_call(frame, call, target, args)
    if kind == "bound":
        cls_id, _, method = target.rpartition(".")
        resolved = frame.analyzer.method(cls_id, method)
        if resolved is None:
            return None
        return call_function(frame, resolved[0], args, ref(f"inst:{cls_id}"), resolved[1])
    return None


def external_call(frame: Frame, name: str, args: Args) -> Value:
    """A call of an external name: what a model says, else an unknown function of the args."""
    found = frame.models.call(frame, name, args)
    return found if found is not None else apply(args.all(), SCALAR)


def call_function(
    frame: Frame, fn_id: str, args: Args, receiver: Value | None, self_class: str | None = None
) -> Value:
    """A call of a project function; of a method as the receiver's class ``self_class``
    inherits it, when that is not the class defining it."""
    found = frame.analyzer.project.function(fn_id)
    if found is None:
        return EMPTY
    frame.calls.add(fn_id)
    if not frame.models.answers_project_calls:
        return _apply_summary(frame, fn_id, found, args, receiver, self_class=self_class)

    def summary() -> Value:
        return _apply_summary(frame, fn_id, found, args, receiver, self_class=self_class)

    # A model may stand in for the body (a DynamoDB wrapper the user declared) or adjust it.
    answered = frame.models.project_call(frame, fn_id, args, summary)
    return answered if answered is not None else summary()


def _apply_summary(
    frame: Frame,
    fn_id: str,
    located: tuple[ir.Module, ir.Function],
    args: Args,
    receiver: Value | None,
    *,
    self_class: str | None,
) -> Value:
    """The callee's summary seen from this call: its events, accesses and checks, and what it
    returns."""
    module, func = located
    params = bind_params(func, args, receiver)
    if frame.serves is not None:  # the callee serves only the routes that reach this call
        params = [dispatch.narrowed(v, frame.serves) for v in params]
    forwarded = _forwarded(frame, module, func, args)
    bound = _bound(frame, fn_id, module, func, params)
    result = frame.analyzer.function_result(fn_id, self_class, bound)
    if result.self_fields and func.class_id is not None:
        _inject(frame.analyzer, f"{module.name}:{func.class_id}", result, params)
        if receiver is not None:
            _update_receiver(frame, args, receiver, result, params)
    for event in result.param_events:
        frame.emit(instantiate_event(event, params))
    if result.accesses:
        accesses.inherit(
            frame.accesses,
            result.accesses,
            lambda event: frame.routed(instantiate_event(event, params)),
            args.site,
        )
    frame.models.on_call(frame, fn_id, params)
    returned = frame.models.returned(instantiate(result.returns, params), args)
    return join(returned, forwarded) if forwarded is not None else returned


def _forwarded(frame: Frame, module: ir.Module, func: ir.Function, args: Args) -> Value | None:
    """``run_and_log(table.put_item, Item=item)`` where the helper calls its first parameter
    with the rest of its arguments (``func(*args, **kwargs)``): the library method runs with
    them, as if called here."""
    if not args.positional or func.kwarg is None:
        return None
    first = args.positional[0]
    if not func.params or not any(r.startswith(METHOD) for r in first.refs):
        return None
    body = module.text(func).partition(":\n")[2]  # past the signature: it names ``**kwargs``
    forwards = rf"\b{re.escape(func.params[0])}\([^()]*\*\*{re.escape(func.kwarg)}\s*\)"
    if re.search(forwards, body) is None:
        return None
    rest = Args(args.positional[1:], args.keywords, args.spread, (frame, args.call))
    found = _method_calls(frame, first, rest)
    return join_all(found) if found else None


_OBJECTS = ("inst", "cls")
_MAX_BOUND = 8
"""Specialised summaries per function: past it, the generic one answers."""


def _bound(
    frame: Frame, fn_id: str, module: ir.Module, func: ir.Function, params: list[Value]
) -> Bound | None:
    """The objects this call passes to parameters the callee calls methods on (``table`` in
    ``def save(table, item): table.put_item(...)``): its summary is computed with them bound,
    since a parameter's methods mean nothing until its object is known."""
    receiver = 0 if func.class_id is not None and func.binding != "static" else -1
    given = [(i, v.refs) for i, v in enumerate(params) if v.refs and i != receiver]
    named = _named_texts(frame, fn_id, module, func, params)
    if not given and not named:
        return None
    analyzer = frame.analyzer
    uses = analyzer.receivers.get(fn_id)
    if uses is None:
        text = module.text(func)
        uses = analyzer.receivers[fn_id] = (
            frozenset(i for i, name in enumerate(func.params) if f"{name}." in text),
            frozenset(i for i, name in enumerate(func.params) if _searches(name, text)),
            frozenset(i for i, name in enumerate(func.params) if _falls_back(name, text)),
        )
    methods, searched, defaulted = uses
    kinds, subscripted = frame.models.ref_kinds, frame.models.subscripted_kinds
    out = [
        (index, objects)
        for index, refs in given
        if (
            objects := frozenset(
                r
                for r in refs
                if (index in methods and (r.partition(":")[0] in kinds or r.startswith(_OBJECTS)))
                or (index in searched and (r == MAYBE_NONE or r.partition(":")[0] in subscripted))
                or (index in defaulted and r == GIVEN)
            )
        )
    ]
    if named:
        merged = dict(out)
        for index, texts in named.items():
            merged[index] = merged.get(index, frozenset()) | texts
        out = sorted(merged.items())
    if not out:
        return None
    key = tuple(out)
    seen = analyzer.bound_seen.setdefault(fn_id, set())
    if key not in seen:
        if len(seen) >= _MAX_BOUND:
            return None
        seen.add(key)
    return key


def _falls_back(name: str, text: str) -> bool:
    """The body replaces the parameter when it is empty (``name or default``): whether the
    call passes a value that is never empty (``values.GIVEN``) decides which one it uses."""
    return re.search(rf"(?<![\w.]){re.escape(name)}\s+or\b", text) is not None


_MAX_TEXT = 64


def _searches(name: str, text: str) -> bool:
    """The body subscripts, spreads or searches the parameter: a mapping that may be None
    raises there (``values.MAYBE_NONE`` is bound for those, besides methods)."""
    return any(f in text for f in (f"{name}.", f"{name}[", f"**{name}", f" in {name}"))


def _named_texts(
    frame: Frame, fn_id: str, module: ir.Module, func: ir.Function, params: list[Value]
) -> dict[int, frozenset[str]]:
    """Constant strings (or a mapping's constant string fields) passed to parameters the callee
    uses as names: a key (``Key(name)``, ``{name: v}``, ``d[name]``) or a field it reads
    (``params['operation']``). The summary made with them knows which attribute, table or
    entry of a dispatch table the call means."""
    analyzer = frame.analyzer
    uses = analyzer.name_params.get(fn_id)
    if uses is None:
        uses = analyzer.name_params[fn_id] = _name_uses(module.text(func), func.params)
    out: dict[int, frozenset[str]] = {}
    for index, value in enumerate(params):
        use = uses.get(index)
        if use is None:
            continue
        texts: set[str] = set()
        if "name" in use and value.text is not None and len(value.text) <= _MAX_TEXT:
            texts.add(TEXT + value.text)
        if "fields" in use:
            texts |= {
                f"{FIELD}{name}={field.text}"
                for name, field in value.fields.items()
                if name in use["fields"] and field.text is not None and len(field.text) <= _MAX_TEXT
            }
        if texts:
            out[index] = frozenset(texts)
    return out


def _name_uses(text: str, names: tuple[str, ...]) -> dict[int, dict[str, frozenset[str]]]:
    """Per parameter: ``name`` when the body uses it as a name, ``fields`` the constant fields of
    it the body reads (``p['operation']``, ``p.get('operation')``).

    NOTE: only names DynamoDB calls take (a key attribute, a table, an environment variable
    naming one) and a dispatch table's key: specialising every lookup by a parameter
    (``config[name]``) cost a fifth of the analysis on real code."""
    out: dict[int, dict[str, frozenset[str]]] = {}
    dispatches = re.search(r"\]\s*\(", text) is not None
    if not dispatches and not any(w in text for w in ("Key", "Attr", "Table", "environ")):
        return out  # most functions: nothing to search for
    used = _used_as_names(text)
    read = _fields_read(text) if dispatches else {}
    for index, name in enumerate(names):
        if name not in text:
            continue
        use: dict[str, frozenset[str]] = {}
        if _WORD.fullmatch(name):
            fields = read.get(name)
            if name in used:
                use["name"] = frozenset()
        else:  # a name ``\w`` does not spell whole (a combining mark): searched for itself
            as_name, read_fields = _name_patterns(name)
            fields = set(read_fields.findall(text)) if dispatches else None
            if as_name.search(text):
                use["name"] = frozenset()
        if fields:  # ``handlers[kind](...)``: a call through a table
            use["fields"] = frozenset(fields)
        if use:
            out[index] = use
    return out


# NOTE: every word in these places at once, not one pattern per parameter: those were compiled
# per parameter name, more than ``re``'s cache of 512 holds on a real project, and took twice
# the time (docs/benchmarks.md). A word here is a whole run of ``\w`` (each pattern needs a
# non-word character on both sides of it), so a parameter whose name is such a run is in the
# results exactly when its own pattern would match.
_WORD = re.compile(r"\w+")
_AS_KEY_OR_TABLE = re.compile(r"\b(?=(?:Key|Attr|Table|environ)[(\[]\s*(\w+))")
"""``Key(name``, ``Table(name``, ``environ[name``: a lookahead, so that matches may overlap."""
_AS_DICT_KEY = re.compile(r"[{,]\s*(\w+)\s*:")
"""``{name: ...}``, ``, name:``."""
_FIELD_READ = re.compile(r"\b(\w+)(?:\[|\.get\()\s*['\"]([\w-]+)['\"]")
"""``name['field']``, ``name.get("field")``."""


def _used_as_names(text: str) -> set[str]:
    return {m.group(1) for m in _AS_KEY_OR_TABLE.finditer(text)} | set(_AS_DICT_KEY.findall(text))


def _fields_read(text: str) -> dict[str, set[str]]:
    read: dict[str, set[str]] = {}
    for name, field in _FIELD_READ.findall(text):
        read.setdefault(name, set()).add(field)
    return read


@lru_cache(maxsize=1024)
def _name_patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One parameter used as a name, and its constant fields read (``_name_uses``)."""
    p = re.escape(name)
    return (
        re.compile(rf"\b(?:Key|Attr|Table|environ)[(\[]\s*{p}\b|[{{,]\s*{p}\s*:"),
        re.compile(rf"\b{p}(?:\[|\.get\()\s*['\"]([\w-]+)['\"]"),
    )


def self_stores(result: Result, params: list[Value]) -> dict[str, Value]:
    """What a method stored on ``self``, seen from one call (``*``: names it could not read)."""
    return {n: instantiate(v, params) for n, v in result.self_fields.items() if n != "*"}


def _update_receiver(
    frame: Frame, args: Args, receiver: Value, result: Result, params: list[Value]
) -> None:
    """``obj.load()`` / ``self._init_record()``: the attributes the method stores are the
    variable's from here on (``obj.record`` is what ``load`` put there, not any of the data
    the object was built with)."""
    func = args.call.func
    if not isinstance(func, ir.Attr) or not isinstance(func.obj, ir.Name):
        return
    name = func.obj.id
    if frame.env.get(name) is not receiver and frame.lookup(name) is not receiver:
        return
    updated = receiver
    for attribute, value in self_stores(result, params).items():
        # the object contains the value now: methods reading it through ``self`` see it too
        updated = with_field(updated, attribute, value)
    if updated is not receiver:
        frame.env[name] = updated


def _inject(analyzer: Analyzer, cls_id: str, result: Result, params: list[Value]) -> None:
    """Objects this call stores on ``self`` (a handle passed to a setup method) are what the
    instances of the class hold, wherever else their methods run. Only objects: a request
    value stored this way belongs to this call, not to every later one."""
    for name, value in result.self_fields.items():
        stored = instantiate(value, params)
        if stored.refs:
            analyzer.inject(cls_id, name, Value(None, stored.refs, None, None))


def bind_params(func: ir.Function, args: Args, receiver: Value | None) -> list[Value]:
    """The value of each parameter of ``func`` for this call."""
    values = [EMPTY] * len(func.params)
    slots = list(range(func.positional))
    if receiver is not None and func.binding != "static" and slots:
        values[slots.pop(0)] = receiver
    extra: list[Value] = []
    for value in args.positional:
        if slots:
            values[slots.pop(0)] = value
        else:
            extra.append(value)
    index = {name: i for i, name in enumerate(func.params)}
    if func.vararg:
        values[index[func.vararg]] = join_all(extra)
    leftover: dict[str, Value] = {}
    for name, value in args.keywords.items():
        if name in index and name not in (func.vararg, func.kwarg):
            values[index[name]] = value
        else:
            leftover[name] = value
    if func.kwarg:
        # ``f(a=x)`` into ``**kwargs`` is the mapping ``{'a': x}``: its values are what
        # iterating ``kwargs.values()`` gives, as for a dict literal.
        spread = join_all(args.spread)
        contained = join_all([apply(v, CONTAIN) for v in leftover.values()])
        values[index[func.kwarg]] = join(
            Value(contained.labels, frozenset(), leftover or None), spread
        )
    return values


def instantiate_class(frame: Frame, cls_id: str, args: Args) -> Value:
    kinds = frame.analyzer.kinds(cls_id)
    instance = ref(f"inst:{cls_id}")
    if kinds:
        found = frame.models.instantiate(frame, cls_id, args)
        if found is not None:
            return found
    init = frame.analyzer.find_method(cls_id, "__init__")
    stored: dict[str, Value] = {}
    if init is not None:
        call_function(frame, init, args, instance)
        stored = _init_stores(frame, init, args, instance)
    # The object holds its arguments under attribute names the code chose (those ``__init__``
    # sets are known one by one); a ``**mapping`` passes the client's own names.
    named = apply(join_all([*args.positional, *args.keywords.values()]), CONTAIN)
    return Value(declared(join(named, join_all(args.spread))).labels, instance.refs, stored)


def _init_stores(frame: Frame, init: str, args: Args, instance: Value) -> dict[str, Value]:
    """What ``__init__`` stores on ``self`` for this call (its summary is already made)."""
    located = frame.analyzer.project.function(init)
    if located is None:
        return {}
    module, func = located
    params = bind_params(func, args, instance)
    result = frame.analyzer.function_result(init, None, _bound(frame, init, module, func, params))
    return self_stores(result, params) if result.self_fields else {}


def method_call(frame: Frame, call: ir.Call, receiver: Value, name: str, args: Args) -> Value:
    func = call.func
    assert isinstance(func, ir.Attr)
    if name in _MUTATORS:
        add_to(frame, func.obj, args.all())
    claimed = frame.models.named_method(frame, receiver, name, args)
    if claimed is not None:
        return claimed
    results: list[Value] = []
    for ref_name in sorted(receiver.refs):
        found = _ref_method(frame, call, ref_name, receiver, args)
        if found is not None:
            results.append(found)
    modelled = frame.models.method(frame, receiver, name, args) if receiver.refs else None
    if modelled is not None:
        results.append(modelled)
    if not results:
        shaped = frame.models.shaped(frame, name, args)
        if shaped is not None:
            return shaped
        found = mapping_method(frame, func.obj, receiver, name, args)
        if found is not None:
            return found
        if name in _STRING_METHODS:
            built = apply(join(receiver, args.all()), STR)
            return _format_prefix(receiver, built) if name == "format" else built
        return apply(join(receiver, args.all()), SCALAR)
    return join_all(results)


def _format_prefix(template: Value, built: Value) -> Value:
    """``'orders_{company_id}'.format(...)`` begins with ``orders_`` whatever is put in: a key
    built so is never one that begins otherwise (``pre_order_...``)."""
    text = template.text
    if text is None:
        return built
    lead = text.partition("{")[0]
    if "}" in lead or text[len(lead) : len(lead) + 2] == "{{":
        return built  # an escaped brace: the literal text is not simply the lead
    if lead == text:
        return Value(built.labels, frozenset(), None, text)
    if not lead:
        return built
    return Value(built.labels, frozenset({PREFIX + lead}))


def _ref_method(
    frame: Frame, call: ir.Call, ref_name: str, receiver: Value, args: Args
) -> Value | None:
    assert isinstance(call.func, ir.Attr)
    name = call.func.attr
    kind, _, target = ref_name.partition(":")
    analyzer = frame.analyzer
    if kind == "inst":
        method = analyzer.method(target, name)
        if method is not None:
            return call_function(frame, method[0], args, receiver, method[1])
        held = _held_class(analyzer, target, name)
        if held is not None:
            return function_call(frame, call, held, args)
        kinds = analyzer.kinds(target)
        if not kinds:
            return None
        return frame.models.instance_method(frame, target, receiver, name, args)
    if kind == "cls":
        method = analyzer.method(target, name)
        if method is not None:
            return call_function(frame, method[0], args, ref(ref_name), method[1])
        held = _held_class(analyzer, target, name)
        if held is not None:
            return function_call(frame, call, held, args)
        kinds = analyzer.kinds(target)
        return frame.models.class_method(frame, target, name, args) if kinds else None
    if kind == "super":
        return _super_method(frame, target, receiver, name, args)
    if kind == "mod":
        return function_call(frame, call, analyzer.module_attr(target, name), args)
    if kind == "ext":
        qualified = external_name(frame, f"{ref_name}.{name}")
        found = frame.models.call(frame, qualified, args)
        if found is None:
            found = frame.models.shaped(frame, name, args)
        return found if found is not None else apply(args.all(), SCALAR)
    return None


def _held_class(analyzer: Analyzer, cls_id: str, name: str) -> Value | None:
    """``model = PositionTable`` in a class body, called as ``cls.model(...)``: the project
    class the attribute holds (a class is not bound to the instance, unlike a function)."""
    held = analyzer.class_attr(cls_id, name)
    classes = frozenset(r for r in held.refs if r.startswith("cls:"))
    return Value(None, classes) if classes else None


SUPER = "super:"
"""Ref of ``super()`` in a method: ``super:<defining class>><self class>``."""


def _receiver(frame: Frame) -> Value:
    """``self`` (or ``cls``) of the method being analysed."""
    found = frame.analyzer.project.function(frame.fn_id)
    if found is None or not found[1].params:
        return EMPTY
    return frame.lookup(found[1].params[0])


def super_value(frame: Frame, receiver: Value) -> Value:
    """``super()`` in a method of ``frame.class_id``: ``self`` seen from the next class on."""
    if frame.class_id is None:
        return EMPTY
    name = f"{SUPER}{frame.class_id}>{frame.self_class or frame.class_id}"
    return Value(receiver.labels, frozenset({name}), receiver.fields)


def _super_method(
    frame: Frame, target: str, receiver: Value, name: str, args: Args
) -> Value | None:
    """``super().name(...)``: the first definition after the defining class in ``self``'s
    class hierarchy, or what a model says the library base class does."""
    analyzer = frame.analyzer
    defining, _, self_class = target.partition(">")
    instance = Value(receiver.labels, frozenset({f"inst:{self_class}"}), receiver.fields)
    for facts in analyzer.mro(defining)[1:]:
        if name in facts.info.methods:
            fn_id = f"{facts.cls_id.partition(':')[0]}:{facts.info.qualname}.{name}"
            return call_function(frame, fn_id, args, instance, self_class)
    if not analyzer.kinds(self_class):
        return None
    return frame.models.instance_method(frame, self_class, instance, name, args)
