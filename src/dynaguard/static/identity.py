"""The authenticated identity: where it comes from, and whether a value is derived from it.

The identity is a concrete provenance like request data (``values.IDENTITY`` as the label's
param), so it flows through assignments, f-strings, helpers and summaries the same way:
``{'owner': g.user_id}`` is a key whose partition comes from the caller, ``f"USER#{uid}"`` too.

Sources: ``flask_login.current_user`` (and any attribute or method of it), ``g.<attr>`` for an
identity-like attribute or one an auth decorator or ``before_request`` hook assigns,
``flask.session``, ``flask_jwt_extended`` (``get_jwt_identity()``, ``get_jwt()``,
``current_user``), Flask-HTTPAuth's ``auth.current_user()`` and ``dynaguard.secure``'s
``current_identity()``. A project helper returning one of these returns the identity through
its summary.

Query API for rules (engineers of other rules: use these, not the param directly):
``is_identity(value)``, ``mentions_identity(value)``, ``without_identity(value)``.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from dynaguard.static import ir
from dynaguard.static.project import Project
from dynaguard.static.values import EMPTY, IDENTITY, Kind, Step, Value, ref

if TYPE_CHECKING:
    from dynaguard.static.calls import Args
    from dynaguard.static.frame import Frame

G = "ext:flask.g"
SESSION = "ext:flask.session"
HTTPAUTH = "ext:flask_httpauth.HTTPAuth"
OWNED = "secure:owned"
"""A ``dynaguard.secure.OwnedTable``: every key it builds starts with the identity."""

_USERS = frozenset({"ext:flask_login.current_user", "ext:flask_jwt_extended.current_user"})
_IMPORTED = frozenset({SESSION, *_USERS})
_CALLS: dict[str, Kind] = {
    "ext:flask_jwt_extended.get_jwt_identity": Kind.VALUE,
    "ext:flask_jwt_extended.get_jwt": Kind.BODY,
    "ext:flask_jwt_extended.get_raw_jwt": Kind.BODY,
    "ext:flask_jwt_extended.get_jwt_claims": Kind.BODY,
    "ext:flask_jwt_extended.get_current_user": Kind.BODY,
    "ext:dynaguard.secure.current_identity": Kind.VALUE,
    "ext:dynaguard.secure.identity.current_identity": Kind.VALUE,
    f"{HTTPAUTH}.current_user": Kind.BODY,
    f"{HTTPAUTH}.username": Kind.VALUE,
}
_HTTPAUTH_CLASSES = frozenset(
    f"ext:flask_httpauth.{c}"
    for c in ("HTTPBasicAuth", "HTTPTokenAuth", "HTTPDigestAuth", "MultiAuth")
)
_OWNED_CLASSES = frozenset(
    {"ext:dynaguard.secure.OwnedTable", "ext:dynaguard.secure.owned.OwnedTable"}
)

# NOTE: ``g`` holds request-scoped state of every kind (``g.db``, ``g.start``); only attributes
# that name the caller, its role or its claims are the identity. Attributes an auth decorator or
# before_request hook assigns are added per project (``g_identity_attrs``).
G_IDENTITY = frozenset(
    {
        "user", "user_id", "userid", "uid", "username", "user_name", "current_user", "identity",
        "principal", "account", "account_id", "sub", "subject", "auth_user", "email", "login",
        "member", "member_id", "customer_id", "claims", "jwt", "token_claims", "me",
        "role", "roles", "user_type", "is_admin", "permissions", "scopes", "groups", "tenant_id",
    }
)  # fmt: skip
_G_STATE = frozenset(
    {"db", "session", "conn", "connection", "cursor", "table", "client", "cache", "redis",
     "start", "start_time", "request_id", "locale", "lang", "timer", "config", "settings"}
)  # fmt: skip
_HOOKS = frozenset({"before_request", "before_app_request"})


def source(frame: Frame, line: int, col: int, note: str, kind: Kind = Kind.VALUE) -> Value:
    """The identity, read at ``(line, col)``."""
    step = frame.step(line, col, note, "identity")
    return Value(labels={(IDENTITY, int(kind)): (step,)})


def is_identity(value: Value | None) -> bool:
    """Whether the value itself is (derived from) the authenticated identity."""
    return value is not None and any(param == IDENTITY for param, _ in value.labels)


def mentions_identity(value: Value | None) -> bool:
    """Whether the identity reaches the value or one of its fields (a key dict, a condition)."""
    if value is None:
        return False
    return is_identity(value) or any(mentions_identity(f) for f in value.fields.values())


def without_identity(value: Value) -> Value:
    """The value's labels other than the identity's (what a comparison checks it against)."""
    labels = {k: t for k, t in value.labels.items() if k[0] != IDENTITY}
    return Value(labels) if labels else EMPTY


def imported(path: str, name: str) -> Value | None:
    """``from flask import session`` / ``from flask_login import current_user``: the identity."""
    if name not in _IMPORTED:
        return None
    step = Step(path, 1, 0, "<module>", name.rpartition(".")[2], "identity")
    return Value(labels={(IDENTITY, int(Kind.BODY)): (step,)}, refs=frozenset({name}))


def attribute(frame: Frame, ref_name: str, name: str, line: int, col: int) -> Value | None:
    """``g.user_id``, ``current_user.id``, ``flask.session``: identity attributes of ext refs."""
    if ref_name == G and name in g_identity_attrs(frame.analyzer.project):
        return source(frame, line, col, f"g.{name}")
    if ref_name in _USERS:
        return source(frame, line, col, f"current_user.{name}")
    if ref_name == "ext:flask" and name in ("session", "g"):
        found = imported(frame.module.path, f"ext:flask.{name}")
        return found if found is not None else ref(G)
    return None


def external_call(frame: Frame, name: str, args: Args) -> Value | None:
    """Calls that return the identity, and auth objects whose methods do (Flask-HTTPAuth)."""
    from dynaguard.static.authz import note_call

    note_call(frame, name, args)
    site = args.site
    kind = _CALLS.get(name)
    if kind is not None:
        return source(frame, site.line, site.col, f"{name.rpartition('.')[2]}()", kind)
    prefix, _, method = name.rpartition(".")
    if prefix in _USERS:
        return source(frame, site.line, site.col, f"current_user.{method}()")
    if prefix in (G, SESSION) and method in ("get", "setdefault", "pop"):
        key = args.first().text
        if prefix == SESSION or (
            key is not None and key in g_identity_attrs(frame.analyzer.project)
        ):
            spelled = "session" if prefix == SESSION else "g"
            return source(frame, site.line, site.col, f"{spelled}.get({key!r})")
        return None
    if name in _HTTPAUTH_CLASSES:
        return ref(HTTPAUTH)
    if name in _OWNED_CLASSES:
        return _owned_table(args)
    return None


def _owned_table(args: Args) -> Value:
    table = args.first("table")
    fields = {
        "@owner": args.keywords.get("owner_attribute", EMPTY),
        "@sort": args.keywords.get("sort_attribute", EMPTY),
        "@table": Value(None, table.refs, dict(table.fields), table.text),
    }
    return Value(None, frozenset({OWNED}), fields)


def owned_method(frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
    """``OwnedTable.key(sort)``: the owner part is the identity, the sort part the argument."""
    if OWNED not in receiver.refs:
        return None
    if name != "key":
        return EMPTY  # reads and writes through OwnedTable are keyed by the identity
    site = args.site
    owner = (receiver.fields.get("@owner") or EMPTY).text or "owner"
    sort_name = (receiver.fields.get("@sort") or EMPTY).text
    fields = {owner: source(frame, site.line, site.col, "OwnedTable.key()")}
    if sort_name:
        fields[sort_name] = args.first("sort")
    labels = {k: t for f in fields.values() for k, t in f.labels.items()}
    return Value(labels, frozenset(), fields)


def is_hook(decorator: ir.Expr) -> ir.Expr | None:
    """The router of ``@app.before_request`` / ``@bp.before_app_request`` (else None)."""
    if isinstance(decorator, ir.Attr) and decorator.attr in _HOOKS:
        return decorator.obj
    return None


_G_STORE = re.compile(r"\bg\.\w+[^=\n(]*=(?!=)")
"""Text of an assignment to a ``g`` attribute: bodies without one are not lowered to look."""
_PROJECT_G: WeakKeyDictionary[Project, frozenset[str]] = WeakKeyDictionary()


def g_identity_attrs(project: Project) -> frozenset[str]:
    """``g`` attributes that hold the identity: the usual names, plus those assigned in a
    decorator's wrapper or a ``before_request`` hook anywhere in the project."""
    found = _PROJECT_G.get(project)
    if found is None:
        assigned: set[str] = set()
        for module in project.modules.values():
            if _G_STORE.search(module.source) is None:
                continue
            hooks = _hook_names(module)
            storing = [f for f in module.functions.values() if _G_STORE.search(module.text(f))]
            for func in storing:
                func.deferred.get()  # lowered, so the wrappers nested in it are known too
            for func in list(module.functions.values()):
                inside = "." in func.qualname or func.qualname in hooks
                if inside and _G_STORE.search(module.text(func)):
                    assigned |= _g_stores(func.body)
        found = _PROJECT_G[project] = G_IDENTITY | (assigned - _G_STATE)
    return found


