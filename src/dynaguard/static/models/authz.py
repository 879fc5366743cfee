"""Authentication and authorization checks the code makes: in ``if`` tests, decorators, hooks.

The interpreter reports each ``if`` test (``note_test``), each decorator (``note_decorator``), each
call of a project function (``inherit``: the callee's checks, its parameters bound to the call's
arguments) and library calls that authenticate or log in (``note_call``). What a test checks is
read from its values, not only its spelling:

- ``OWNER``: the identity is compared with request data or stored data (``item['owner'] !=
  g.user_id``, ``username != current_identity()``), or request/stored values go to an access
  check whose failure denies (``if not acl_check(resource_id=id): return ..., 403``).
- ``ROLE``: a role, permission or group of the caller is tested (``g.role != 'admin'``,
  ``current_user.is_admin``, ``has_role('admin')``), or a permission check without subjects denies.
- ``AUTH``: only the identity (or a token, claims, ``is_authenticated``) is tested and the code
  leaves on failure; ``LOGIN``: credentials are verified (a login or token route).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.evaluate import evaluate
from dynaguard.static.flow.frame import ANY_PACKAGE, Args, Frame, Model
from dynaguard.static.flow.instantiate import instantiate
from dynaguard.static.flow.values import EMPTY, REQUEST, STORED_BASE, Step, Value, join_all
from dynaguard.static.models.guard_reading import Scan, ends_in_exit, exit_signals, position
from dynaguard.static.models.identity import (
    TOKEN_VERIFIERS,
    is_hook,
    is_identity,
    without_identity,
)
from dynaguard.static.source import ir
from dynaguard.static.source.words import words


class Check(enum.Enum):
    AUTH = "auth"
    ROLE = "role"
    OWNER = "owner"
    LOGIN = "login"
    CLAIM = "claim"
    """A name registered with an identity provider that refuses duplicates (Cognito's
    ``admin_create_user``): ``subjects`` is the name."""


@dataclass(frozen=True, slots=True)
class Guard:
    check: Check
    site: Step
    subjects: Value = EMPTY
    """For OWNER: what is compared with the identity or access-checked (parameter labels until a
    caller or the route binds them)."""


@dataclass(frozen=True, slots=True)
class Decorator:
    """A decorator applied to a function or class, as written where it is applied."""

    refs: frozenset[str]
    """What the decorator (or, for ``@d(...)``, the called ``d``) is: ``fn:``, ``ext:``..."""
    texts: tuple[str, ...]
    """Constant strings and keyword names of the call (``roles_required('admin')``)."""
    site: Step
    checks: frozenset[Check] = frozenset()
    """What the user declared the decorator checks (``declared.py``): taken as said, never
    guessed from its name or body."""


@dataclass(frozen=True, slots=True)
class Hook:
    """A ``before_request`` function and the routes it runs before."""

    fn_id: str
    app_wide: bool
    """Registered on the app (every route) rather than a blueprint (its module's routes)."""
    module: str
    site: Step


@dataclass(slots=True)
class Notes:
    guards: dict[str, dict[tuple[str, str, int, int], Guard]] = field(default_factory=dict)
    decorators: dict[str, list[Decorator]] = field(default_factory=dict)
    hooks: list[Hook] = field(default_factory=list)


ROLE_WORDS = frozenset(
    {"role", "roles", "admin", "admins", "administrator", "superuser", "staff", "permission",
     "permissions", "perm", "perms", "scope", "scopes", "group", "groups", "privilege",
     "privileges", "usertype", "accesslevel", "isadmin", "issuperuser", "isstaff"}
)  # fmt: skip
AUTHZ_WORDS = frozenset(
    {"acl", "authorized", "authorize", "authorization", "authorised", "authorise",
     "authorisation", "authz", "allowed", "allow", "permitted", "access", "can", "may", "owner",
     "owns", "own", "mine", "belongs", "ownership"}
)  # fmt: skip
AUTHN_WORDS = frozenset(
    {"authenticated", "anonymous", "login", "logged", "signed", "token", "jwt", "claims",
     "unauthenticated", "authentication", "auth", "credentials", "bearer", "identity", "secret"}
)  # fmt: skip
_SIGNALS = ROLE_WORDS | AUTHZ_WORDS | AUTHN_WORDS
_PRIVILEGES = frozenset({"admin", "admins", "administrator", "superuser", "staff", "role", "roles"})
"""Words of a refusal that name a privilege (not ``permission``: ``PermissionError`` says it too)."""
_CHECK_VERBS = frozenset(
    {"check", "verify", "require", "requires", "ensure", "assert", "validate", "enforce",
     "authenticate", "authorize", "authorise", "demand", "guard", "protect"}
)  # fmt: skip
"""Verbs of a call that checks something: called for its effect alone, it can only raise."""
_AUTH_VERBS = frozenset({"authenticate", "authorize", "authorise"})
_DENY_WORDS = frozenset({"forbidden", "denied", "permission", "notauthorized", "unauthorized"})
_UNAUTH_WORDS = frozenset(
    {"unauthorized", "unauthenticated", "notauthenticated", "login", "authentication", "signin"}
)
LOGIN_CALLS = frozenset(
    {"login_user", "check_password_hash", "checkpw", "verify_password", "create_access_token",
     "create_refresh_token", "authenticate"}
)  # fmt: skip
AUTH_CALLS = frozenset({"verify_jwt_in_request", "current_identity", "verify_token"})


def notes(analyzer: Analyzer) -> Notes:
    return analyzer.memo("authz.notes", Notes)


def guards_of(analyzer: Analyzer, fn_id: str) -> list[Guard]:
    return list(notes(analyzer).guards.get(fn_id, {}).values())


def add_guard(frame: Frame, guard: Guard) -> None:
    """Record a check the function being analysed makes (merging the subjects of one site)."""
    key = (guard.check.value, guard.site.path, guard.site.line, guard.site.col)
    found = notes(frame.analyzer).guards.setdefault(frame.fn_id, {})
    old = found.get(key)
    if old is not None and old.subjects is not guard.subjects:
        guard = Guard(guard.check, guard.site, join_all([old.subjects, guard.subjects]))
    found[key] = guard


def note_call(frame: Frame, name: str, args: Args) -> None:
    """A library call that authenticates the request or verifies credentials."""
    last = name.rpartition(".")[2]
    if last in LOGIN_CALLS or name == "ext:jwt.encode":
        add_guard(frame, Guard(Check.LOGIN, args.site))
    if last in AUTH_CALLS or name in TOKEN_VERIFIERS:
        add_guard(frame, Guard(Check.AUTH, args.site))


def inherit(frame: Frame, fn_id: str, params: Sequence[Value]) -> None:
    """The checks of a called project function, its parameters bound to this call's arguments."""
    for guard in guards_of(frame.analyzer, fn_id):
        subjects = instantiate(guard.subjects, params) if guard.subjects else EMPTY
        add_guard(frame, Guard(guard.check, guard.site, subjects))


def note_test(frame: Frame, stmt: ir.If) -> None:
    """What an ``if`` test checks (called after the test is evaluated, so names are bound)."""
    scan = Scan()
    scan.visit(stmt.test)
    values = [evaluate(frame, leaf) for leaf in scan.leaves]
    has_identity = any(is_identity(v) for v in values)
    exits = stmt.body_exits or ends_in_exit(stmt.orelse)
    calls = [c for c in scan.calls if not _builtin(c)]
    # Most tests check nothing about the caller: leave before the costlier reading of the exit.
    if not (has_identity or scan.words & _SIGNALS or (exits and calls)):
        return
    subjects = subjects_of(values)
    found = scan.words
    for call in calls:
        found = found | _callee_words(frame, call)
    statuses, exit_words = exit_signals((*stmt.body, *stmt.orelse)) if exits else (set(), _NONE)
    site = frame.step(*position(stmt.test), "check")
    if found & ROLE_WORDS and (has_identity or (exits and not subjects)):
        add_guard(frame, Guard(Check.ROLE, site))
    denies = 403 in statuses or bool(exit_words & _DENY_WORDS)
    unauth = 401 in statuses or bool(exit_words & _UNAUTH_WORDS)
    if (denies or unauth) and exit_words & _PRIVILEGES:
        # The refusal names the privilege it guards (``raise PermissionError('admin token')``,
        # a cron route's shared secret): whatever the test compares, it is a role check.
        add_guard(frame, Guard(Check.ROLE, site))
    # Two client or stored values compared with each other (``item['owner'] != args['owner']``)
    # say nothing about the caller: an ownership check involves the identity, or asks a function.
    peers = not has_identity and not _asking(calls) and len(scan.leaves) >= 2
    if subjects and not peers and (has_identity or (exits and (found & AUTHZ_WORDS or denies))):
        add_guard(frame, Guard(Check.OWNER, site, subjects))
    elif exits and calls and not subjects and (found & AUTHZ_WORDS or denies):
        add_guard(frame, Guard(Check.ROLE, site))
    if exits and ((has_identity and not subjects) or found & AUTHN_WORDS or unauth):
        add_guard(frame, Guard(Check.AUTH, site))


_NONE: frozenset[str] = frozenset()
_BUILTINS = frozenset({"isinstance", "len", "hasattr", "getattr", "callable", "all", "any", "bool"})


_ACCESSORS = frozenset({"get", "lower", "upper", "strip", "casefold", "getlist"})
"""Methods that read or normalise a value: a call of them asks nothing about the caller."""


def _asking(calls: list[ir.Call]) -> bool:
    return any(not (isinstance(c.func, ir.Attr) and c.func.attr in _ACCESSORS) for c in calls)


def _builtin(call: ir.Call) -> bool:
    return isinstance(call.func, ir.Name) and call.func.id in _BUILTINS


def subjects_of(values: list[Value]) -> Value:
    """Request, parameter and stored labels among the test's values (not the identity's)."""
    parts = []
    for value in values:
        rest = without_identity(value)
        labels = {
            k: t
            for k, t in rest.labels.items()
            if k[0] == REQUEST or k[0] >= 0 or k[0] <= STORED_BASE
        }
        if labels:
            parts.append(Value(labels))
    return join_all(parts)


def _callee_words(frame: Frame, call: ir.Call) -> frozenset[str]:
    """A project function that itself checks ownership or roles reads as an access check."""
    func = evaluate(frame, call.func) if isinstance(call.func, (ir.Name, ir.Attr)) else EMPTY
    for name in func.refs:
        if name.startswith("fn:"):
            checks = {g.check for g in guards_of(frame.analyzer, name[3:])}
            if checks & {Check.OWNER, Check.ROLE}:
                return frozenset({"access"})
    return frozenset()


def note_bare_call(frame: Frame, call: ir.Call) -> None:
    """``check_auth(['admin'])`` as a statement of its own, to a function the project does not
    define: a call whose result is ignored checks only by raising, so a name that says it
    verifies authentication (or a role, in its name or arguments) is that check."""
    if not isinstance(call.func, (ir.Name, ir.Attr)):
        return
    name = call.func.id if isinstance(call.func, ir.Name) else call.func.attr
    if not _says_check(name):
        return
    said = words(name)
    if any(r.startswith(("fn:", "bound:")) for r in evaluate(frame, call.func).refs):
        return  # a project function: its own checks come with its summary (``inherit``)
    given = frozenset().union(*(words(t) for t in _constant_texts(call)))
    site = frame.step(*position(call), "check")
    if (said | given) & ROLE_WORDS:
        add_guard(frame, Guard(Check.ROLE, site))
    add_guard(frame, Guard(Check.AUTH, site))


@functools.lru_cache(maxsize=4096)
def _says_check(name: str) -> bool:
    """A name that says it checks authentication or a role (``check_auth``, ``authorize``)."""
    said = words(name)
    checks = not said.isdisjoint(_CHECK_VERBS) and not said.isdisjoint(_SIGNALS)
    return checks or not said.isdisjoint(_AUTH_VERBS)


def _constant_texts(call: ir.Call) -> list[str]:
    """The string constants among a call's arguments, lists of them included."""
    out: list[str] = []
    for arg in (*call.args, *(v for _, v in call.kwargs)):
        elts = arg.elts if isinstance(arg, ir.Seq) else (arg,)
        out += [e.text for e in elts if isinstance(e, ir.Const) and e.text]
    return out


def note_decorator(frame: Frame, target: str, decorator: ir.Expr) -> None:
    """Record a decorator of ``target`` (or a ``before_request`` registration)."""
    router = is_hook(decorator)
    site = frame.step(*position(decorator), "decorator")
    if router is not None:
        refs = evaluate(frame, router).refs
        if refs & {"flask:app", "flask:bp"}:
            hook = Hook(target, "flask:app" in refs, frame.module.name, site)
            notes(frame.analyzer).hooks.append(hook)
        return
    func = decorator.func if isinstance(decorator, ir.Call) else decorator
    if not isinstance(func, (ir.Name, ir.Attr)):
        return
    texts: tuple[str, ...] = ()
    if isinstance(decorator, ir.Call):
        consts = [a for a in (*decorator.args, *(v for _, v in decorator.kwargs))]
        texts = tuple(c.text for c in consts if isinstance(c, ir.Const) and c.text)
        texts += tuple(k for k, _ in decorator.kwargs if k)
    refs = evaluate(frame, func).refs
    if not refs:  # an object the analyser cannot resolve (``admin_permission.require()``)
        texts += _names(func)
    entry = Decorator(refs, texts, site)
    notes(frame.analyzer).decorators.setdefault(target, []).append(entry)


def note_hook_call(frame: Frame, refs: frozenset[str], target: Value, site: Step) -> None:
    """``app.before_request(check_auth)``: the call form of a hook registration."""
    for name in target.refs:
        if name.startswith("fn:"):
            hook = Hook(name[3:], "flask:app" in refs, frame.module.name, site)
            notes(frame.analyzer).hooks.append(hook)


def _names(expr: ir.Expr) -> tuple[str, ...]:
    out: list[str] = []
    while isinstance(expr, ir.Attr):
        out.append(expr.attr)
        expr = expr.obj
    if isinstance(expr, ir.Name):
        out.append(expr.id)
    return tuple(out)


class Authorization(Model):
    """Observes: every external call (logins, token checks), decorators, ``if`` tests, and the
    checks of called project functions. It answers no question itself."""

    name = "authorization"
    packages = frozenset({ANY_PACKAGE})

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        note_call(frame, name, args)
        return None

    def decorate(self, frame: Frame, target: str, decorator: ir.Expr, is_class: bool) -> bool:
        note_decorator(frame, target, decorator)  # auth and role decorators, hooks
        return False

    def on_test(self, frame: Frame, stmt: ir.If) -> None:
        note_test(frame, stmt)

    def on_call(self, frame: Frame, fn_id: str, params: list[Value]) -> None:
        inherit(frame, fn_id, params)

    def on_bare_call(self, frame: Frame, call: ir.Call) -> None:
        note_bare_call(frame, call)


MODEL = Authorization()
