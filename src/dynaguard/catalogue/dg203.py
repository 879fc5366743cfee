"""DG203: a data route with no authentication at all."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, DocVariant, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG203",
        name="unauthenticated-data-route",
        title="Data route with no authentication",
        cwe=(306,),
        owasp=("API2:2023",),
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        hint="Require authentication on every route that reads or writes user data; mark deliberate public routes as such.",
        doc=RuleDoc(
            what=(
                "Finds routes that read, change or delete items by a client-supplied key (a `get_item`, "
                "`query`, `update_item`, `delete_item`, PynamoDB `get`/`query` keyed by path, query or "
                "body values, or an unconditional `put_item`/`save()` whose key the client chose, which "
                "replaces the item that had it) and run without any authentication: no auth decorator (`@login_required`, "
                "`@jwt_required()`, Flask-HTTPAuth, a project decorator that refuses a request without an "
                "identity), no statement calling a library check for its effect (`verify_jwt_in_request()`, "
                "`authenticate(request)`, `check_auth()`, a token verified with `jwt.decode(...)`: a call to "
                "a function the project does not "
                "define whose name says it checks authentication; its raising is the refusal), no "
                "`before_request` hook of the app or blueprint that does, no check of the "
                "identity in the handler or its helpers, and no use of the identity at all. Login, token, "
                "sign-up and password-reset routes are public by design and never reported, nor is a put "
                "that creates an account (`POST /users`) or only creates (`attribute_not_exists`), nor a read "
                "by the client's own request id (`idempotencyKey`). A Lambda function serving several routes "
                "is reported once per route whose branch reaches such a read or write. APIs that are "
                'public on purpose turn the rule off with `--ignore DG203` (or `ignore = ["DG203"]` in '
                "`[tool.dynaguard]`), or one route with `# dynaguard: ignore[DG203]` on its `def` line. "
                "`dynaguard scan` sends the request with no credentials at all and reports it when the "
                "answer carries a marker an identity planted, or the same data an identity gets, from an "
                "operation the API description says needs credentials. Operations the description marks "
                "public (`security: []`) are never reported."
            ),
            why=(
                "Whoever knows or guesses a key reads the data: usernames are public, and listings that "
                '"only show titles" still show whatever the items hold. Deliberately public APIs can turn '
                "the rule off with `--ignore DG203`."
            ),
            example=(
                "@app.get('/users/<username>/records')\n"
                "def list_records(username):\n"
                "    result = table.query(KeyConditionExpression=Key('owner').eq(username))\n"
                "    return jsonify({'records': result['Items']})\n"
            ),
            fix=(
                "@app.get('/records')\n"
                "@login_required\n"
                "def list_records():\n"
                "    owner = current_user_id()\n"
                "    result = table.query(KeyConditionExpression=Key('owner').eq(owner))\n"
                "    return jsonify({'records': result['Items']})\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/306.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
            ),
            variants=(
                DocVariant(
                    framework="AWS Chalice",
                    note=(
                        "A route with no `authorizer=` and no `api_key_required=True` is public. "
                        "A Lambda handler's authorizer is read from `serverless.yml` or the SAM "
                        "template that maps it to its endpoint."
                    ),
                    example=(
                        "from chalice import Chalice\n\n"
                        "app = Chalice(app_name='records')\n\n\n"
                        "@app.route('/users/{username}/records')\n"
                        "def list_records(username):\n"
                        "    result = table.query(KeyConditionExpression=Key('owner').eq(username))\n"
                        "    return {'records': result['Items']}\n"
                    ),
                    fix=(
                        "from chalice import Chalice, CognitoUserPoolAuthorizer\n\n"
                        "app = Chalice(app_name='records')\n"
                        "pool = CognitoUserPoolAuthorizer('users', provider_arns=['arn:aws:cognito-idp:...'])\n\n\n"
                        "@app.route('/records', authorizer=pool)\n"
                        "def list_records():\n"
                        "    owner = app.current_request.context['authorizer']['claims']['sub']\n"
                        "    result = table.query(KeyConditionExpression=Key('owner').eq(owner))\n"
                        "    return {'records': result['Items']}\n"
                    ),
                ),
            ),
        ),
    )
)