def _hook_names(module: ir.Module) -> set[str]:
    return {
        stmt.func_id
        for stmt in module.body
        if isinstance(stmt, ir.Def) and any(is_hook(d) is not None for d in stmt.decorators)
    }


def _g_stores(body: tuple[ir.Stmt, ...]) -> set[str]:
    out: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ir.Assign):
            for target in stmt.targets:
                if isinstance(target, ir.Attr) and isinstance(target.obj, ir.Name):
                    out |= {target.attr} if target.obj.id == "g" else set()
        for block in _blocks(stmt):
            out |= _g_stores(block)
    return out


def _blocks(stmt: ir.Stmt) -> tuple[tuple[ir.Stmt, ...], ...]:
    if isinstance(stmt, ir.If):
        return (stmt.body, stmt.orelse)
    if isinstance(stmt, ir.Loop):
        return (stmt.body, stmt.orelse)
    if isinstance(stmt, ir.With):
        return (stmt.body,)
    if isinstance(stmt, ir.Try):
        return (stmt.body, stmt.orelse, stmt.final, *(h for _, h in stmt.handlers))
    if isinstance(stmt, ir.Branches):
        return stmt.bodies
    return ()


WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


@functools.lru_cache(maxsize=4096)
def words(name: str) -> frozenset[str]:
    """``is_admin`` -> {is, admin, is_admin}; ``hasRole`` -> {has, role, hasrole}."""
    parts = {w.lower() for w in WORD.findall(name)}
    return frozenset({*parts, name.lower(), name.lower().replace("_", "")})
