"""Throwaway accounts: an active scan registers its own users through the API's sign-up.

Proofs that change an account's credentials or rights (takeover, privilege escalation) act only
on these, never on a configured identity: a real account's password cannot be put back. Each
account is named with a marker of the run (``dg_<run>_<n>``), logged in through the login flow
(the configured identities' login with its body's name and password swapped, or the spec's
login operation), and deleted at cleanup where the API offers a way; the rest are listed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.auth import SUBJECT_FIELDS, IdentityStatus, Session
from dynaguard.dynamic.context import ProbeContext, Sessions, is_identity_param
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.identity import Identity, Login
from dynaguard.dynamic.objects import deleted
from dynaguard.dynamic.outcomes import Blocked, Rejected, Skip
from dynaguard.dynamic.sensitive import normalise
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import properties, sample

_PASSWORD = re.compile(r"pass|passwd|pwd|passcode|pin|.*password.*", re.I)
_EMAIL = re.compile(r"e?mail|emailaddress|.*email", re.I)
_SIGNUP_PATH = re.compile(r"(^|/)(register|registration|signup|sign-up|sign_up|join)(/|$)", re.I)
_LOGIN_LAST = re.compile(
    r"login|signin|sign-in|log-in|token|tokens|auth|authenticate|sessions?", re.I
)
_SELF_PATH = re.compile(r"(^|/)(me|self|account|profile)$", re.I)
_SUBJECTS = frozenset(normalise(n) for n in (*SUBJECT_FIELDS, "user_name", "handle", "login_id"))
_FLOW = ("accounts", "flow")


def is_password(name: str) -> bool:
    return bool(_PASSWORD.fullmatch(normalise(name)))


def is_email(name: str) -> bool:
    return bool(_EMAIL.fullmatch(normalise(name)))


def is_subject(name: str) -> bool:
    return normalise(name) in _SUBJECTS or is_email(name)


def is_login(op: Operation) -> bool:
    return op.method == "POST" and bool(
        _LOGIN_LAST.fullmatch(op.path.rstrip("/").rsplit("/", 1)[-1])
    )


def is_credential_write(op: Operation) -> bool:
    """Changes what logs an account in: a password field, or only an email (``/email``).
    Other probes leave these alone: they would lock configured identities out for good."""
    names = list(properties(op.body or {}))
    if not op.writes or not names or op.method == "DELETE" or is_login(op) or is_signup(op):
        return False
    return any(is_password(n) for n in names) or all(is_email(n) for n in names)


def is_signup(op: Operation) -> bool:
    """A POST that takes a name and a password, is not the login, and needs no credentials."""
    names = list(properties(op.body or {}))
    if op.method != "POST" or is_login(op):
        return False
    if not any(is_password(n) for n in names) or not any(is_subject(n) for n in names):
        return False
    return op.public or bool(_SIGNUP_PATH.search(op.path)) or op.security is None


def signups(api: ApiModel) -> list[Operation]:
    # The register path first: a public POST /users with a password may be an admin's tool.
    found = [op for op in api.operations if is_signup(op)]
    return sorted(found, key=lambda op: not _SIGNUP_PATH.search(op.path))


@dataclass(frozen=True, slots=True)
class Flow:
    """How the scan makes an account and logs it in."""

    signup: Operation
    login: Login
    """A template: its body's ``subject`` and ``password`` fields are replaced per account."""
    subject: str
    password: str

    @property
    def by_email(self) -> bool:
        return is_email(self.subject)


@dataclass(frozen=True, slots=True)
class Account:
    """One account the scan registered, logged in."""

    username: str
    password: str
    login_name: str
    """What the login flow's name field takes: the username, or the email."""
    session: Session
    created: Call
    """The sign-up request."""
    login: Call
    """The login that gave ``session`` its token."""


def flow(ctx: ProbeContext) -> Flow:
    """The scan's sign-up and login flow (cached); Skip when the API has none."""
    with ctx.cache_lock:
        if _FLOW not in ctx.cache:
            ctx.cache[_FLOW] = _flow(ctx)
        found: Flow | str = ctx.cache[_FLOW]
    if isinstance(found, str):
        raise Skip(found)
    return found


def _flow(ctx: ProbeContext) -> Flow | str:
    ups = signups(ctx.api)
    if not ups:
        return "the API has no sign-up operation (a POST taking a name and a password)"
    for identity in ctx.options.identities:
        template = _template(identity.login.body) if identity.login else None
        if identity.login is not None and template is not None:
            return Flow(ups[0], identity.login, *template)
    for op in ctx.api.operations:
        template = _template(sample(op.body)) if op.body else None
        if is_login(op) and template is not None:
            prefix = (
                ctx.base[len(ctx.http.target) :] if ctx.base.startswith(ctx.http.target) else ""
            )
            login = Login(path=prefix + op.path, body=sample(op.body), token=_token_field(op))
            return Flow(ups[0], login, *template)
    return "no login flow: configure an identity's login, or the spec needs a login operation"


def _token_field(op: Operation) -> str | None:
    """Where the spec's login response puts the token (``auth_token``); None: the usual names."""
    for status, schema in op.responses.items():
        names = properties(schema) if status.startswith("2") else {}
        found = next((n for n in names if re.search("token|jwt", n, re.I)), None)
        if found is not None:
            return "/" + found
    return None


