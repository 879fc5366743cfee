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
                "Finds a version attribute (`version`, `revision`, `etag`, `rev`...) written from "
                "request data - a put's item, a `SET version = :v`, a PynamoDB attribute - with no "
                "condition comparing the stored one. The client's version is what the condition "
                "should compare, not what the item should store. A PynamoDB `VersionAttribute` checks "
                "itself; a version DynamoDB computes (`SET version = version + :one`) is not the "
                "client's. `dynaguard scan` writes once with the current version, then again with the "
                "old one and a new marker, and reports the operation when the owner's read-back shows "
                "the stale write applied."
            ),
            why=(
                "Optimistic locking only works if the server checks the version: otherwise a client "
                "editing an old copy overwrites every newer edit and the version number, now "
                "believed, hides that it happened."
            ),
            example=(
                "@app.put('/records/<record_id>')\n"
                "@login_required\n"
                "def replace(record_id):\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    title, revision = body.get('title'), body.get('revision')\n"
                "    if not isinstance(title, str) or len(title) > 200:\n"
                "        abort(400)\n"
                "    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:\n"
                "        abort(400)\n"
                "    table.update_item(\n"
                "        Key={'owner': current_user_id(), 'record_id': record_id},\n"
                "        UpdateExpression='SET title = :t, revision = :r',\n"
                "        ConditionExpression='attribute_exists(record_id)',\n"
                "        ExpressionAttributeValues={':t': title, ':r': revision + 1},\n"
                "    )\n"
                "    return jsonify({'revision': revision + 1})\n"
            ),
            fix=(
                "@app.put('/records/<record_id>')\n"
                "@login_required\n"
                "def replace(record_id):\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    title, revision = body.get('title'), body.get('revision')\n"
                "    if not isinstance(title, str) or len(title) > 200:\n"
                "        abort(400)\n"
                "    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:\n"
                "        abort(400)\n"
                "    try:\n"
                "        table.update_item(\n"
                "            Key={'owner': current_user_id(), 'record_id': record_id},\n"
                "            UpdateExpression='SET title = :t, revision = revision + :one',\n"
                "            ConditionExpression='revision = :expected',\n"
                "            ExpressionAttributeValues={':t': title, ':one': 1, ':expected': revision},\n"
                "        )\n"
                "    except table.meta.client.exceptions.ConditionalCheckFailedException:\n"
                "        abort(409)\n"
                "    return jsonify({'revision': revision + 1})\n"
            ),
            fix_secure=(
                "from dynaguard.secure import versioned_update\n"
                "\n"
                "# Applied only if the stored revision equals the client's; the new one is computed\n"
                "# server-side. Stale: Conflict (409); missing: NotFound (404).\n"
                "versioned_update(table, key, {'title': title}, expected_version=revision,\n"
                "                 allowed={'title'}, version_attribute='revision')\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/841.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBMapper.OptimisticLocking.html",
            ),
        ),
    )
)
