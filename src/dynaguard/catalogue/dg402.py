"""DG402: a create by a client-chosen key with no attribute_not_exists condition."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG402",
        name="create-overwrites",
        title="Create with no attribute_not_exists: silent overwrite",
        cwe=(362, 367),
        owasp=(),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        hint="Create with ConditionExpression='attribute_not_exists(<key>)' and answer 409 when it fails.",
        doc=RuleDoc(
            what=(
                "Finds `put_item` creates (PynamoDB `save()` too) with no condition: in a POST "
                "handler, whose key the client chooses (a request-derived key part and no "
                "server-generated one such as `uuid4()`), and check-then-put code in any handler (a "
                "`get_item`/`Model.get` of the same key, or a query or scan comparing every key "
                "attribute with the put's values, then an unconditional put). The key is the "
                "table's (PynamoDB hash/range keys, or the `Key=` names the project uses for the "
                "table); when the project does not tell, the item's first attribute stands for it and "
                "the finding has medium confidence. A PUT handler replacing an item (that is what PUT "
                "means), a put that writes back what it read (DG401; a query or scan check whose data "
                "it does not store still counts), batch writes, and a put keyed "
                "by the name the handler has just registered with Cognito (`admin_create_user` / "
                "`sign_up` refuse a name already taken) are not reported. `dynaguard scan` has A create an item under a fresh key and B create one "
                "under the same key, and reports the operation when the item now carries B's marker "
                "or owner instead of A's."
            ),
            why=(
                "`put_item` replaces any item with the same key. The second claimant of a unique "
                "handle silently takes it over, with every attribute of the first one gone; a "
                "check-then-put has the same race between its two calls."
            ),
            example=(
                "@app.post('/handles')\n"
                "@login_required\n"
                "def claim_handle():\n"
                "    handle = (request.get_json(silent=True) or {}).get('handle')\n"
                "    if not isinstance(handle, str) or not handle.isalnum() or len(handle) > 30:\n"
                "        abort(400)\n"
                "    table.put_item(Item={'handle': handle, 'owner': current_user_id()})\n"
                "    return jsonify({'handle': handle}), 201\n"
            ),
            fix=(
                "@app.post('/handles')\n"
                "@login_required\n"
                "def claim_handle():\n"
                "    handle = (request.get_json(silent=True) or {}).get('handle')\n"
                "    if not isinstance(handle, str) or not handle.isalnum() or len(handle) > 30:\n"
                "        abort(400)\n"
                "    try:\n"
                "        table.put_item(\n"
                "            Item={'handle': handle, 'owner': current_user_id()},\n"
                "            ConditionExpression='attribute_not_exists(handle)',\n"
                "        )\n"
                "    except table.meta.client.exceptions.ConditionalCheckFailedException:\n"
                "        abort(409)\n"
                "    return jsonify({'handle': handle}), 201\n"
            ),
            fix_secure=(
                "from dynaguard.secure import create_if_absent\n\n"
                "# attribute_not_exists on the table's key; Conflict (409) when it is taken.\n"
                "create_if_absent(table, {'handle': handle, 'owner': current_user_id()})\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/362.html",
                "https://cwe.mitre.org/data/definitions/367.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html",
            ),
        ),
    )
)
