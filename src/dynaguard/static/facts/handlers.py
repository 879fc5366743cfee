"""One route handler as the authorization rules see it: its accesses, returns and checks.

``handlers(run)`` binds each handler's summary to the request as Flask calls it
(``RunView.arguments``: route variables are request data), so the key of an access in a helper
and a parameter another helper compares with the identity (``require_self(username)``) name the
same request value. Query API for other rules: ``handlers(run)``, ``Handler.auth``
(``AuthFacts``), ``Handler.accesses`` (bound, in execution order), ``Handler.returns``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dynaguard.model import Endpoint
from dynaguard.static.facts.handler_facts import field_of
from dynaguard.static.facts.keys import key_fields, request_sources
from dynaguard.static.facts.responses import returns_of
from dynaguard.static.flow.accesses import Access, read_param
from dynaguard.static.flow.events import Event
from dynaguard.static.flow.instantiate import instantiate
from dynaguard.static.flow.values import REQUEST, STORED_BASE, Step, Value
from dynaguard.static.models.authz import (
    AUTHN_WORDS,
    AUTHZ_WORDS,
    ROLE_WORDS,
    Check,
    Decorator,
    guards_of,
    notes,
)
from dynaguard.static.models.identity import mentions_identity
from dynaguard.static.source import ir
from dynaguard.static.source.words import words

if TYPE_CHECKING:
    from dynaguard.static.facts.run import RunView
    from dynaguard.static.flow.analyzer import Analyzer

_ADMIN = frozenset({"admin", "admins", "administrator", "superuser", "backoffice", "staff"})
_DECORATOR_AUTH = AUTHN_WORDS | {"secure", "secured", "protected", "loggedin", "requires"}
_LOGIN_ROUTES = frozenset(
    {"login", "logout", "signin", "signup", "register", "token", "tokens", "oauth", "callback",
     "password", "reset", "auth", "session", "sessions", "verify", "confirm", "health"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuthFacts:
    authenticated: Step | None
    """First evidence that the caller is authenticated (decorator, hook, check, identity use)."""
    role: Step | None
    """A role or permission check that applies to the whole handler."""
    checked: frozenset[tuple[str, int, int, str]]
    """Request sources (first flow steps) compared with the identity or access-checked."""
    login: bool
    """The handler verifies credentials or is a login/token/sign-up route."""

    owner_checks: tuple[tuple[frozenset[tuple[str, int, int, str]], Step], ...] = ()
    """Each ownership check: the request sources it compares, and where it is."""
    unseen: bool = False
    """Authentication is configured where dynaguard cannot read it: no claim there is none."""
    claimed: frozenset[Named] = frozenset()
    """Request values registered as a new user's name with an identity provider that refuses
    a name already taken: an item keyed by that name cannot be another account's."""

    def claims(self, value: Value) -> bool:
        """Whether ``value`` is, field for field, a name this request registered first (so an
        item keyed by it is the request's own)."""
        if not self.claimed:
            return False
        sources = named_sources(value)
        return bool(sources) and sources <= self.claimed

    def covers(self, value: Value, before: Step | None = None) -> bool:
        """Whether request data in ``value`` is compared with the identity (or access-checked);
        with ``before``, by a check that is not later in the same function (a check after a
        write comes too late to stop it)."""
        sources = request_sources(value)
        if not sources:
            return False
        checked = self.checked
        if before is not None:
            late: set[tuple[str, int, int, str]] = set()
            early: set[tuple[str, int, int, str]] = set()
            for compared, site in self.owner_checks:
                after = (site.path, site.function) == (before.path, before.function) and (
                    site.line,
                    site.col,
                ) > (before.line, before.col)
                (late if after else early).update(compared)
            checked = checked - (late - early)
        return sources <= checked


@dataclass(frozen=True, slots=True)
class Handler:
    fn_id: str
    module: ir.Module
    func: ir.Function
    endpoints: tuple[Endpoint, ...]
    accesses: tuple[Access, ...]
    """Every DynamoDB access of the handler and its callees, bound to the request, in order."""
    returns: dict[int, Value]
    """``return`` line -> the value it returns, where it holds stored data."""
    auth: AuthFacts
    words: frozenset[str]
    """Words of the handler's name, its module's name and its paths (``route_words``)."""

    @property
    def admin(self) -> bool:
        """An admin route: ``/admin/...``, or an ``admin`` handler or module."""
        return bool(self.words & _ADMIN)

    @property
    def site(self) -> Step:
        """The ``def`` line: where a finding about the whole handler points."""
        func = self.func
        return Step(self.module.path, func.line, func.col, func.qualname, "route handler")

    def key_of(self, event: Event) -> dict[str, Value]:
        """The values selecting the access's items; for ``item.delete()`` / ``item.update()``
        on a PynamoDB item, the key of the read that fetched it."""
        found = key_fields(event)
        item = event.args.get("@item")
        if found or item is None:
            return found
        reads = {p for p, _ in item.labels}  # by param: a read's Step may be another tree's
        for access in self.accesses:
            if read_param(access.event.site) in reads and access.event is not event:
                return key_fields(access.event)
        return {}

    def endpoint(self, writes: bool = False) -> Endpoint | None:
        """The endpoint a finding names (none for an entry point no descriptor maps)."""
        if writes:
            for endpoint in self.endpoints:
                if endpoint.method in ("POST", "PUT", "PATCH", "DELETE"):
                    return endpoint
        return self.endpoints[0] if self.endpoints else None


