"""Calls and attribute loads: project functions through their summaries, the rest by models."""

from __future__ import annotations

from dynaguard.static import accesses, authz, flask_routes, handles, ir, libraries, tables
from dynaguard.static.evaluate import evaluate
from dynaguard.static.frame import Frame
from dynaguard.static.interp import add_to
from dynaguard.static.summaries import instantiate, instantiate_event
from dynaguard.static.values import (
    ELEM,
    EMPTY,
    SCALAR,
    STR,
    Step,
    Value,
    apply,
    join,
    join_all,
    ref,
)

_STRING_METHODS = frozenset(
    {
        "format",
        "join",
        "replace",
        "strip",
        "lower",
        "upper",
        "split",
        "encode",
        "decode",
        "rstrip",
        "lstrip",
        "title",
        "capitalize",
        "casefold",
        "format_map",
    }
)
_MUTATORS = frozenset({"append", "add", "extend", "insert", "appendleft"})


class Args:
    """Evaluated arguments of one call."""

    def __init__(
        self,
        positional: list[Value],
        keywords: dict[str, Value],
        spread: list[Value],
        at: tuple[Frame, ir.Call],
    ) -> None:
        self._at = at
        self._site: Step | None = None
        self.positional = positional
        self.keywords = keywords
        self.spread = spread
        """Values passed as ``**mapping``."""

    @property
    def site(self) -> Step:
        """The call, for events and flow steps (made on first use: most calls never need it)."""
        if self._site is None:
            frame, call = self._at
            self._site = frame.step(call.line, call.col, "")
        return self._site

    def all(self) -> Value:
        return join_all([*self.positional, *self.keywords.values(), *self.spread])

    def first(self, keyword: str = "") -> Value:
        if keyword and keyword in self.keywords:
            return self.keywords[keyword]
        return self.positional[0] if self.positional else EMPTY


def evaluate_call(frame: Frame, call: ir.Call) -> Value:
    positional = [evaluate(frame, a) for a in call.args]
    keywords: dict[str, Value] = {}
    spread: list[Value] = []
    for name, expr in call.kwargs:
        value = evaluate(frame, expr)
        if name is None:
            spread.append(value)
            for field, field_value in value.fields.items():
                keywords.setdefault(field, field_value)
        else:
            keywords[name] = value
    args = Args(positional, keywords, spread, (frame, call))
    if isinstance(call.func, ir.Attr):
        receiver = evaluate(frame, call.func.obj)
        return method_call(frame, call, receiver, call.func.attr, args)
    return function_call(frame, call, evaluate(frame, call.func), args)


def function_call(frame: Frame, call: ir.Call, func: Value, args: Args) -> Value:
    results: list[Value] = []
    for name in sorted(func.refs):
        found = _call_ref(frame, call, name, args)
        if found is not None:
            results.append(found)
    if results:
        return join_all(results)
    return apply(args.all(), SCALAR)  # an unknown function: a client scalar stays one


def _call_ref(frame: Frame, call: ir.Call, name: str, args: Args) -> Value | None:
    kind, _, target = name.partition(":")
    if kind == "fn":
        return call_function(frame, target, args, None)
    if kind == "cls":
        return instantiate_class(frame, target, args)
    if kind == "ext":
        made = handles.call_factory(name, args) if name in handles.FACTORIES else None
        if made is not None:
            value, events = made
            for event in events:
                frame.emit(event)
            return value
        return libraries.external_call(frame, name, args)
    if kind == "builtin":
        return libraries.builtin_call(frame, call, target, args)
    if kind == "bound":
        cls_id, _, method = target.rpartition(".")
        fn_id = frame.analyzer.find_method(cls_id, method)
        return call_function(frame, fn_id, args, ref(f"inst:{cls_id}")) if fn_id else None
    return None


def call_function(frame: Frame, fn_id: str, args: Args, receiver: Value | None) -> Value:
    analyzer = frame.analyzer
    found = analyzer.project.function(fn_id)
    if found is None:
        return EMPTY
    result = analyzer.function_result(fn_id)
    frame.calls.add(fn_id)
    params = bind_params(found[1], args, receiver)
    for event in result.param_events:
        frame.emit(instantiate_event(event, params))
    if result.accesses:
        accesses.inherit(
            frame, result.accesses, lambda event: instantiate_event(event, params), args.site
        )
    authz.inherit(frame, fn_id, params)
    returned = instantiate(result.returns, params)
    if any(r.startswith(handles.TABLE_ID) for r in returned.refs):  # table("users")
        texts = [a.text for a in (*args.positional, *args.keywords.values()) if a.text]
        returned = tables.named_by_call(returned, texts)
    return returned


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
        spread = join_all(args.spread)
        values[index[func.kwarg]] = join(
            Value(spread.labels, frozenset(), leftover or None), spread
        )
    return values


