"""DG403: update or delete with no existence condition (an upsert of a phantom item)."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG403",
        name="phantom-upsert",
        title="Update or delete with no existence condition",
        cwe=(362,),
        owasp=(),
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        hint="Add ConditionExpression='attribute_exists(<key>)' to updates and deletes, and answer 404 when it fails.",
        doc=RuleDoc(
            what=(
                "Finds `update_item` and `delete_item` calls (a transaction's Update/Delete, PynamoDB "
                "`update()`/`delete()` on an instance it did not read) whose key has a request-chosen "
                "part and whose condition does not fail on a missing item (`attribute_exists`, or any "
                "comparison of a stored value), and read-modify-write code that writes back a default "
                "item when the read found none. `ADD n :d` on a new key creates the item too. Not "
                "reported: an item the operation read or created first, a delete asking for "
                "`ReturnValues='ALL_OLD'` (the code can see that nothing was there), an update whose "
                "`SET` reads a stored attribute outside `if_not_exists` (`SET tags = list_append(tags, "
                ":t)` fails on a missing item with a ValidationException), an update that gives a new "
                "item its defaults (`SET name = if_not_exists(name, :n)`: an upsert by design), a "
                "counter bucket (only `ADD`s to an item whose key names a summary or counter, "
                "`SUMMARY#DAY#{day}`: the first add creates it on purpose), batch writes; a "
                "delete is medium confidence (some APIs make DELETE idempotent on purpose). "
                "`dynaguard scan` updates an id that does not exist (its read answers 404 first) and "
                "reports the operation when the item exists afterwards."
            ),
            why=(
                "`update_item` creates the item when the key is new: an update of a deleted or "
                "mistyped id answers 200 and leaves a half-built phantom with only the updated "
                "attributes, which later code reads as real. A delete without the condition answers "
                "success for items that never existed."
            ),
            example=(
                "@app.put('/records/<record_id>')\n"
                "@login_required\n"
                "def rename(record_id):\n"
                "    title = (request.get_json(silent=True) or {}).get('title')\n"
                "    if not isinstance(title, str) or len(title) > 200:\n"
                "        abort(400)\n"
                "    table.update_item(\n"
                "        Key={'owner': current_user_id(), 'record_id': record_id},\n"
                "        UpdateExpression='SET title = :t',\n"
                "        ExpressionAttributeValues={':t': title},\n"
                "    )\n"
                "    return jsonify({'record_id': record_id, 'title': title})\n"
            ),
            fix=(
                "@app.put('/records/<record_id>')\n"
                "@login_required\n"
                "def rename(record_id):\n"
                "    title = (request.get_json(silent=True) or {}).get('title')\n"
                "    if not isinstance(title, str) or len(title) > 200:\n"
                "        abort(400)\n"
                "    try:\n"
                "        table.update_item(\n"
                "            Key={'owner': current_user_id(), 'record_id': record_id},\n"
                "            UpdateExpression='SET title = :t',\n"
                "            ConditionExpression='attribute_exists(record_id)',\n"
                "            ExpressionAttributeValues={':t': title},\n"
                "        )\n"
                "    except table.meta.client.exceptions.ConditionalCheckFailedException:\n"
                "        abort(404)\n"
                "    return jsonify({'record_id': record_id, 'title': title})\n"
            ),
            fix_secure=(
                "from dynaguard.secure import update_if_exists\n\n"
                "# attribute_exists on the key; NotFound (404) instead of an upsert.\n"
                "key = {'owner': current_user_id(), 'record_id': record_id}\n"
                "update_if_exists(table, key, {'title': title}, allowed={'title'})\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/362.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html",
            ),
        ),
    )
)