def handlers(run: RunView) -> list[Handler]:
    """Every route handler of the run, computed once and shared by the rules."""
    return run.analyzer.memo(
        "handlers",
        lambda: [h for fn_id in sorted(run.routes) if (h := _view(run, fn_id)) is not None],
    )


def _view(run: RunView, fn_id: str) -> Handler | None:
    located = run.project.function(fn_id)
    if located is None:
        return None
    module, func = located
    args = run.arguments(fn_id)
    result = run.analyzer.function_result(fn_id)
    events = run.bound(fn_id)
    bound = tuple(
        Access(event, e.via)
        for e, event in zip(result.accesses, events, strict=True)
        if isinstance(e, Access) and event is not None
    )
    returns = {line: instantiate(v, args) for line, v in returns_of(run.analyzer, fn_id).items()}
    auth = _auth(
        run.analyzer,
        module=module,
        func=func,
        fn_id=fn_id,
        args=args,
        bound=bound,
    )
    endpoints = tuple(run.routes[fn_id])
    said = route_words(module, func, endpoints)
    if fn_id in run.unseen_auth:
        auth = replace(auth, unseen=True)
    return Handler(fn_id, module, func, endpoints, bound, returns, auth, said)


def _auth(
    analyzer: Analyzer,
    *,
    module: ir.Module,
    func: ir.Function,
    fn_id: str,
    args: list[Value],
    bound: tuple[Access, ...],
) -> AuthFacts:
    checks: dict[Check, Step] = {}
    checked: set[tuple[str, int, int, str]] = set()
    owner_checks: list[tuple[frozenset[tuple[str, int, int, str]], Step]] = []
    reads: set[int] = set()
    claimed: set[Named] = set()
    for guard in guards_of(analyzer, fn_id):
        if guard.check is Check.CLAIM:
            claimed |= named_sources(instantiate(guard.subjects, args))
            continue
        checks.setdefault(guard.check, guard.site)
        if guard.check is Check.OWNER:
            subjects = instantiate(guard.subjects, args)
            compared = frozenset(request_sources(subjects))
            checked |= compared
            owner_checks.append((compared, guard.site))
            reads |= {p for p, _ in subjects.labels if p <= STORED_BASE}
    for decorator in _decorators(analyzer, module, func, fn_id):
        for check in _decorator_checks(analyzer, decorator):
            checks.setdefault(check, decorator.site)
    for check, site in _hook_checks(analyzer, module).items():
        checks.setdefault(check, site)
    checked |= _keys_of_reads(bound, reads)
    used = next((a.event.site for a in bound if _uses_identity(a.event.args)), None)
    authenticated = next(
        (checks[c] for c in (Check.AUTH, Check.ROLE, Check.OWNER) if c in checks), used
    )
    login = Check.LOGIN in checks
    return AuthFacts(
        authenticated,
        checks.get(Check.ROLE),
        frozenset(checked),
        login,
        tuple(owner_checks),
        claimed=frozenset(claimed),
    )


Named = tuple[tuple[str, int, int, str], str | None]
"""Where request data starts, and the field of it that a value is (``body['username']``)."""


def named_sources(value: Value) -> set[Named]:
    """Each request source of the value with the last field read from it on the way."""
    out: set[Named] = set()
    for (param, _), trace in value.labels.items():
        if param == REQUEST and trace:
            fields = [found[1] for step in trace if (found := field_of(step)) is not None]
            first = trace[0]
            out.add(
                ((first.path, first.line, first.col, first.note), fields[-1] if fields else None)
            )
    for field in value.fields.values():
        out |= named_sources(field)
    return out


def _uses_identity(args: dict[str, Value]) -> bool:
    return any(mentions_identity(v) for v in args.values())


