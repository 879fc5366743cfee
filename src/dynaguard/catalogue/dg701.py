"""DG701: an expression or PartiQL statement is built from request data."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG701",
        name="expression-from-request",
        title="DynamoDB expression or PartiQL statement built from request data",
        cwe=(943,),
        owasp=("API8:2023",),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        hint="Pass request values through ExpressionAttributeValues or PartiQL Parameters, never in the text.",
        doc=RuleDoc(
            what=(
                "Finds `KeyConditionExpression`, `FilterExpression`, `ConditionExpression`, "
                "`ProjectionExpression` and `UpdateExpression` strings, and PartiQL `Statement`s "
                "(`execute_statement`, `batch_execute_statement`, `execute_transaction`), whose text "
                "contains request data (f-strings, `%`, `.format`, `+`). Values passed as "
                "`ExpressionAttributeValues`, PartiQL `Parameters` or `Key(...)`/`Attr(...)` conditions "
                "are the safe form and are not reported. Update expressions built from the request's "
                "*keys* are DG102."
            ),
            why=(
                "The request value becomes expression syntax: `x' OR begins_with(pk, '` widens a "
                "PartiQL `WHERE` to every item, and `a = :a OR attribute_exists(pk)` turns a "
                "condition into one that always holds."
            ),
            example=(
                "@app.get('/orders')\n"
                "def list_orders():\n"
                "    status = request.args.get('status', 'open')\n"
                "    result = client.execute_statement(\n"
                "        Statement=f\"SELECT * FROM orders WHERE status = '{status}'\"\n"
                "    )\n"
                "    return jsonify(result['Items'])\n"
            ),
            fix=(
                "@app.get('/orders')\n"
                "def list_orders():\n"
                "    status = request.args.get('status', 'open')\n"
                "    result = client.execute_statement(\n"
                "        Statement='SELECT * FROM orders WHERE status = ?',\n"
                "        Parameters=[{'S': status}],\n"
                "    )\n"
                "    return jsonify(result['Items'])\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/943.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html",
            ),
        ),
    )
)
