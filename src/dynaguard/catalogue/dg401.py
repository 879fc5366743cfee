"""DG401: read-modify-write with no condition, so concurrent updates are lost."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG401",
        name="lost-update",
        title="Read-modify-write with no condition (lost update)",
        cwe=(362,),
        owasp=(),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        hint="Let DynamoDB do the arithmetic (ADD / SET n = n + :d) or condition the write on the value or version read.",
        doc=RuleDoc(
            what=(
                "Finds an item read, changed in Python and written back (`get_item` then `put_item` "
                "or `update_item` with the new value, PynamoDB `Model.get` then `save()`), in a "
                "route handler or the helpers it calls, with no condition on the version or the "
                "old value. `ADD n :d` and `SET n = n + :d` are computed by DynamoDB and are not "
                "reported; nor is a PynamoDB model with a `VersionAttribute`. Writing back the "
                "whole read copy (`save()` after setting request values) is reported with medium "
                "confidence. `dynaguard scan` learns what one request does to the item, then releases "
                "20 identical requests at the same instant (connections opened first, the last byte "
                "of every request sent together) and reports the operation when the final value "
                "misses some of the requests that answered 2xx."
            ),
            why=(
                "Two requests that read the same value both write value + 1: one increment, one "
                "deposit, one stock movement is silently lost. It happens under ordinary load, "
                "not only under attack, and nothing in the logs shows it."
            ),
            example=(
                "@app.post('/counters/<name>/increment')\n"
                "@login_required\n"
                "def increment(name):\n"
                "    key = {'owner': current_user_id(), 'name': name}\n"
                "    item = table.get_item(Key=key).get('Item')\n"
                "    if item is None:\n"
                "        abort(404)\n"
                "    item['count'] = item['count'] + 1\n"
                "    table.put_item(Item=item)\n"
                "    return jsonify({'count': item['count']})\n"
            ),
            fix=(
                "@app.post('/counters/<name>/increment')\n"
                "@login_required\n"
                "def increment(name):\n"
                "    key = {'owner': current_user_id(), 'name': name}\n"
                "    try:\n"
                "        result = table.update_item(\n"
                "            Key=key,\n"
                "            UpdateExpression='ADD #c :one',\n"
                "            ConditionExpression='attribute_exists(#n)',\n"
                "            ExpressionAttributeNames={'#c': 'count', '#n': 'name'},\n"
                "            ExpressionAttributeValues={':one': 1},\n"
                "            ReturnValues='UPDATED_NEW',\n"
                "        )\n"
                "    except table.meta.client.exceptions.ConditionalCheckFailedException:\n"
                "        abort(404)\n"
                "    return jsonify({'count': int(result['Attributes']['count'])})\n"
            ),
            fix_secure=(
                "from dynaguard.secure import increment as add\n\n"
                "# ADD applied by DynamoDB, guarded by attribute_exists: NotFound (404) if missing.\n"
                "count = add(table, {'owner': current_user_id(), 'name': name}, 'count', 1)\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/362.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.AtomicCounters",
            ),
        ),
    )
)
