"""The analysis run: summarise every body, find the routes, check events, build findings."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from typing import TypeVar

from dynaguard.model import (
    Coverage,
    Endpoint,
    Finding,
    Rule,
    ScanWarning,
    Suppression,
    SuppressionKind,
)
from dynaguard.static.facts.handlers import ROUTE_VARIABLE
from dynaguard.static.findings import Sources, build, with_fingerprints
from dynaguard.static.flow import dispatch, relevance
from dynaguard.static.flow.accesses import Access
from dynaguard.static.flow.analyzer import Analyzer, Bound, base_id
from dynaguard.static.flow.events import Event, Recognised
from dynaguard.static.flow.frame import Model
from dynaguard.static.flow.injection import injected_arguments
from dynaguard.static.flow.inputs import TYPED, VALIDATED
from dynaguard.static.flow.instantiate import instantiate_event
from dynaguard.static.flow.interp import Interpreter
from dynaguard.static.flow.knowledge import Models
from dynaguard.static.flow.result import Mount, RouteDecl
from dynaguard.static.flow.values import (
    EMPTY,
    GIVEN,
    Kind,
    Step,
    Value,
    only_client,
    source,
    tainted,
    with_step,
)
from dynaguard.static.models import authz
from dynaguard.static.models.boto3 import unrecognised_calls
from dynaguard.static.models.declared import Declared
from dynaguard.static.models.registered import MODELS
from dynaguard.static.rules import CHECKS
from dynaguard.static.rules.base import RuleCheck
from dynaguard.static.source import cdk, deployment, ir
from dynaguard.static.source.project import Project
from dynaguard.static.source.suppress import suppressed_at

_WRITES = ("POST", "PUT", "PATCH", "DELETE")
_HTTP = ("get", "post", "put", "patch", "delete")

T = TypeVar("T")


class Run:
    """One analysis over a set of lowered modules."""

    def __init__(
        self,
        modules: Sequence[ir.Module],
        rules: Collection[Rule],
        models: Sequence[Model] = MODELS,
        descriptors: Sequence[deployment.Handler] = (),
        gateways: Sequence[cdk.Gateway] = (),
    ) -> None:
        self.models = Models(models)
        self.descriptors = descriptors
        self.gateways = {(g.path, g.function): g for g in gateways}
        """Lambda handlers the project's Serverless or SAM files declare."""
        self.unseen_auth: set[str] = set()
        self.guarded: dict[str, set[Endpoint]] = {}
        """Routes an authorizer guards, by handler; the handler counts as authenticated only
        when all its routes are (one Lambda may serve guarded and open routes)."""
        """Entry points whose authentication is configured where dynaguard cannot read it."""
        self._entry_bound: dict[str, dict[str, Value]] = {}
        """Entry points' parameters the framework fills (a Lambda handler's ``event``)."""
        self.project = Project(modules, external=self.models.packages)
        self.models.limit_to(self.project)
        self.analyzer = Analyzer(self.project, Interpreter(self.models))
        self.checks = [CHECKS[r.id] for r in sorted(rules, key=lambda r: r.id) if r.id in CHECKS]
        self._failed: set[str] = set()
        """Rules that raised: skipped for the rest of the run, with a warning."""
        self._event_checks = [c for c in self.checks if c.per_event]
        self.sources = Sources({m.path: m.source for m in modules})
        self.routes: dict[str, list[Endpoint]] = {}
        self.callers: dict[str, set[str]] = {}
        self.injected: dict[str, str] = {}
        """Handlers whose parameters webargs fills (FIELDS or VALUE)."""
        self._events: list[tuple[Event, Endpoint | None]] | None = None
        self._arguments: dict[str, list[Value]] = {}
        self._decorated: dict[str, dict[str, Value]] = {}
        self._bound: dict[str, list[Event | None]] = {}

    def findings(self) -> tuple[list[Finding], list[Finding]]:
        """(findings after suppression, the findings suppressions hid, each with its
        ``suppression``)."""
        self._analyse_all()
        kept: dict[tuple[str, str, int, int, str], dict[Endpoint | None, Finding]] = {}
        for finding in self._raw():
            loc = finding.location
            assert loc is not None
            key = (finding.rule.id, loc.path, loc.line, loc.column, finding.message)
            # One finding per route that reaches the place: a weakness in a helper shared by
            # two routes is one in each (a route-less copy adds nothing to a routed one).
            kept.setdefault(key, {}).setdefault(finding.endpoint, finding)
        visible, suppressed = [], []
        for finding in _per_route(kept.values()):
            loc = finding.location
            assert loc is not None
            module = self.project.at_path(loc.path)
            line = (
                None
                if module is None
                else suppressed_at(module.suppressions, loc.line, finding.rule.id)
            )
            if line is None:
                visible.append(finding)
            else:
                why = f"# dynaguard: ignore[{finding.rule.id}] at {loc.path}:{line}"
                suppressed.append(
                    replace(finding, suppression=Suppression(SuppressionKind.IN_SOURCE, why))
                )
        # Numbered apart, so a suppressed copy never changes a visible one's fingerprint.
        return with_fingerprints(visible), with_fingerprints(suppressed)

    def close(self) -> None:
        """Break the run's reference cycles, so it is freed as soon as it is dropped."""
        self.analyzer.close()
        for module in self.project.modules.values():
            module.release()

    def coverage(self) -> Coverage:
        """What the run recognised: routes, DynamoDB calls by how, routes that reach none."""
        kinds: dict[tuple[str, int, int], Recognised] = {}
        for result in self.analyzer.results.values():
            for entry in result.accesses:
                if isinstance(entry, Access) and not entry.via:
                    site = entry.event.site
                    kinds.setdefault((site.path, site.line, site.col), entry.event.recognised)
        counts = Counter(kinds.values())
        blind: list[str] = []
        reaching = 0
        for fn_id, endpoints in self.routes.items():
            if any(type(e) is Access for e in self.analyzer.function_result(fn_id).accesses):
                reaching += 1
            else:
                blind += (f"{endpoint.method} {endpoint.path}" for endpoint in endpoints)
                if not endpoints:  # an entry point no route names: the handler names it
                    blind.append(f"handler {fn_id.replace(':', '.')}")
        blind.sort()
        return Coverage(
            routes=len(self.routes),
            routes_reaching_dynamodb=reaching,
            by_provenance=counts[Recognised.PROVENANCE],
            by_shape=counts[Recognised.SHAPE],
            by_model=counts[Recognised.DECLARED],
            unrecognised=len(unrecognised_calls(self.analyzer) - kinds.keys()),
            blind_routes=tuple(blind),
        )

    def warnings(self) -> list[ScanWarning]:
        out = list(self.analyzer.warnings)
        reported = {(w.path, w.message) for w in out}
        for module in self.project.modules.values():
            for func in module.too_deep():
                message = f"{func.qualname} is nested too deeply to analyse"
                if (module.path, message) not in reported:
                    out.append(ScanWarning(message, path=module.path, line=func.line))
        for model in self.models.members:
            if isinstance(model, Declared):
                out += model.unmatched(self.analyzer)
        for module in self.project.modules.values():
            for line in module.bare_suppressions:
                message = f"{module.path}:{line}: '# dynaguard: ignore' names no rule and suppresses nothing; write '# dynaguard: ignore[DG101]'"
                out.append(ScanWarning(message, path=module.path, line=line))
        return out

    def _analyse_all(self) -> None:
        """Module bodies, then the functions that can matter (``relevance.py``) and the functions
        nested in them, then every route handler; anything else only as their calls reach it."""
        for name in sorted(self.project.modules):
            self.analyzer.module_result(name)
        self._prebind()
        pending = relevance.roots(self.analyzer, self.models.relevant_names)
        # App factories first: what they set up (``im.initialise(cm)``) is what the handlers
        # they register find on their objects, and summaries are computed once.
        registering = relevance.registering_modules(self.project)
        pending.sort(key=lambda fn_id: not relevance.factory(self.project, fn_id, registering))
        done: set[str] = set()
        while pending:
            for fn_id in pending:
                self.analyzer.function_result(fn_id)
            done.update(pending)
            pending = sorted(self._nested(done) - done)
        self._collect_routes()
        for fn_id in sorted(self.routes):
            self._bind_decorated(fn_id)
            self.analyzer.function_result(fn_id)
        for fn_id, result in list(self.analyzer.results.items()):
            for callee in result.calls:
                self.callers.setdefault(callee, set()).add(base_id(fn_id))
            self.injected.update(result.injected)

    def _bind_decorated(self, fn_id: str) -> None:
        """What the handler's decorators pass it; objects among them (a table, a resource) are
        bound in its summary, which is computed again if it was already."""
        found = self.project.function(fn_id)
        if found is None:
            return
        _, func = found
        # The decorators as the authorization model recorded them where they are applied.
        applied = [(d.refs, d.texts) for d in authz.notes(self.analyzer).decorators.get(fn_id, ())]
        injected = injected_arguments(self.analyzer, self.models, applied)
        decorated = {**self._entry_bound.get(fn_id, {}), **injected}
        self._decorated[fn_id] = decorated
        given = {name: Value(refs=frozenset({GIVEN})) for name in self._always_matched(fn_id)}
        objects = {**given, **decorated}
        if not objects:
            return
        index = {name: i for i, name in enumerate(func.params)}
        bound = tuple(
            (index[name], value.refs)
            for name, value in sorted(objects.items(), key=lambda kv: index.get(kv[0], -1))
            if name in index and value.refs
        )
        if bound:
            self._bind(fn_id, bound)
        elif self.analyzer.default_bound.pop(fn_id, None) is not None:
            self.analyzer.results.pop(fn_id, None)  # bound too early (``_prebind``)

    def _bind(self, fn_id: str, bound: Bound) -> None:
        """The handler's summary is made with ``bound``: again, if it was made without."""
        if self.analyzer.default_bound.get(fn_id) != bound:
            self.analyzer.default_bound[fn_id] = bound
            self.analyzer.results.pop(fn_id, None)

    def _prebind(self) -> None:
        """The route variables of the handlers module bodies declare, bound before any summary
        is made (``_bind_decorated`` binds the same, and the summary is made once; it is made
        again only where decorators, app factories or mounts change the binding)."""
        results = [self.analyzer.results[key] for key in sorted(self.analyzer.results)]
        mounts = Mounts(m for result in results for m in result.mounts)
        paths: dict[str, list[str]] = {}
        for result in results:
            for decl in result.routes:
                if decl.routed:
                    for handler, endpoint in self._endpoints(decl, mounts.path(decl)):
                        paths.setdefault(handler, []).append(endpoint.path)
        for fn_id, handler_paths in sorted(paths.items()):
            found = self.project.function(fn_id)
            if found is None:
                continue
            index = {name: i for i, name in enumerate(found[1].params)}
            given = sorted(index[n] for n in _always_matched(handler_paths) if n in index)
            if given:
                self._bind(fn_id, tuple((i, frozenset({GIVEN})) for i in given))

    def _always_matched(self, fn_id: str) -> set[str]:
        """Route variables every route of the handler has: the router only calls it with a
        non-empty segment there (a route without the variable, given a default, may pass
        ``None``; Flask's ``<int:n>`` and ``<float:x>`` may pass a zero)."""
        return _always_matched([e.path for e in self.routes.get(fn_id, ())])

    def _nested(self, outer: set[str]) -> set[str]:
        """Ids of the functions defined inside the ``outer`` ones (known once those are lowered)."""
        found = set()
        for name, module in self.project.modules.items():
            for qualname in list(module.functions):
                parent = qualname.rpartition(".")[0]
                if parent and f"{name}:{parent}" in outer:
                    found.add(f"{name}:{qualname}")
        return found

    def _collect_routes(self) -> None:
        results = [self.analyzer.results[fn_id] for fn_id in sorted(self.analyzer.results)]
        mounts = Mounts(m for result in results for m in result.mounts)
        declared = [d for result in results for d in result.routes]
        for model in self.models.members:
            declared += model.entry_points(self.analyzer, self.descriptors)
        open_targets = {d.target for d in declared if not d.authenticated}
        for decl in declared:
            if decl.bound or decl.client:
                bound = {name: Value(refs=refs) for name, refs in decl.bound}
                bound.update(self._client_arguments(decl))
                self._entry_bound[decl.target] = bound
            if decl.authenticated:
                if decl.routed:
                    for _, endpoint in self._endpoints(decl, mounts.path(decl)):
                        self.guarded.setdefault(decl.target, set()).add(endpoint)
                if decl.target not in open_targets:
                    self._note_authenticated(decl.target)
            if decl.unseen_auth:
                self.unseen_auth.add(decl.target)
            if not decl.routed:  # an entry point with no endpoint (a Lambda handler no file maps)
                self.routes.setdefault(decl.target, [])
                continue
            for handler, endpoint in self._endpoints(decl, mounts.path(decl)):
                if endpoint not in self.routes.get(handler, ()):
                    self.routes.setdefault(handler, []).append(endpoint)

    def _client_arguments(self, decl: RouteDecl) -> dict[str, Value]:
        found = self.project.function(decl.target)
        if found is None:
            return {}
        module, func = found
        at = (module.path, func.line, func.col, func.qualname)
        values = {
            name: source(Kind(kind), Step(*at, f"argument {name}", "body"))
            for name, kind in decl.client
        }
        for name, scalar in decl.typed:
            # The schema checked the type: a boolean is then valid, a number still needs a range.
            origin = TYPED if scalar == "number" else VALIDATED
            if name in values:
                values[name] = with_step(
                    values[name], Step(*at, f"a {scalar} by the schema", origin)
                )
        return values

    def _note_authenticated(self, fn_id: str) -> None:
        """The framework authenticates before the handler runs: an auth check on its ``def``."""
        found = self.project.function(fn_id)
        if found is None:
            return
        module, func = found
        site = Step(module.path, func.line, func.col, func.qualname, "authorizer", "declared")
        check = authz.Decorator(frozenset(), ("authorizer",), site, frozenset({authz.Check.AUTH}))
        decorators = authz.notes(self.analyzer).decorators.setdefault(fn_id, [])
        if check not in decorators:
            decorators.append(check)

    def _endpoints(self, decl: RouteDecl, path: str) -> Iterator[tuple[str, Endpoint]]:
        if not decl.is_class:
            for method in decl.methods or ("GET",):
                yield decl.target, Endpoint(method, path)
            return
        for verb in _HTTP:
            if decl.methods is not None and verb.upper() not in decl.methods:
                continue
            handler = self.analyzer.find_method(decl.target, verb)
            if handler is not None:
                yield handler, Endpoint(verb.upper(), path)

    def _raw(self) -> Iterator[Finding]:
        for event, endpoint in self.events():
            yield from self._check(event, endpoint)
        for rule_check in self.checks:
            whole = rule_check.whole
            if whole is not None:
                for found in self._guarded(rule_check, partial(whole, self)):
                    endpoint = _served(found.sink, found.endpoint)
                    yield build(found.hit, found.sink, endpoint, self.sources)

    def _guarded(self, rule_check: RuleCheck, run: Callable[[], Iterable[T]]) -> list[T]:
        """What a rule check gives; nothing, with a warning, once it has raised: the scan goes on
        and the report says that rule's findings may be missing (a bug to report, not a reason
        to lose the other rules)."""
        rule = rule_check.rule.id
        if rule in self._failed:
            return []
        try:
            return list(run())
        except MemoryError:
            raise
        except Exception as exc:  # one rule's bug must not end the scan
            self._fail(rule, exc)
            return []

    def _fail(self, rule: str, exc: Exception) -> None:
        self._failed.add(rule)
        message = (
            f"{rule} stopped on an internal error ({type(exc).__name__}): its findings may be "
            "missing; please report it"
        )
        self.analyzer.warnings.append(ScanWarning(message))

    def events(self) -> list[tuple[Event, Endpoint | None]]:
        """Every event with request data and its route: each function's own, then each route
        handler's summary run as Flask calls it (computed once; whole-run checks read it too)."""
        if self._events is None:
            self._events = []
            for fn_id in sorted(self.analyzer.results):
                for event in self.analyzer.results[fn_id].client_events:
                    self._events.append((event, self._endpoint_for(fn_id, event)))
            for fn_id in sorted(self.routes):
                self._events.extend(self._dispatch(fn_id))
        return self._events

    def endpoint_of(self, fn_id: str, writes: bool = False) -> Endpoint | None:
        """The route of a function, or of the nearest route handler that calls it."""
        return self._nearest_route(fn_id, writes)

    def _check(self, event: Event, endpoint: Endpoint | None) -> Iterator[Finding]:
        for rule_check in self._event_checks:
            run = rule_check.run
            for hit in self._guarded(rule_check, partial(run, event)):
                yield build(hit, event, _served(event, endpoint), self.sources)

    def _endpoint_for(self, fn_id: str, event: Event) -> Endpoint | None:
        # A method's summary as a subclass inherits it (``fn@cls``) sits where the method does.
        return self._nearest_route(base_id(fn_id), event.op.writes)

    def _nearest_route(self, fn_id: str, writes: bool) -> Endpoint | None:
        """The route of the handler itself, or of the nearest handler that calls it."""
        queue, seen = deque([fn_id]), {fn_id}
        while queue:
            current = queue.popleft()
            if current in self.routes:
                return _choose(self.routes[current], writes)
            for caller in sorted(self.callers.get(current, ())):
                if caller not in seen:
                    seen.add(caller)
                    queue.append(caller)
        return None

    def _dispatch(self, fn_id: str) -> Iterator[tuple[Event, Endpoint | None]]:
        """Run a handler's summary as Flask would call it: route variables are request values."""
        found = self.project.function(fn_id)
        if found is None:
            return
        endpoints = self.routes[fn_id]
        args = self.arguments(fn_id)
        for event in self.analyzer.function_result(fn_id).param_events:
            concrete = instantiate_event(event, args)
            concrete = concrete.with_args(
                {k: only_client(v) if tainted(v) else v for k, v in concrete.args.items()}
            )
            yield concrete, _choose(endpoints, event.op.writes)

    def bound(self, fn_id: str) -> list[Event | None]:
        found = self._bound.get(fn_id)
        if found is None:
            args = self.arguments(fn_id)
            found = self._bound[fn_id] = [
                instantiate_event(e.event, args) if isinstance(e, Access) else None
                for e in self.analyzer.function_result(fn_id).accesses
            ]
        return found

    def arguments(self, fn_id: str) -> list[Value]:
        """A route handler's arguments as Flask passes them: route variables are request values."""
        found = self._arguments.get(fn_id)
        if found is None:
            found = self._arguments[fn_id] = self._bind_arguments(fn_id)
        return found

    def _bind_arguments(self, fn_id: str) -> list[Value]:
        found = self.project.function(fn_id)
        if found is None:
            return []
        module, func = found
        variables = {
            match.group(2) or match.group(3)
            for e in self.routes.get(fn_id, ())
            for match in ROUTE_VARIABLE.finditer(e.path)
        }
        injected = self.injected.get(fn_id)
        decorated = self._decorated.get(fn_id, {})
        return [
            decorated[func.params[i]]
            if func.params[i] in decorated and func.params[i] not in variables
            else self._argument(module, func, i, variables=variables, injected=injected)
            for i in range(len(func.params))
        ]

    def _argument(
        self,
        module: ir.Module,
        func: ir.Function,
        index: int,
        *,
        variables: set[str],
        injected: str | None,
    ) -> Value:
        name = func.params[index]
        step = Step(
            module.path, func.line, func.col, func.qualname, f"route parameter <{name}>", "route"
        )
        if name in variables:
            return source(Kind.VALUE, step)
        is_receiver = index == 0 and func.class_id is not None and func.binding != "static"
        if injected and not is_receiver:
            kind = Kind.FIELDS if injected == "FIELDS" else Kind.VALUE
            note = f"webargs argument {name}"
            return source(
                kind, Step(module.path, func.line, func.col, func.qualname, note, "declared")
            )
        return EMPTY


