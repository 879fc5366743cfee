"""DG302: malformed input crashes the handler (5xx)."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, DocVariant, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG302",
        name="malformed-input-crash",
        title="Malformed input crashes the handler",
        cwe=(755,),
        owasp=("API8:2023",),
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        hint="Read request fields with .get() and explicit checks, and turn ClientError into a 4xx the client can act on.",
        doc=RuleDoc(
            what=(
                "Finds request handlers that raise on malformed input, so that the client gets a "
                "500: a JSON body read by a key that may be missing (`request.get_json()['x']`, "
                "`body['x']`, `body.pop('x')`: KeyError, or TypeError when the body is not an "
                "object), and `int()`, `float()`, `Decimal()`, `json.loads()` or a date parser "
                "(`datetime.strptime`, `fromisoformat`, dateutil's `parse`) of a request "
                "value (ValueError; `decimal.InvalidOperation`, which is *not* a ValueError). "
                "Not reported: a `try` around the read, here or in the calling handler, that "
                "handles the error (an `except` that re-raises, raises Chalice's "
                "`ChaliceViewError` or werkzeug's `InternalServerError`, or calls `abort(500)` "
                "answers 5xx all the same, and is reported); an app-level "
                "`@app.errorhandler(...)` / "
                "`register_error_handler` for it that answers below 500 (a handler of `500` receives "
                "every unhandled exception, so one that answers 4xx covers them all); a key whose "
                "presence the "
                "function checks (`if 'x' not in body: abort(400)`, a loop over required names, "
                "a validator call); a value checked before conversion (`x.isdigit()`); and what "
                "Flask already answers with a 4xx (`request.form['x']`, `request.args['x']`: "
                "BadRequestKeyError, 400; a body that is not JSON: 400/415) or API Gateway before "
                "a Lambda handler runs (a method with a request model and validator, or a "
                "required query parameter, read from the project's CDK app). `body.get('x')` on a "
                "body that is not an object is not reported. DynamoDB's own refusals count too: a "
                "key value from the body or query that may be missing or empty (ValidationException), "
                "and a low-level client's typed value (`{'S': body.get('x')}`) that is None when "
                "the field is missing (botocore's ParamValidationError, which is not a "
                "ClientError), and an update expression built only from the fields the request "
                "has (`'SET ' + ', '.join(parts)` where nothing checks that `parts` is not empty: "
                "`'SET '` alone is a ValidationException). `dynaguard scan` sends wrong "
                "types, missing required fields and values DynamoDB refuses (empty key strings, "
                "numbers of more than 38 digits, NaN) and reports each operation that answers 5xx."
            ),
            why=(
                "A 500 tells the client nothing it can fix, fills logs with stack traces, and shows "
                "an attacker which inputs reach the database unchecked: the first step to the "
                "validation and injection weaknesses next to it."
            ),
            example=(
                "@app.post('/orders/search')\n"
                "@login_required\n"
                "def search_orders():\n"
                "    limit = int(request.get_json()['limit'])\n"
                "    result = table.query(\n"
                "        KeyConditionExpression=Key('owner').eq(current_user_id()), Limit=limit\n"
                "    )\n"
                "    return jsonify(result['Items'])\n"
            ),
            fix=(
                "@app.post('/orders/search')\n"
                "@login_required\n"
                "def search_orders():\n"
                "    body = request.get_json(silent=True)\n"
                "    if not isinstance(body, dict):\n"
                "        abort(400)\n"
                "    limit = body.get('limit', 20)\n"
                "    if not isinstance(limit, int) or not 1 <= limit <= 100:\n"
                "        abort(400)\n"
                "    result = table.query(\n"
                "        KeyConditionExpression=Key('owner').eq(current_user_id()), Limit=limit\n"
                "    )\n"
                "    return jsonify(result['Items'])\n"
            ),
            fix_secure=(
                "from pydantic import Field\n\n"
                "from dynaguard.secure import Input, parse_body\n\n\n"
                "class OrderSearch(Input):\n"
                "    limit: int = Field(default=20, ge=1, le=100)\n\n\n"
                "@app.post('/orders/search')\n"
                "@login_required\n"
                "def search_orders():\n"
                "    search = parse_body(OrderSearch)  # malformed input: a 400 naming the field\n"
                "    result = table.query(\n"
                "        KeyConditionExpression=Key('owner').eq(current_user_id()), Limit=search.limit\n"
                "    )\n"
                "    return jsonify(result['Items'])\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/755.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
            ),
            variants=(
                DocVariant(
                    framework="AWS Chalice",
                    note=(
                        "Chalice hands over plain dicts: a missing key of `query_params` is a "
                        "`KeyError` too (Flask would answer 400), and `query_params` is `None` "
                        "when there is no query string. `json_body` is `None` when the request "
                        "has no JSON `Content-Type` (a request without the header passes the "
                        "route's content-type check, which defaults to JSON): the first "
                        "`.get()` or `.pop()` on it raises AttributeError."
                    ),
                    example=(
                        "from chalice import Chalice, CognitoUserPoolAuthorizer\n\n"
                        "app = Chalice(app_name='orders')\n"
                        "pool = CognitoUserPoolAuthorizer('users', provider_arns=['arn:aws:cognito-idp:...'])\n\n\n"
                        "@app.route('/orders', authorizer=pool)\n"
                        "def list_orders():\n"
                        "    status = app.current_request.query_params['status']\n"
                        "    owner = app.current_request.context['authorizer']['claims']['sub']\n"
                        "    result = table.query(\n"
                        "        KeyConditionExpression=Key('owner').eq(owner),\n"
                        "        FilterExpression=Attr('status').eq(status),\n"
                        "    )\n"
                        "    return {'orders': result['Items']}\n"
                    ),
                    fix=(
                        "from chalice import BadRequestError, Chalice, CognitoUserPoolAuthorizer\n\n"
                        "app = Chalice(app_name='orders')\n"
                        "pool = CognitoUserPoolAuthorizer('users', provider_arns=['arn:aws:cognito-idp:...'])\n\n\n"
                        "@app.route('/orders', authorizer=pool)\n"
                        "def list_orders():\n"
                        "    status = (app.current_request.query_params or {}).get('status', 'open')\n"
                        "    if status not in ('open', 'shipped'):\n"
                        "        raise BadRequestError('status must be open or shipped')\n"
                        "    owner = app.current_request.context['authorizer']['claims']['sub']\n"
                        "    result = table.query(\n"
                        "        KeyConditionExpression=Key('owner').eq(owner),\n"
                        "        FilterExpression=Attr('status').eq(status),\n"
                        "    )\n"
                        "    return {'orders': result['Items']}\n"
                    ),
                ),
            ),
        ),
    )
)