def _keys_of_reads(bound: tuple[Access, ...], reads: set[int]) -> set[tuple[str, int, int, str]]:
    """An item compared with the identity vouches for the request values that selected it."""
    out: set[tuple[str, int, int, str]] = set()
    # NOTE: by param, not by Step: params are interned per file position across the analyses
    # of one process, with the first analysis's Step.
    for access in bound:
        if read_param(access.event.site) in reads:
            for value in key_fields(access.event).values():
                out |= request_sources(value)
    return out


def _decorators(
    analyzer: Analyzer, module: ir.Module, func: ir.Function, fn_id: str
) -> list[Decorator]:
    """The handler's decorators, its class's, and a view class's ``decorators`` attribute."""
    found = list(notes(analyzer).decorators.get(fn_id, ()))
    if func.class_id:
        cls_id = f"{module.name}:{func.class_id}"
        found += notes(analyzer).decorators.get(cls_id, ())
        for attr in ("decorators", "method_decorators"):
            value = analyzer.class_attr(cls_id, attr)
            if value.refs:
                site = Step(module.path, func.line, func.col, func.qualname, attr)
                found.append(Decorator(value.refs, (), site))
    return found


def _decorator_checks(analyzer: Analyzer, decorator: Decorator) -> set[Check]:
    if decorator.checks:
        return set(decorator.checks)  # the user declared what it checks
    if "optional" in decorator.texts:
        return set()  # ``@jwt_required(optional=True)`` lets anonymous requests through
    texts = frozenset().union(*(words(t) for t in decorator.texts))
    if not decorator.refs:
        return _named_checks(texts)
    out: set[Check] = set()
    for name in decorator.refs:
        kind, _, target = name.partition(":")
        if kind not in ("ext", "fn"):
            continue
        # NOTE: the name says what a decorator is for; a ``require_auth`` wrapper that also
        # tests which principal types may sign in is still authentication, not a role check.
        named = _named_checks(words(target.rpartition(":")[2].rpartition(".")[2]) | texts)
        out |= named or (_function_checks(analyzer, target) if kind == "fn" else set())
    return out


def _named_checks(found: frozenset[str]) -> set[Check]:
    if found & (ROLE_WORDS | AUTHZ_WORDS):
        return {Check.ROLE, Check.AUTH}
    return {Check.AUTH} if found & _DECORATOR_AUTH else set()


def _function_checks(analyzer: Analyzer, fn_id: str) -> set[Check]:
    """Checks made by a project decorator, its wrapper or a hook (nested functions included)."""
    out: set[Check] = set()
    for owner, guards in notes(analyzer).guards.items():
        if owner == fn_id or owner.startswith(fn_id + "."):
            out |= {g.check for g in guards.values()}
    if Check.OWNER in out or Check.ROLE in out:
        out.add(Check.AUTH)
    return out - {Check.LOGIN, Check.CLAIM}


def _hook_checks(analyzer: Analyzer, module: ir.Module) -> dict[Check, Step]:
    out: dict[Check, Step] = {}
    for hook in notes(analyzer).hooks:
        if hook.app_wide or hook.module == module.name:
            for check in _function_checks(analyzer, hook.fn_id) - {Check.OWNER}:
                out.setdefault(check, hook.site)
    return out


def route_words(
    module: ir.Module, func: ir.Function, endpoints: tuple[Endpoint, ...]
) -> frozenset[str]:
    """Words of the handler's name, its module's name and its paths' literal segments."""
    found = words(func.qualname.rpartition(".")[2]) | words(module.name.rpartition(".")[2])
    for endpoint in endpoints:
        for segment in endpoint.path.split("/"):
            if segment and not variable_segment(segment):
                found |= words(segment)
    return found


ROUTE_VARIABLE = re.compile(r"<(?:([A-Za-z_]\w*)(?:\([^)]*\))?:)?([A-Za-z_]\w*)>|\{([^{}]+)\}")
"""A route variable: Flask's ``<int:id>`` (groups: converter, which may take arguments, and
name), or Chalice's and API Gateway's ``{id}`` (group 3)."""


def variable_segment(segment: str) -> bool:
    """A path segment that is a route variable: Flask's ``<id>``, Chalice's ``{id}``."""
    return segment.startswith(("<", "{"))


def login_route(handler: Handler, served: Collection[Endpoint] = ()) -> bool:
    """A login, token, sign-up or password route: public by design (DG203). For a handler
    serving several routes that tells them apart itself (``dispatch.py``), only the ``served``
    ones count."""
    if handler.auth.login:
        return True
    if served:
        return bool(route_words(handler.module, handler.func, tuple(served)) & _LOGIN_ROUTES)
    return bool(handler.words & _LOGIN_ROUTES)