_NUMBERS = frozenset({"int", "float"})
"""Flask converters whose value may be falsy (``0``)."""


def _always_matched(paths: list[str]) -> set[str]:
    """The variables every one of ``paths`` has (none of a numeric converter)."""
    if not paths:
        return set()
    names = [
        {
            m.group(2) or m.group(3)
            for m in ROUTE_VARIABLE.finditer(path)
            if m.group(1) not in _NUMBERS
        }
        for path in paths
    ]
    return set.intersection(*names)


def _choose(endpoints: list[Endpoint], writes: bool) -> Endpoint | None:
    """A write sink takes the handler's first write method; anything else its first method
    (none for an entry point with no endpoint)."""
    if writes:
        for endpoint in endpoints:
            if endpoint.method in _WRITES:
                return endpoint
    return endpoints[0] if endpoints else None


def _served(event: Event | None, endpoint: Endpoint | None) -> Endpoint | None:
    """The endpoint a finding names: one of the routes that reach its call, when the entry
    point serves several and its own dispatch told them apart (``dispatch.py``)."""
    if event is None:
        return endpoint
    routes = dispatch.endpoints(event.args.get(dispatch.ROUTES))
    if not routes or endpoint in routes:
        return endpoint
    return _choose(routes, event.op.writes)


def _per_route(groups: Iterable[dict[Endpoint | None, Finding]]) -> Iterator[Finding]:
    for by_endpoint in groups:
        routed = [f for e, f in by_endpoint.items() if e is not None]
        yield from routed or by_endpoint.values()


class Mounts:
    """Where each router (blueprint, API, namespace) hangs, from what the models recorded."""

    def __init__(self, mounts: Iterable[Mount]) -> None:
        self._own: dict[str, str] = {}
        self._registered: dict[str, Mount] = {}
        for mount in mounts:
            if mount.registered:
                self._registered.setdefault(mount.router, mount)
            else:
                self._own.setdefault(mount.router, mount.prefix or "")

    def path(self, decl: RouteDecl) -> str:
        """The route's full path: its rule under every prefix its routers were registered with."""
        if not decl.mount or decl.mount not in self._registered:
            return decl.rule
        return self._prefix(decl.mount, set()) + decl.rule[len(decl.own) :]

    def _prefix(self, router: str, seen: set[str]) -> str:
        if router in seen:
            return ""
        seen.add(router)
        mount = self._registered.get(router)
        if mount is None:
            return self._own.get(router, "")
        own = mount.prefix if mount.prefix is not None else self._own.get(router, "")
        parent = self._prefix(mount.parent, seen) if mount.parent else ""
        return parent + own
