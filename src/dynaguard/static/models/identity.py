"""The authenticated identity: where it comes from, and whether a value is derived from it.

The identity is a concrete provenance like request data (``values.IDENTITY`` as the label's
param), so it flows through assignments, f-strings, helpers and summaries the same way:
``{'owner': g.user_id}`` is a key whose partition comes from the caller, ``f"USER#{uid}"`` too.

Sources: ``flask_login.current_user`` (and any attribute or method of it), ``g.<attr>`` for an
identity-like attribute or one an auth decorator or ``before_request`` hook assigns,
``flask.session``, ``flask_jwt_extended`` (``get_jwt_identity()``, ``get_jwt()``,
``current_user``), Flask-HTTPAuth's ``auth.current_user()`` (``dynaguard.secure``'s
``current_identity()`` is the secure model's), token verifiers (``jwt.decode``...) and the
project's own, found by their ``hmac.compare_digest`` of a signature. A project helper returning one of these returns the
identity through its summary.

Query API for rules (engineers of other rules: use these, not the param directly):
``is_identity(value)``, ``mentions_identity(value)``, ``without_identity(value)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import MappingProxyType

from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.block_ends import arms
from dynaguard.static.flow.frame import Args, Frame, Model, Source
from dynaguard.static.flow.values import EMPTY, IDENTITY, Kind, Step, Value, ref
from dynaguard.static.source import ir
from dynaguard.static.source.project import Project

G = "ext:flask.g"
SESSION = "ext:flask.session"
HTTPAUTH = "ext:flask_httpauth.HTTPAuth"

_USERS = frozenset({"ext:flask_login.current_user", "ext:flask_jwt_extended.current_user"})
TOKEN_VERIFIERS = frozenset(
    {"ext:jwt.decode", "ext:jose.jwt.decode", "ext:firebase_admin.auth.verify_id_token",
     "ext:google.oauth2.id_token.verify_oauth2_token", "ext:google.oauth2.id_token.verify_token",
     "ext:cognitojwt.decode", "ext:cognitojwt.decode_async"}
)  # fmt: skip
"""Calls that verify a signed token (a header's bearer token) and return its claims: what they
return is the identity, not the header the client sent."""
_IMPORTED = frozenset({SESSION, *_USERS})
_CALLS: dict[str, Source] = {
    "ext:flask_jwt_extended.get_jwt_identity": Source(IDENTITY, Kind.VALUE, "identity"),
    "ext:flask_jwt_extended.get_jwt": Source(IDENTITY, Kind.BODY, "identity"),
    "ext:flask_jwt_extended.get_raw_jwt": Source(IDENTITY, Kind.BODY, "identity"),
    "ext:flask_jwt_extended.get_jwt_claims": Source(IDENTITY, Kind.BODY, "identity"),
    "ext:flask_jwt_extended.get_current_user": Source(IDENTITY, Kind.BODY, "identity"),
    f"{HTTPAUTH}.current_user": Source(IDENTITY, Kind.BODY, "identity"),
    f"{HTTPAUTH}.username": Source(IDENTITY, Kind.VALUE, "identity"),
    **{name: Source(IDENTITY, Kind.BODY, "identity") for name in sorted(TOKEN_VERIFIERS)},
}
"""Calls that return the identity (declared: the model's ``sources``)."""
_HTTPAUTH_CLASSES = frozenset(
    f"ext:flask_httpauth.{c}"
    for c in ("HTTPBasicAuth", "HTTPTokenAuth", "HTTPDigestAuth", "MultiAuth")
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
    if ref_name == G and name in g_identity_attrs(frame.analyzer):
        return source(frame, line, col, f"g.{name}")
    if ref_name in _USERS:
        return source(frame, line, col, f"current_user.{name}")
    if ref_name == "ext:flask" and name in ("session", "g"):
        found = imported(frame.module.path, f"ext:flask.{name}")
        return found if found is not None else ref(G)
    return None


def external_call(frame: Frame, name: str, args: Args) -> Value | None:
    """Methods of the identity objects, and auth objects whose methods return it."""
    site = args.site
    prefix, _, method = name.rpartition(".")
    if prefix in _USERS:
        return source(frame, site.line, site.col, f"current_user.{method}()")
    if prefix in (G, SESSION) and method in ("get", "setdefault", "pop"):
        key = args.first().text
        if prefix == SESSION or (key is not None and key in g_identity_attrs(frame.analyzer)):
            spelled = "session" if prefix == SESSION else "g"
            return source(frame, site.line, site.col, f"{spelled}.get({key!r})")
        return None
    if name in _HTTPAUTH_CLASSES:
        return ref(HTTPAUTH)
    return None


def is_hook(decorator: ir.Expr) -> ir.Expr | None:
    """The router of ``@app.before_request`` / ``@bp.before_app_request`` (else None)."""
    if isinstance(decorator, ir.Attr) and decorator.attr in _HOOKS:
        return decorator.obj
    return None


# NOTE: the literal ``g.`` first, then the word boundary as a lookbehind: a pattern starting with
# ``\b`` is tried at every position of every module (4% of a scan of 237k lines), one starting
# with a literal is found by a fast substring search.
_G_STORE = re.compile(r"g\.(?<!\wg\.)\w+[^=\n(]*=(?!=)")
"""Text of an assignment to a ``g`` attribute: bodies without one are not lowered to look."""


def g_identity_attrs(analyzer: Analyzer) -> frozenset[str]:
    """``g`` attributes that hold the identity: the usual names, plus those assigned in a
    decorator's wrapper or a ``before_request`` hook anywhere in the project."""
    return analyzer.memo("identity.g", lambda: _g_attrs(analyzer))


def _g_attrs(analyzer: Analyzer) -> frozenset[str]:
    assigned: set[str] = set()
    for module in analyzer.project.modules.values():
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
    return G_IDENTITY | (assigned - _G_STATE)


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
        for block in arms(stmt):
            out |= _g_stores(block)
    return out


class Identity(Model):
    name = "identity"
    packages = frozenset(
        {"flask", "flask_login", "flask_jwt_extended", "flask_httpauth", "jwt", "jose",
         "firebase_admin", "google", "cognitojwt"}
    )  # fmt: skip
    sources = MappingProxyType(_CALLS)

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        declared = super().call(frame, name, args)
        return declared if declared is not None else external_call(frame, name, args)

    def ext_attribute(
        self, frame: Frame, ref_name: str, name: str, line: int, col: int
    ) -> Value | None:
        return attribute(frame, ref_name, name, line, col)

    def imported(self, path: str, name: str) -> Value | None:
        return imported(path, name)

    def answers_in(self, project: Project) -> bool:
        return any(_COMPARE in m.source for m in project.modules.values())

    def project_call(
        self, frame: Frame, fn_id: str, args: Args, summary: Callable[[], Value]
    ) -> Value | None:
        if not verifies_signature(frame.analyzer, fn_id):
            return None
        summary()  # what the body does besides (a read of the user) still happens
        site = args.site
        return source(frame, site.line, site.col, "claims of a verified token", Kind.BODY)


def verifies_signature(analyzer: Analyzer, fn_id: str) -> bool:
    """A project function that checks a signature with ``hmac.compare_digest`` and returns
    something else than that comparison: a hand-written token verifier, whose result is the
    claims the server signed, not data the client chose."""
    known = analyzer.memo("identity.verifiers", dict[str, bool])
    found = known.get(fn_id)
    if found is None:
        found = known[fn_id] = _verifier(analyzer, fn_id)
    return found


def _verifier(analyzer: Analyzer, fn_id: str) -> bool:
    module_name, _, qualname = fn_id.partition(":")
    module = analyzer.project.modules.get(module_name)
    if module is None or _COMPARE not in module.source:
        return False  # the common case, decided without lowering anything
    func = module.function(qualname)
    if func is None or _COMPARE not in module.text(func):
        return False
    returned = [s.value for s in ir.statements(func.body) if isinstance(s, ir.Return)]
    return any(v is not None and not _comparison(v) for v in returned)


_COMPARE = "compare_digest"


def _comparison(expr: ir.Expr) -> bool:
    """``return hmac.compare_digest(a, b)`` or a constant: a yes/no answer, not claims."""
    if isinstance(expr, (ir.Const, ir.Pure)):
        return True
    return (
        isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attr) and expr.func.attr == _COMPARE
    )


MODEL = Identity()
