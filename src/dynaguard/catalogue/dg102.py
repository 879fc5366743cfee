"""DG102: client-chosen attribute names reach an update."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG102",
        name="client-chosen-update-attributes",
        title="Client-chosen attribute names reach an update",
        cwe=(915,),
        owasp=("API3:2023",),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        hint="Update only attributes from a server-side allowlist; never iterate the request's keys into an update.",
        doc=RuleDoc(
            what=(
                "Finds updates whose attribute *names* come from iterating a whole request mapping: "
                "an `UpdateExpression` or `ExpressionAttributeNames` built in a loop over "
                "`request.get_json()` keys, `AttributeUpdates` made from the request mapping, "
                "`setattr(item, key, value)` loops on a PynamoDB item, and PynamoDB "
                "`update(actions=[getattr(Model, k).set(v) for k, v in data.items()])`. "
                "Names from a single request value (`request.args['field']`) are DG702; a loop over "
                "an allowlisted copy of the request is not reported."
            ),
            why=(
                "A partial update meant for `display_name` and `email` writes whatever attributes the "
                'client names: `{"role": "admin", "balance": 1e9}` becomes `SET role = :v0, balance = :v1`. '
                "Placeholders in `ExpressionAttributeNames` only escape reserved words; they do not "
                "authorise the name."
            ),
            example=(
                "@app.patch('/users/me')\n"
                "def update_me():\n"
                "    body = request.get_json()\n"
                "    parts, names, values = [], {}, {}\n"
                "    for i, (key, value) in enumerate(body.items()):\n"
                "        parts.append(f'#a{i} = :v{i}')\n"
                "        names[f'#a{i}'] = key\n"
                "        values[f':v{i}'] = value\n"
                "    if not parts:\n"
                "        abort(400)\n"
                "    table.update_item(\n"
                "        Key={'user_id': current_user_id()},\n"
                "        UpdateExpression='SET ' + ', '.join(parts),\n"
                "        ExpressionAttributeNames=names,\n"
                "        ExpressionAttributeValues=values,\n"
                "    )\n"
                "    return {'status': 'updated'}\n"
            ),
            fix=(
                "EDITABLE = ('display_name', 'email')\n\n"
                "@app.patch('/users/me')\n"
                "def update_me():\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    changes = {k: v for k, v in body.items() if k in EDITABLE}\n"
                "    if not changes:\n"
                "        abort(400)\n"
                "    parts, names, values = [], {}, {}\n"
                "    for i, (key, value) in enumerate(changes.items()):\n"
                "        parts.append(f'#a{i} = :v{i}')\n"
                "        names[f'#a{i}'] = key\n"
                "        values[f':v{i}'] = value\n"
                "    table.update_item(\n"
                "        Key={'user_id': current_user_id()},\n"
                "        UpdateExpression='SET ' + ', '.join(parts),\n"
                "        ExpressionAttributeNames=names,\n"
                "        ExpressionAttributeValues=values,\n"
                "        ConditionExpression='attribute_exists(user_id)',\n"
                "    )\n"
                "    return {'status': 'updated'}\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/915.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html",
            ),
        ),
    )
)
