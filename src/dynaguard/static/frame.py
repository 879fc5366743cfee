"""The state of one analysis run over a function body (or a module or class body)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dynaguard.static import accesses, ir
from dynaguard.static.events import Event
from dynaguard.static.values import EMPTY, Step, Value, join, only_client, only_params, ref, tainted

if TYPE_CHECKING:
    from dynaguard.static.summaries import Analyzer

_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True, slots=True)
class RouteDecl:
    """A Flask route registration: a view function or a class of method handlers."""

    target: str
    """Function id, or class id when ``is_class``."""
    rule: str
    methods: tuple[str, ...] | None
    """Upper-case methods; None: the function default (GET) or the class's method names."""
    is_class: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    """What analysing a function body tells its callers and the engine."""

    returns: Value
    param_events: tuple[Event, ...]
    """Sinks reached from parameters: the summary callers instantiate."""
    client_events: tuple[Event, ...]
    """Sinks reached by request data inside this function (or callees it passed data to)."""
    self_fields: dict[str, Value]
    calls: frozenset[str]
    routes: tuple[RouteDecl, ...]
    injected: tuple[tuple[str, str], ...]
    """(function id, ``FIELDS`` or ``VALUE``): webargs-decorated handlers seen here."""
    accesses: tuple[accesses.Entry, ...] = ()
    """Every DynamoDB access, here or in callees, in order, tainted or not (``accesses.py``)."""


EMPTY_RESULT = Result(EMPTY, (), (), {}, frozenset(), (), ())


class Frame:
    """Locals, the events seen so far, and where this body lives."""

    def __init__(
        self,
        analyzer: Analyzer,
        module: ir.Module,
        fn_id: str,
        qualname: str,
        outer: Frame | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.module = module
        self.fn_id = fn_id
        self.qualname = qualname
        self.outer = outer
        self.env: dict[str, Value] = {}
        self.events: dict[tuple[str, str, str, int, int], Event] = {}
        self.returns = EMPTY
        self.calls: set[str] = set()
        self.routes: list[RouteDecl] = []
        self.injected: list[tuple[str, str]] = []
        self.accesses: dict[accesses.EntryKey, accesses.Entry] = {}
        self.class_id: str | None = None
        self.is_module = fn_id.endswith(":<module>")
        self.catching: frozenset[str] = frozenset()
        """Exceptions the enclosing ``try`` blocks handle here (see ``Event.caught``)."""

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
        return ref(f"builtin:{name}") if name in _BUILTINS else EMPTY

    def emit(self, event: Event) -> None:
        if event.site.function == self.qualname and event.site.path == self.module.path:
            accesses.record(self, event)  # a call made here; callees' come with their summary
        if not any(tainted(v) for v in event.args.values()):
            return  # no request data and no parameter reaches it: nothing any rule can say
        if self.catching:
            event = Event(event.op, event.api, event.site, event.args, event.caught | self.catching)
        key = event.key
        old = self.events.get(key)
        if old is not None:
            names = old.args.keys() | event.args.keys()
            merged = {n: join(old.args.get(n, EMPTY), event.args.get(n, EMPTY)) for n in names}
            # Caught only if caught on every path that reaches the call.
            event = Event(old.op, old.api, old.site, merged, old.caught & event.caught)
        self.events[key] = event

    def result(self) -> Result:
        client: list[Event] = []
        params: list[Event] = []
        for event in self.events.values():
            # Untainted arguments stay whole: their constants (names, expressions) explain the rest.
            split_client = {n: only_client(v) if tainted(v) else v for n, v in event.args.items()}
            split_params = {n: only_params(v) if tainted(v) else v for n, v in event.args.items()}
            if any(v.labels or v.fields for v in split_client.values()):
                client.append(Event(event.op, event.api, event.site, split_client, event.caught))
            if any(v.labels or v.fields for v in split_params.values()):
                params.append(Event(event.op, event.api, event.site, split_params, event.caught))
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
        )
