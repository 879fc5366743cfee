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
                "Finds `update_item` and `delete_item` calls by a client-supplied key with no "
                "`attribute_exists` condition, and read-modify-write code that writes back a "
                "default item when the read found none. `dynaguard scan` updates an id that does "
                "not exist (its read answers 404 first) and reports the operation when the item "
                "exists afterwards."
            ),
            why=(
                "`update_item` creates the item when the key is new: an update of a deleted or "
                "mistyped id answers 200 and leaves a half-built phantom with only the updated "
                "attributes, which later code reads as real. A delete without the condition answers "
                "success for items that never existed."
            ),
            example=(
                "@app.put('/records/<record_id>')\n"
                "def rename(record_id):\n"
                "    title = str((request.get_json(silent=True) or {}).get('title', ''))[:200]\n"
                "    table.update_item(\n"
                "        Key={'owner': current_user_id(), 'record_id': record_id},\n"
                "        UpdateExpression='SET title = :t',\n"
                "        ExpressionAttributeValues={':t': title},\n"
                "    )\n"
                "    return jsonify({'record_id': record_id, 'title': title})\n"
            ),
            fix=(
                "@app.put('/records/<record_id>')\n"
                "def rename(record_id):\n"
                "    title = str((request.get_json(silent=True) or {}).get('title', ''))[:200]\n"
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
            references=(
                "https://cwe.mitre.org/data/definitions/362.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html",
            ),
        ),
    )
)
