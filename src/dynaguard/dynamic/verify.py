"""Before probing: log every identity in and check that its credentials are really accepted.

An identity that does not authenticate would make every probe it takes part in look "secure";
it is dropped, and the report says so in plain words.
"""

from __future__ import annotations

import re

from dynaguard.dynamic.api import ApiModel, is_admin_operation
from dynaguard.dynamic.auth import IdentityStatus, Session
from dynaguard.dynamic.context import is_identity_param
from dynaguard.dynamic.http.client import HttpClient
from dynaguard.dynamic.spec.operations import Operation

_SELF = re.compile(r"(^|/)(me|self|whoami|profile|account|user|session)(/|$)", re.I)


def check_operation(api: ApiModel) -> Operation | None:
    """A GET that needs credentials and no ids: the simplest test of an identity's headers."""
    candidates = [
        op
        for op in api.operations
        if op.method == "GET"
        and not op.public
        and not is_admin_operation(op)
        and all(is_identity_param(p.name) for p in op.path_params)
        and not any(p.required for p in op.query_params)
    ]
    candidates.sort(key=lambda op: (not _SELF.search(op.path), bool(op.path_params), op.path))
    return candidates[0] if candidates else None


def verify(
    session: Session, http: HttpClient, base: str, check: Operation | None, anonymous: int
) -> IdentityStatus:
    """Log in (if the identity does) and call ``check`` with its credentials."""
    problem = _login_problem(session)
    if problem is not None:
        return IdentityStatus(session.name, False, problem)
    if check is None:
        why = "not verified: the spec has no GET without ids that needs credentials"
        return IdentityStatus(session.name, True, why)
    url = base + _fill(check.path, session)
    call = http.send(
        "GET", url, headers=session.headers(), identity=session.name, operation=check.key
    )
    if call.status == 401:
        return IdentityStatus(session.name, False, f"{check.key} answered 401 to its credentials")
    if call.response is None:
        return IdentityStatus(session.name, False, f"{check.key} failed: {call.error}")
    if anonymous in (401, 403) and call.status != anonymous:
        return IdentityStatus(
            session.name, True, f"{check.key} answered {call.status} (anonymous: {anonymous})"
        )
    why = f"assumed: {check.key} answered {call.status}, as it does to anonymous requests"
    return IdentityStatus(session.name, True, why)


def _login_problem(session: Session) -> str | None:
    """Why the identity's login failed, or None (also when it has no login)."""
    login = session.login()
    identity = session.identity
    if login is None or identity is None or identity.login is None:
        return None
    where = f"{identity.login.method} {identity.login.path}"
    if login.response is None:
        return f"login {where} failed: {login.error}"
    if not login.ok:
        return f"login {where} answered {login.status}"
    if session.generation == 0:
        return f"login {where} answered {login.status} but no token was found in the response"
    return None


def anonymous_status(http: HttpClient, base: str, check: Operation | None, session: Session) -> int:
    if check is None:
        return 0
    return http.send(
        "GET", base + _fill(check.path, session), identity=session.name, operation=check.key
    ).status


def _fill(path: str, session: Session) -> str:
    return re.sub(r"\{[^}]+\}", session.subject, path)
