"""DG702: the request chooses a table or attribute name."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG702",
        name="request-chosen-names",
        title="Request-controlled table or attribute name",
        cwe=(943,),
        owasp=("API8:2023",),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        hint="Map the request's choice to a name through a server-side dict or allowlist.",
        doc=RuleDoc(
            what=(
                "Finds table, index and attribute names taken from a single request value: "
                "`dynamodb.Table(request.args['table'])`, `TableName=`/`IndexName=` from the request, "
                "`Key={name: ...}` or `Item={name: ...}` with a request-chosen name, `Attr(name)` and "
                "`Key(name)` conditions, `ExpressionAttributeNames={'#n': name}`, `AttributesToGet`, "
                "and `setattr` on a PynamoDB item. A name checked against a server-side set "
                "(`if name in ALLOWED:`) is not reported. Names from iterating a whole request "
                "mapping into an update are DG102."
            ),
            why=(
                "The client reads or writes tables and attributes it was never meant to reach: "
                "`?table=admins`, `?sort=password_hash` on a filter that leaks one bit per request. "
                "`ExpressionAttributeNames` only escapes reserved words; it does not authorise the name."
            ),
            example=(
                "@app.get('/search')\n"
                "def search():\n"
                "    field = request.args['field']\n"
                "    result = table.scan(\n"
                "        FilterExpression='#f = :v',\n"
                "        ExpressionAttributeNames={'#f': field},\n"
                "        ExpressionAttributeValues={':v': request.args['value']},\n"
                "    )\n"
                "    return jsonify(result['Items'])\n"
            ),
            fix=(
                "SEARCHABLE = {'name': 'display_name', 'city': 'city'}\n\n"
                "@app.get('/search')\n"
                "def search():\n"
                "    field = SEARCHABLE.get(request.args.get('field', ''))\n"
                "    if field is None:\n"
                "        abort(400)\n"
                "    result = table.scan(\n"
                "        FilterExpression='#f = :v',\n"
                "        ExpressionAttributeNames={'#f': field},\n"
                "        ExpressionAttributeValues={':v': request.args.get('value', '')},\n"
                "    )\n"
                "    return jsonify(result['Items'])\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/943.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html",
            ),
        ),
    )
)
