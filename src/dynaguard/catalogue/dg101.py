"""DG101: the whole request body is written as a DynamoDB item."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, DocVariant, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG101",
        name="request-body-as-item",
        title="Request body written as a DynamoDB item",
        cwe=(915,),
        owasp=("API3:2023",),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        hint="Build the item from an allowlist of fields; never pass the request mapping whole.",
        doc=RuleDoc(
            what=(
                "Finds a whole request mapping (the client chooses its keys) that reaches a "
                "DynamoDB write as the item: `Table.put_item(Item=...)`, `batch_writer().put_item`, "
                "a typed `client.put_item`, a transaction `Put`, or a PynamoDB `Model(**data)` "
                "that is saved."
            ),
            why=(
                "DynamoDB enforces no schema beyond the key, so every key the client sends becomes "
                'an attribute: `{"username": "eve", "is_admin": true}` stores `is_admin`. '
                "The client can also choose the key attributes and overwrite another item."
            ),
            example=(
                "@app.post('/users')\n"
                "def create_user():\n"
                "    table.put_item(Item=request.get_json())\n"
                "    return {'status': 'created'}, 201\n"
            ),
            fix=(
                "ALLOWED = ('username', 'email', 'display_name')\n\n"
                "@app.post('/users')\n"
                "def create_user():\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    item = {name: body[name] for name in ALLOWED if name in body}\n"
                "    item['user_id'] = current_user_id()\n"
                "    table.put_item(Item=item, ConditionExpression='attribute_not_exists(user_id)')\n"
                "    return {'user_id': item['user_id']}, 201\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/915.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
            ),
            variants=(
                DocVariant(
                    framework="AWS Chalice",
                    example=(
                        "from chalice import Chalice\n\n"
                        "app = Chalice(app_name='users')\n\n\n"
                        "@app.route('/users', methods=['POST'])\n"
                        "def create_user():\n"
                        "    table.put_item(Item=app.current_request.json_body)\n"
                        "    return {'status': 'created'}\n"
                    ),
                    fix=(
                        "from chalice import Chalice, CognitoUserPoolAuthorizer\n\n"
                        "app = Chalice(app_name='users')\n"
                        "pool = CognitoUserPoolAuthorizer('users', provider_arns=['arn:aws:cognito-idp:...'])\n"
                        "ALLOWED = ('username', 'email', 'display_name')\n\n\n"
                        "@app.route('/users', methods=['POST'], authorizer=pool)\n"
                        "def create_user():\n"
                        "    body = app.current_request.json_body or {}\n"
                        "    item = {name: body[name] for name in ALLOWED if name in body}\n"
                        "    item['user_id'] = app.current_request.context['authorizer']['claims']['sub']\n"
                        "    table.put_item(Item=item, ConditionExpression='attribute_not_exists(user_id)')\n"
                        "    return {'user_id': item['user_id']}\n"
                    ),
                ),
                DocVariant(
                    framework="an AWS Lambda handler",
                    note="The event's `body` is the client's JSON text: what `json.loads` makes of it is the client's mapping.",
                    example=(
                        "def lambda_handler(event, context):\n"
                        "    try:\n"
                        "        body = json.loads(event['body'] or '{}')\n"
                        "    except ValueError:\n"
                        "        return {'statusCode': 400}\n"
                        "    table.put_item(Item=body)\n"
                        "    return {'statusCode': 201}\n"
                    ),
                    fix=(
                        "ALLOWED = ('username', 'email', 'display_name')\n\n\n"
                        "def lambda_handler(event, context):\n"
                        "    try:\n"
                        "        body = json.loads(event['body'] or '{}')\n"
                        "    except ValueError:\n"
                        "        return {'statusCode': 400}\n"
                        "    item = {name: body[name] for name in ALLOWED if name in body}\n"
                        "    item['user_id'] = event['requestContext']['authorizer']['claims']['sub']\n"
                        "    table.put_item(Item=item, ConditionExpression='attribute_not_exists(user_id)')\n"
                        "    return {'statusCode': 201}\n"
                    ),
                ),
            ),
        ),
    )
)