def instantiate_class(frame: Frame, cls_id: str, args: Args) -> Value:
    facts = frame.analyzer.class_facts(cls_id)
    kinds = facts.kinds if facts else frozenset()
    instance = ref(f"inst:{cls_id}")
    if kinds & {"pynamo", "pydantic", "schema"}:
        return libraries.model_instance(frame, cls_id, kinds, args)
    init = frame.analyzer.find_method(cls_id, "__init__")
    if init is not None:
        call_function(frame, init, args, instance)
    declared = libraries.declared(args.all())
    return Value(declared.labels, instance.refs)


def method_call(frame: Frame, call: ir.Call, receiver: Value, name: str, args: Args) -> Value:
    func = call.func
    assert isinstance(func, ir.Attr)
    if name in _MUTATORS:
        add_to(frame, func.obj, args.all())
    if name in flask_routes.REGISTRATIONS:
        flask_routes.register(frame, call, receiver, name, args)
        return EMPTY
    results: list[Value] = []
    for ref_name in sorted(receiver.refs):
        found = _ref_method(frame, call, ref_name, receiver, args)
        if found is not None:
            results.append(found)
    modelled = (
        handles.method(receiver.refs, name, args) if handles.is_handle(receiver.refs) else None
    )
    if modelled is not None:
        for event in modelled[1]:
            frame.emit(event)
        results.append(modelled[0])
    if not results:
        found = libraries.mapping_method(frame, func.obj, receiver, name, args)
        if found is not None:
            return found
        if name in _STRING_METHODS:
            return apply(join(receiver, args.all()), STR)
        return apply(join(receiver, args.all()), SCALAR)
    return join_all(results)


def _ref_method(
    frame: Frame, call: ir.Call, ref_name: str, receiver: Value, args: Args
) -> Value | None:
    assert isinstance(call.func, ir.Attr)
    name = call.func.attr
    kind, _, target = ref_name.partition(":")
    analyzer = frame.analyzer
    if kind == "inst":
        method = analyzer.find_method(target, name)
        if method is not None:
            return call_function(frame, method, args, receiver)
        return libraries.instance_method(frame, target, receiver, name, args)
    if kind == "cls":
        if name == "as_view":
            return ref(f"view:{target}")
        method = analyzer.find_method(target, name)
        if method is not None:
            return call_function(frame, method, args, ref(ref_name))
        return libraries.class_method(frame, target, name, args)
    if kind == "mod":
        return function_call(frame, call, analyzer.module_attr(target, name), args)
    if kind == "ext":
        return _call_ref(frame, call, libraries.ext_name(f"{ref_name}.{name}"), args)
    return libraries.other_method(frame, ref_name, receiver, name, args)


def attribute(frame: Frame, obj: Value, name: str, line: int, col: int) -> Value:
    """``obj.name``."""
    parts: list[Value] = []
    if name in obj.fields:
        parts.append(obj.fields[name])
    elif obj.labels:
        parts.append(apply(obj, ELEM))
    for ref_name in sorted(obj.refs):
        found = _ref_attribute(frame, ref_name, name, line, col)
        if found is not None:
            parts.append(found)
    handle = handles.attribute(obj.refs, name)
    if handle is not None:
        parts.append(handle)
    return join_all(parts)


def _ref_attribute(frame: Frame, ref_name: str, name: str, line: int, col: int) -> Value | None:
    kind, _, target = ref_name.partition(":")
    analyzer = frame.analyzer
    if kind == "mod":
        return analyzer.module_attr(target, name)
    if kind == "ext":
        found = libraries.request_attribute(frame, ref_name, name, line, col)
        return found if found is not None else ref(libraries.ext_name(f"{ref_name}.{name}"))
    if kind == "cls":
        return libraries.class_attribute(frame, target, name)
    if kind == "inst":
        if analyzer.find_method(target, name) is not None:
            return ref(f"bound:{target}.{name}")
        return analyzer.instance_attr(target, name)
    return libraries.other_attribute(frame, ref_name, name, line, col)
