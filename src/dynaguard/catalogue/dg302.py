"""DG302: malformed input crashes the handler (5xx)."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG302",
        name="malformed-input-crash",
        title="Malformed input crashes the handler",
        cwe=(755,),
        owasp=("API8:2023",),
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        hint="Read request fields with .get() and explicit checks, and turn ClientError into a 4xx the client can act on.",
        doc=RuleDoc(
            what=(
                "Finds request fields read in ways that raise on bad input (`request.json['x']`, "
                "`int(...)` of a request value, a `ClientError` left unhandled). `dynaguard scan` "
                "sends wrong types, missing required fields, oversized strings, deep nesting and "
                "values DynamoDB refuses (empty key strings, numbers of more than 38 digits, NaN, "
                "Infinity) and reports each operation that answers 5xx."
            ),
            why=(
                "A 500 tells the client nothing it can fix, fills logs with stack traces, and shows "
                "an attacker which inputs reach the database unchecked: the first step to the "
                "validation and injection weaknesses next to it."
            ),
            example=(
                "@app.post('/handles')\n"
                "def claim_handle():\n"
                "    handle = request.get_json()['handle']\n"
                "    table.put_item(Item={'handle': handle, 'owner': current_user_id()})\n"
                "    return jsonify({'handle': handle}), 201\n"
            ),
            fix=(
                "@app.post('/handles')\n"
                "def claim_handle():\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    handle = body.get('handle')\n"
                "    if not isinstance(handle, str) or not 3 <= len(handle) <= 30:\n"
                "        abort(400)\n"
                "    try:\n"
                "        table.put_item(Item={'handle': handle, 'owner': current_user_id()},\n"
                "                       ConditionExpression='attribute_not_exists(handle)')\n"
                "    except table.meta.client.exceptions.ConditionalCheckFailedException:\n"
                "        abort(409)\n"
                "    return jsonify({'handle': handle}), 201\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/755.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
            ),
        ),
    )
)
