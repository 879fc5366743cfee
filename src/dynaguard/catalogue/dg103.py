"""DG103: a server-controlled attribute is set from the request."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

SERVER_CONTROLLED: tuple[str, ...] = (
    "role", "roles", "is_admin", "admin", "is_superuser", "is_staff", "permissions", "scopes",
    "tier", "plan", "balance", "credit", "credits", "verified", "is_verified", "email_verified",
    "status", "version", "created_at", "created_by",
)  # fmt: skip
"""Attributes only the server may write, on any write (create or update), from any request data."""

OWNERSHIP: tuple[str, ...] = (
    "owner", "owner_id", "user_id", "tenant_id", "account_id", "pk", "sk",
)  # fmt: skip
"""Owner and key attributes: reported only when a create (a put) takes them from the request body.

A key or owner taken from the route or query selects an item: that is BOLA (DG201), not DG103.
"""


def normalise(name: str) -> str:
    """``isAdmin``, ``is_admin`` and ``IS-ADMIN`` name the same attribute."""
    return name.lower().replace("_", "").replace("-", "")


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names)


RULE = declare(
    Rule(
        id="DG103",
        name="server-attribute-from-request",
        title="Server-controlled attribute set from the request",
        cwe=(915,),
        owasp=("API3:2023",),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        hint="Set role, ownership, balance and version attributes on the server; never copy them from the request.",
        doc=RuleDoc(
            what=(
                "Finds writes that set a server-controlled attribute from request data: an item field "
                "(`item['role'] = body['role']`, `Item={'is_admin': body.get('is_admin')}`), "
                "`SET balance = :b` with `:b` from the request, `AttributeUpdates`, and PynamoDB "
                "(`User(role=...)`, `user.role = ...`, `User.role.set(...)`). Server-controlled on every "
                f"write: {_listed(SERVER_CONTROLLED)}. Ownership and key attributes ({_listed(OWNERSHIP)}) "
                "are reported only when a create (a put) takes them from the request body, and so is a "
                "user-naming attribute (`username`, `user`, `author`) of a new item under a generated "
                "id (a run, a post: it says whose the item is), except on a "
                "sign-up route (a POST to `/register`, `/signup`, `/users`..., a handler named "
                "`signup` or `register...`, a GraphQL `register...` "
                "mutation) where the client names the account it creates, and a sort key (`sk`) "
                "under a partition key the server chose (it names an item inside that partition, "
                "not whose it is), and the attribute a create-only put's condition keeps absent "
                "(`attribute_not_exists(userId)`: the new item's own key; keyed so, the item is a "
                "user's own record and its `userName` describes it): taken from the "
                "route they select an item, which is BOLA (DG201). In an operation that checks the "
                "caller's role (`@roles_required('admin')`, `if not current_user.is_admin: "
                "abort(403)`), roles and permissions set from the request are an admin granting "
                "them, by design, and are not reported (timestamps, versions and balances still "
                "are). "
                "Names match ignoring case, `_` and `-`. "
                "A client-chosen delta applied to the stored value (`ADD credit :d`, "
                "`SET balance = balance - :d`) is an operation the API offers, not the client choosing the "
                "value: it is not reported here, and its missing range check is DG301."
            ),
            why=(
                "The client picks its own privileges (`role`), spends money it does not have "
                "(`balance`), claims someone else's item (`owner_id`) or defeats optimistic locking "
                "(`version`), even when every other field is allowlisted."
            ),
            example=(
                "@app.post('/accounts')\n"
                "def create_account():\n"
                "    body = request.get_json()\n"
                "    item = {\n"
                "        'user_id': current_user_id(),\n"
                "        'name': body.get('name'),\n"
                "        'balance': body.get('balance', 0),\n"
                "    }\n"
                "    table.put_item(Item=item)\n"
                "    return {'status': 'created'}, 201\n"
            ),
            fix=(
                "@app.post('/accounts')\n"
                "def create_account():\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    item = {\n"
                "        'user_id': current_user_id(),\n"
                "        'name': str(body.get('name', ''))[:100],\n"
                "        'balance': 0,\n"
                "    }\n"
                "    table.put_item(Item=item, ConditionExpression='attribute_not_exists(user_id)')\n"
                "    return {'status': 'created'}, 201\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/915.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
            ),
        ),
    )
)
