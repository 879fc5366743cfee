"""DG502: a failed conditional or transactional write is swallowed and reported as success."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG502",
        name="swallowed-write-failure",
        title="Failed conditional write reported as success",
        cwe=(390,),
        owasp=(),
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        hint="Answer 409 (or re-raise) when a ConditionalCheckFailed or TransactionCanceled is caught.",
        doc=RuleDoc(
            what=(
                "Finds an `except` around a conditional write (a `ConditionExpression`, a "
                "PynamoDB `condition=` or `VersionAttribute`) or a transaction that catches its "
                "failure (`ConditionalCheckFailedException`, `TransactionCanceledException`, "
                "`ClientError`, PynamoDB's `PutError`/`UpdateError`, or a bare `except`/`except "
                "Exception`) and goes on to a success response: it neither re-raises nor answers an "
                "error status. A handler inside a retry loop is not reported. `dynaguard scan` "
                "creates a key as A, creates it again as B, and reports the operation when B is "
                "told 2xx yet nothing of B's was written."
            ),
            why=(
                "The condition did its job, the write was refused, and the client is told it "
                "worked: it shows a sign-up, a reservation or a payment as done, never retries it, "
                "and the data it believes it wrote does not exist."
            ),
            example=(
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
                "        pass  # already taken: treated as a retry\n"
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
                "        return jsonify({'error': 'handle already taken'}), 409\n"
                "    return jsonify({'handle': handle}), 201\n"
            ),
            fix_secure=(
                "from dynaguard.secure import create_if_absent\n\n"
                "# Raises Conflict (a 409 with a JSON body) when the handle is taken.\n"
                "create_if_absent(table, {'handle': handle, 'owner': current_user_id()})\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/390.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html",
            ),
        ),
    )
)
