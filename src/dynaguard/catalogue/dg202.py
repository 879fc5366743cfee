"""DG202: BFLA, a privileged operation with no role check."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG202",
        name="bfla",
        title="Privileged operation with no role check (BFLA)",
        cwe=(285,),
        owasp=("API5:2023",),
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        hint="Check the caller's role on the server before every admin operation, not only authentication.",
        doc=RuleDoc(
            what=(
                "Finds operations meant for administrators that run with no role or permission check: any "
                "DynamoDB access of an admin route (`/admin/...`, an `admin` handler or module), a `scan` "
                "of a table that holds users' items whose whole items the route returns with no filter on "
                "the caller, and an update that writes a role or permission attribute (`role`, "
                "`is_admin`, `permissions`...) of an item the request selects. Role checks are recognised "
                "in decorators (`@roles_required`, `@admin_required`, Flask-HTTPAuth's "
                "`login_required(role=...)`, project decorators whose wrapper tests a role), in "
                "`before_request` hooks, in the handler (`if g.role != 'admin': abort(403)`, `if not "
                "current_user.is_admin`), in helpers it calls (`require_admin()`) and in a library check "
                "called for its effect whose name or arguments name a role (`check_role(['admin'])`); "
                "a permission check "
                "that denies with 403 counts too. `dynaguard scan` calls them as a plain user and reports "
                "them when the user gets another identity's planted data, or the admin's own view, or "
                "when the owner's read-back shows the admin-only write took effect."
            ),
            why=(
                "Hiding an admin route from the menu does not protect it: any signed-in user who guesses "
                "`/admin/users` lists every account, with whatever attributes the items hold, or performs "
                "the admin's writes."
            ),
            example=(
                "@app.get('/admin/users')\n"
                "@login_required\n"
                "def list_users():\n"
                "    items = table.scan()['Items']\n"
                "    return jsonify({'users': items})\n"
            ),
            fix=(
                "@app.get('/admin/users')\n"
                "@login_required\n"
                "@admin_required\n"
                "def list_users():\n"
                "    result = table.scan(ProjectionExpression='username, display_name, #r',\n"
                "                        ExpressionAttributeNames={'#r': 'role'})\n"
                "    return jsonify({'users': result['Items']})\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/285.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/",
            ),
        ),
    )
)