def _template(body: Any) -> tuple[str, str] | None:
    """The login body's name field and password field."""
    if not isinstance(body, Mapping):
        return None
    subject = next((str(k) for k in body if is_subject(str(k))), None)
    password = next((str(k) for k in body if is_password(str(k))), None)
    return (subject, password) if subject and password else None


def new_password() -> str:
    # Letters of both cases, digits and a sign: what password rules usually ask for.
    return f"Dg-{secrets.token_urlsafe(12)}-7a"


def register(
    ctx: ProbeContext,
    *,
    extra: Mapping[str, Any] | None = None,
    username: str | None = None,
) -> Account:
    """Register a fresh account (or ``username`` again) and log it in. Raises Rejected when the
    sign-up refuses the body, Skip when the account cannot log in."""
    found = flow(ctx)
    name = username or ctx.markers.new()
    secret = new_password()
    ctx.redactor.add_secret(secret)
    body = {**signup_body(ctx, found, name, secret), **(extra or {})}
    call = ctx.call(ctx.sessions.anonymous, found.signup, body=body)
    if not call.ok:
        raise Rejected(f"{found.signup.key} answered {call.status or call.error} to the sign-up")
    # Tracked before the login: an interrupt there must still find the account to delete.
    own: list[Session] = []
    if username is None:
        track(ctx, name, own)
    login_name = email_of(name) if found.by_email else name
    session, login = log_in(ctx, name, login_name, secret)
    own.append(session)
    if login is None:
        raise Skip(f"the account {name} the scan registered cannot log in")
    return Account(name, secret, login_name, session, call, login)


def email_of(name: str) -> str:
    return f"{name}@example.com"


def signup_body(ctx: ProbeContext, found: Flow, name: str, secret: str) -> dict[str, Any]:
    """A valid sign-up body with the account's name, email and password in their fields."""
    body = sample(found.signup.body, ctx.markers) if found.signup.body else {}
    body = dict(body) if isinstance(body, dict) else {}
    for field in properties(found.signup.body or {}):
        if is_password(field):
            body[field] = secret
        elif is_email(field):
            body[field] = email_of(name)
        elif normalise(field) in _SUBJECTS:
            body[field] = name
    return body


def log_in(
    ctx: ProbeContext, name: str, login_name: str, secret: str
) -> tuple[Session, Call | None]:
    """A session for the account, and the login call when it gave a token (None otherwise)."""
    found = flow(ctx)
    body = {**found.login.body, found.subject: login_name, found.password: secret}
    login = replace(found.login, body=body)
    media = ctx.api.login_media(login.method, login.path)
    session = Session(Identity(name, login=login), ctx.http, ctx.redactor, login_media=media)
    ctx.check_interrupt()
    call = session.login()
    ok = call is not None and call.ok and session.generation > 0
    return session, call if ok else None


def track(ctx: ProbeContext, name: str, own: list[Session]) -> None:
    """Delete the account ``name`` at cleanup (as itself once ``own`` holds its session, then
    as an admin), or list it."""
    label = f"account {name} registered by the scan through {flow(ctx).signup.key}"
    delete = _delete_operation(ctx.api)
    if delete is None:
        ctx.cleanup.add(label + " (the API has no delete for accounts)", None)
        return

    # The account itself first: its token outlives a password a probe changed.
    path = {p.name: name for p in delete.path_params}
    ctx.cleanup.add(label, lambda: deleted(ctx, delete, path, (*own, *ctx.sessions.admins)))


def _delete_operation(api: ApiModel) -> Operation | None:
    """``DELETE /users/{username}`` (ids of people only) or ``DELETE /me``."""
    for op in api.operations:
        params = op.path_params
        if op.method != "DELETE":
            continue
        if (params and all(is_identity_param(p.name) for p in params)) or (
            not params and _SELF_PATH.search(op.path)
        ):
            return op
    return None


def own_record(ctx: ProbeContext, account: Account) -> Call | None:
    """The account's own record as it reads it (``/users/{username}``, ``/me``), or None."""
    for resource in ctx.api.resources:
        op = resource.read
        keyed = resource.id_param is not None and is_identity_param(resource.id_param)
        if op is None or not (resource.singleton or keyed):
            continue
        try:
            call = ctx.call(account.session, op, path=ctx.path_values(op, account.session))
        except Skip:
            continue
        if call.ok and isinstance(call.json(), dict):
            return call
    return None


def stand_ins(ctx: ProbeContext, wanted: int = 2) -> list[IdentityStatus]:
    """Register accounts until the scan has ``wanted`` non-admin identities (BOLA needs two),
    when the API has a sign-up and a login flow; they join ``ctx.sessions.users``."""
    added: list[Session] = []
    statuses = []
    while len(ctx.sessions.users) + len(added) < wanted:
        try:
            account = register(ctx)
        except (Skip, Rejected, Blocked) as exc:
            if signups(ctx.api):
                statuses.append(IdentityStatus("sign-up", False, f"no account registered: {exc}"))
            break
        added.append(account.session)
        why = f"registered by the scan through {account.created.operation} (deleted at cleanup)"
        statuses.append(IdentityStatus(account.username, True, why))
    sessions = ctx.sessions
    ctx.sessions = Sessions((*sessions.users, *added), sessions.admins, sessions.anonymous)
    return statuses
