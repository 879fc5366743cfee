"""One body under analysis (``Frame``), the arguments of one call (``Args``), and the interface
through which models of libraries answer the interpreter's questions (``Model``).

The interpreter knows Python, not libraries. Whenever it meets something only a library model can
explain - a call of an external name, a method of an object a model made, a decorator, an ``if``
that may be an authorization check - it asks ``frame.models`` (``knowledge.Models``, the ordered
set of registered models), and the first model that answers decides. Every answer defaults to
"not mine" (``None`` / ``False``), so a model implements only what its library does.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from dynaguard.static.flow import accesses
from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.dispatch import ROUTES
from dynaguard.static.flow.events import Event
from dynaguard.static.flow.result import Mount, Result, RouteDecl
from dynaguard.static.flow.values import (
    EMPTY,
    Kind,
    Step,
    Value,
    join,
    join_all,
    only_client,
    only_params,
    ref,
    tainted,
)
from dynaguard.static.source import ir
from dynaguard.static.source.deployment import Handler
from dynaguard.static.source.lower import STAR
from dynaguard.static.source.project import Project

_BUILTINS = frozenset(dir(builtins))
ANY_PACKAGE = "*"
"""In ``Model.packages``: the model is asked about calls of every external name."""


class Frame:
    """Locals, the events seen so far, and where this body lives."""

    def __init__(
        self,
        analyzer: Analyzer,
        models: Model,
        module: ir.Module,
        fn_id: str,
        qualname: str,
        *,
        outer: Frame | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.models = models
        self.module = module
        self.fn_id = fn_id
        self.qualname = qualname
        self.outer = outer
        self.env: dict[str, Value] = {}
        self.events: dict[tuple[str, str, str, int, int, str], Event] = {}
        self.returns = EMPTY
        self.calls: set[str] = set()
        self.routes: list[RouteDecl] = []
        self.mounts: list[Mount] = []
        self.injected: list[tuple[str, str]] = []
        self.accesses: accesses.Entries = {}
        self.class_id: str | None = None
        """The class whose body defines this method (``super()`` starts after it)."""
        self.self_class: str | None = None
        """The class ``self`` (or ``cls``) is here: the defining one, or a subclass inheriting
        the method (``Analyzer.function_result(..., self_class)``)."""
        self.is_module = fn_id.endswith(":<module>")
        self.catching: frozenset[str] = frozenset()
        """Exceptions the enclosing ``try`` blocks handle here (see ``Event.caught``)."""
        self.left_loop: list[dict[str, Value]] = []
        """Environments of paths that left the loop being run by ``break`` or ``continue``."""
        self.spent = 0
        """Statements run so far (loops run their bodies again): see ``budget.py``."""
        self.elements: dict[str, str] = {}
        """Loop variables bound to an element of a local container (``for item in items``):
        a field stored on the element is stored in the container too."""
        self.serves: frozenset[str] | None = None
        """The routes that can reach this point, when the entry point serves several and names
        them (``dispatch.py``); None when nothing is known."""

    def step(self, line: int, col: int, note: str, origin: str = "") -> Step:
        return Step(self.module.path, line, col, self.qualname, note, origin)

    def lookup(self, name: str) -> Value:
        found = self.env.get(name)
        if found is not None:
            return found
        if self.outer is not None:
            return self.outer.lookup(name)
        if not self.is_module:
            value = self.analyzer.global_value(self.module.name, name)
            if value:
                return value
        elif STAR in self.env:
            value = self.analyzer.starred(self.env, name, {self.module.name})
            if value:
                return value
        return ref(f"builtin:{name}") if name in _BUILTINS else EMPTY

    def routed(self, event: Event) -> Event:
        """The event with the routes that reach it here, when the entry point serves several
        (``dispatch.py``): a callee's own dispatch may have narrowed them further."""
        if self.serves is None:
            return event
        own = event.args.get(ROUTES)
        routes = self.serves & own.refs if own is not None else self.serves
        return event.with_args({**event.args, ROUTES: Value(refs=routes or self.serves)})

    def emit(self, event: Event) -> None:
        event = self.routed(event)
        if event.site.function == self.qualname and event.site.path == self.module.path:
            accesses.record(self.accesses, event)  # made here; callees' come with their summary
        if not any(tainted(v) for v in event.args.values()):
            return  # no request data and no parameter reaches it: nothing any rule can say
        if self.catching:
            event = event.with_args(event.args, event.caught | self.catching)
        key = event.key
        old = self.events.get(key)
        if old is not None:
            names = old.args.keys() | event.args.keys()
            merged = {n: join(old.args.get(n, EMPTY), event.args.get(n, EMPTY)) for n in names}
            # Caught only if caught on every path that reaches the call.
            event = old.with_args(merged, old.caught & event.caught)
        self.events[key] = event

    def result(self) -> Result:
        client: list[Event] = []
        params: list[Event] = []
        for event in self.events.values():
            # Untainted arguments stay whole: their constants (names, expressions) explain the rest.
            split_client = {n: only_client(v) if tainted(v) else v for n, v in event.args.items()}
            split_params = {n: only_params(v) if tainted(v) else v for n, v in event.args.items()}
            if any(v.labels or v.fields for v in split_client.values()):
                client.append(event.with_args(split_client))
            if any(v.labels or v.fields for v in split_params.values()):
                params.append(event.with_args(split_params))
        self_value = self.env.get("self", EMPTY) if self.class_id else EMPTY
        return Result(
            self.returns,
            tuple(params),
            tuple(client),
            dict(self_value.fields),
            frozenset(self.calls),
            tuple(self.routes),
            tuple(self.injected),
            tuple(self.accesses.values()),
            tuple(self.mounts),
        )


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

    @property
    def call(self) -> ir.Call:
        return self._at[1]

    def all(self) -> Value:
        return join_all([*self.positional, *self.keywords.values(), *self.spread])

    def first(self, keyword: str = "") -> Value:
        if keyword and keyword in self.keywords:
            return self.keywords[keyword]
        return self.positional[0] if self.positional else EMPTY


