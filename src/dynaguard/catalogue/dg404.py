"""DG404: a client-supplied version trusted for optimistic locking."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG404",
        name="trusted-client-version",
        title="Client-supplied version trusted for optimistic locking",
        cwe=(841,),
        owasp=(),
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        hint="Condition the write on the stored version equal to the one the client read; compute the new version on the server.",
        doc=RuleDoc(
            what=(
                "Finds a version number taken from the request and written (often incremented) "
                "without a `ConditionExpression` comparing it with the stored version. `dynaguard "
                "scan` writes once with the current version, then again with the old one and a new "
                "marker, and reports the operation when the owner's read-back shows the stale write "
                "applied."
            ),
            why=(
                "Optimistic locking only works if the server checks the version: otherwise a client "
                "editing an old copy overwrites every newer edit and the version number, now "
                "believed, hides that it happened."
            ),
            example=(
                "@app.put('/records/<record_id>')\n"
                "def replace(record_id):\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    version = int(body.get('version', 0))\n"
                "    table.update_item(\n"
                "        Key={'owner': current_user_id(), 'record_id': record_id},\n"
                "        UpdateExpression='SET title = :t, version = :v',\n"
                "        ExpressionAttributeValues={':t': str(body.get('title', ''))[:200], ':v': version + 1},\n"
                "    )\n"
                "    return jsonify({'version': version + 1})\n"
            ),
            fix=(
                "@app.put('/records/<record_id>')\n"
                "def replace(record_id):\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    version = body.get('version')\n"
                "    if not isinstance(version, int) or isinstance(version, bool) or version < 1:\n"
                "        abort(400)\n"
                "    try:\n"
                "        table.update_item(\n"
                "            Key={'owner': current_user_id(), 'record_id': record_id},\n"
                "            UpdateExpression='SET title = :t, version = version + :one',\n"
                "            ConditionExpression='version = :expected',\n"
                "            ExpressionAttributeValues={':t': str(body.get('title', ''))[:200],\n"
                "                                       ':one': 1, ':expected': version},\n"
                "        )\n"
                "    except table.meta.client.exceptions.ConditionalCheckFailedException:\n"
                "        abort(409)\n"
                "    return jsonify({'version': version + 1})\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/841.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBMapper.OptimisticLocking.html",
            ),
        ),
    )
)
