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
                "Finds operations meant for administrators (admin routes, writes of role or permission "
                "attributes, listings of every user's items with `scan`) that check only that the "
                "caller is signed in. `dynaguard scan` calls them as a plain user and reports them "
                "when the user gets another identity's planted data, or the admin's own view, or "
                "when the owner's read-back shows the admin-only write took effect."
            ),
            why=(
                "Hiding an admin route from the menu does not protect it: any signed-in user who "
                "guesses `/admin/users` lists every account, with whatever attributes the items "
                "hold, or performs the admin's writes."
            ),
            example=(
                "@app.get('/admin/users')\n"
                "def list_users():\n"
                "    if not getattr(g, 'user_id', None):\n"
                "        abort(401)\n"
                "    items = table.scan()['Items']\n"
                "    return jsonify({'users': items})\n"
            ),
            fix=(
                "@app.get('/admin/users')\n"
                "def list_users():\n"
                "    if getattr(g, 'role', None) != 'admin':\n"
                "        abort(403)\n"
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