@dataclass(frozen=True, slots=True)
class Source:
    """Declared effect of a call: it returns a value of this provenance (data, not code).

    ``param`` is ``values.REQUEST`` (request data), ``values.IDENTITY`` (the caller) or
    ``values.FRESH`` (a value the server generates unique); the flow step reads ``note`` (by
    default the called name's last part and ``()``) with ``origin``.
    """

    param: int
    kind: Kind
    origin: str
    note: str = ""

    def value(self, name: str, site: Step) -> Value:
        note = self.note or f"{name.rpartition('.')[2]}()"
        step = Step(site.path, site.line, site.col, site.function, note, self.origin)
        return Value(labels={(self.param, int(self.kind)): (step,)})


class Model:
    """What dynaguard knows about one library: data the interpreter reads, and the questions it
    asks. Subclasses override what their library does; each module under ``models/`` declares one
    (or a few) and ``models/registered.py`` lists them in the order they are asked."""

    name = ""
    packages: frozenset[str] = frozenset()
    """Top-level names of the packages the model covers (``ANY_PACKAGE``: every external call).
    ``call`` and ``ext_attribute`` are asked only for names under them, and no import of them is
    ever resolved to a project module."""
    builtins: frozenset[str] = frozenset()
    """Builtin functions whose calls ``call`` is asked about too (``builtin:getattr``)."""
    ref_kinds: frozenset[str] = frozenset()
    subscripted_kinds: frozenset[str] = frozenset()
    """Kinds of ``ref_kinds`` whose objects are read by subscript (a Lambda event): a callee
    that only subscripts such a parameter still needs the object bound (``calls._bound``)."""
    """Prefixes (before ``:``) of the refs this model's objects carry: ``method`` and
    ``attribute`` are asked about values that carry one."""
    class_kinds: Mapping[str, str] = MappingProxyType({})
    """External base class -> the kind its project subclasses get (``kind_of``'s default)."""
    kinds: frozenset[str] = frozenset()
    """Class kinds this model explains: it is asked about their instances and classes."""
    method_names: frozenset[str] = frozenset()
    """Method names ``named_method`` is asked about before anything else, whatever the receiver
    (``add_url_rule``)."""
    aliases: Mapping[str, str] = MappingProxyType({})
    """External names that are another's spelling (``ext:flask.globals.request``)."""
    relevant_names: frozenset[str] = frozenset()
    """Names that make a function worth summarising up front (``relevance.py``)."""
    sources: Mapping[str, Source] = MappingProxyType({})
    """Declared calls: external name -> the provenance of what it returns (``call``'s default)."""

    # -- calls and attributes ----------------------------------------------------------------

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        """A call of ``name`` (``ext:boto3.resource``, or one of ``builtins``)."""
        declared = self.sources.get(name)
        return declared.value(name, args.site) if declared is not None else None

    def named_method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        """``receiver.name(...)`` for one of ``method_names``: an answer ends the call here."""
        return None

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        """``receiver.name(...)`` where the receiver carries one of ``ref_kinds``."""
        return None

    def attribute(self, frame: Frame, obj: Value, name: str, line: int, col: int) -> Value | None:
        """``obj.name`` where ``obj`` carries one of ``ref_kinds``."""
        return None

    def subscript(
        self, frame: Frame, container: Value, key: Value, at: tuple[int, int]
    ) -> Value | None:
        """``container[key]`` where the container is something a model made (or an external
        object): ``dynamo.tables['users']``."""
        return None

    def shaped(self, frame: Frame, name: str, args: Args) -> Value | None:
        """``x.name(...)`` that nothing else explained (``x`` unknown, or an external object no
        model knows): a model may still recognise the call by its shape alone."""
        return None

    def ext_attribute(
        self, frame: Frame, ref_name: str, name: str, line: int, col: int
    ) -> Value | None:
        """``x.name`` of an external module or object ``ref_name`` (``ext:flask.request``)."""
        return None

    def imported(self, path: str, name: str) -> Value | None:
        """What ``from module import name`` binds, when it is more than a reference to it."""
        return None

    def returned(self, value: Value, args: Args) -> Value:
        """What a project function returned to this call, as the model sees it."""
        return value

    def combine(self, parts: list[Value]) -> frozenset[str] | None:
        """The refs of ``a & b``, ``a | b``, ``~a`` when the parts are this model's objects."""
        return None

    def entry_points(self, analyzer: Analyzer, handlers: Sequence[Handler]) -> list[RouteDecl]:
        """Entry points that no decorator or registration call declares (a Lambda handler
        named by a deployment descriptor, or by its shape), once every module is analysed."""
        return []

    # -- classes -----------------------------------------------------------------------------

    def kind_of(self, base: str) -> str | None:
        """The kind a project class gets from the external base class ``base``."""
        return self.class_kinds.get(base)

    def instantiate(self, frame: Frame, cls_id: str, args: Args) -> Value | None:
        """``Cls(...)`` of a project class of one of ``kinds``."""
        return None

    def instance_method(
        self,
        frame: Frame,
        cls_id: str,
        receiver: Value,
        name: str,
        args: Args,
    ) -> Value | None:
        """``obj.name(...)`` on an instance, when the project class defines no such method."""
        return None

    def class_method(self, frame: Frame, cls_id: str, name: str, args: Args) -> Value | None:
        """``Cls.name(...)`` when the project class defines no such method."""
        return None

    def class_attribute(self, frame: Frame, cls_id: str, name: str, value: Value) -> Value | None:
        """``Cls.name``: ``value`` is what the class body bound to it."""
        return None

    # -- what the code does around the calls ---------------------------------------------------

    def decorate(self, frame: Frame, target: str, decorator: ir.Expr, is_class: bool) -> bool:
        """A decorator of the function or class ``target``; True when the model has dealt with
        it (the interpreter then does not evaluate it)."""
        return False

    def on_test(self, frame: Frame, stmt: ir.If) -> None:
        """An ``if`` statement, after its test is evaluated (authorization checks)."""

    answers_project_calls = True
    """Whether ``project_call`` may answer (the interpreter skips asking when no model does)."""

    def answers_in(self, project: Project) -> bool:
        """Whether ``project_call`` may answer for this project (asking costs every call)."""
        return True

    def project_call(
        self, frame: Frame, fn_id: str, args: Args, summary: Callable[[], Value]
    ) -> Value | None:
        """A call of the project function ``fn_id``, before its summary is applied.

        ``summary()`` applies it (the callee's events, accesses and checks, instantiated for
        this call) and gives what the callee returns. A model may answer without calling it -
        the call is then only what the model says (a function the user declared as a DynamoDB
        wrapper: its body would report the same write twice) - or call it and adjust what it
        returns. ``None``: not this model's function, the summary applies as usual."""
        return None

    def on_call(self, frame: Frame, fn_id: str, params: list[Value]) -> None:
        """A call of the project function ``fn_id`` with its parameters bound."""

    def on_bare_call(self, frame: Frame, call: ir.Call) -> None:
        """A call made for its effect alone (an expression statement), after it ran."""
