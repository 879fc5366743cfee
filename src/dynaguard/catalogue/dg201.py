"""DG201: BOLA, an item selected by a client-supplied identifier with no ownership check."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, DocVariant, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG201",
        name="bola",
        title="Object selected by a client-supplied id with no ownership check (BOLA)",
        cwe=(639,),
        owasp=("API1:2023",),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        hint="Derive the partition key from the authenticated identity, or compare the item's owner with it before use.",
        doc=RuleDoc(
            what=(
                "Finds reads, updates, deletes and queries whose key comes from the request (path, query "
                "or body) in an authenticated route, while nothing ties the item to the caller: the "
                "partition key is not derived from the identity (`current_user`, `g.user_id`, "
                "`get_jwt_identity()`, `session`, a helper returning one of them), no condition or filter "
                "on the identity applies, the request value is not compared with the identity (`if "
                "username != g.user_id: abort(403)`), the fetched item's owner is not compared with it (a "
                "comparison with another request value, such as `item['owner'] != args['owner']`, "
                "is no check; nor is a header such as `X-User-Id`, which the client writes; a "
                "verified token's claims, `jwt.decode(...)`, are the identity; a check after a write comes "
                "too late to stop it), "
                "the value does not go to an access check that denies (`if not can_access(id): "
                "abort(403)`), and no role check applies. A key whose owner attribute (`owner`, "
                "`user_id`, `username`... or an attribute the project fills with the identity) comes from "
                "the request is reported with high confidence, as is a put that files an item under an "
                "owner taken from the path; a key that is an opaque id (`record_id`, PynamoDB "
                "`Model.get(id)`) is reported with medium confidence, and only for tables the project "
                "stores the identity in, when the handler writes the item or returns it whole. The "
                "partition key taken from the identity with a client-chosen sort key is safe. A read of a "
                "user's own item by its single key attribute (`GET /users/<username>` reading a profile) "
                "is a directory read, not reported; nor are login, sign-up, token and OAuth callback routes, "
                "which look an account up by the name the client gives by design. A route with no "
                "authentication at all is DG203 "
                "instead. `dynaguard scan` proves it with two identities: A creates an item with a unique "
                "marker, B reads, changes or deletes it by its id, and A's own read-back (or B's response "
                "carrying A's marker) shows it."
            ),
            why=(
                "DynamoDB returns whatever item the key names; it knows nothing about users. If the key "
                "comes from the URL, every user can read and overwrite every other user's items by "
                "changing one path segment, and ids that look random (UUIDs) leak through logs, links and "
                "listings."
            ),
            example=(
                "@app.get('/users/<username>/records/<record_id>')\n"
                "@login_required\n"
                "def get_record(username, record_id):\n"
                "    key = {'owner': username, 'record_id': record_id}\n"
                "    item = table.get_item(Key=key).get('Item')\n"
                "    if item is None:\n"
                "        abort(404)\n"
                "    return jsonify(item)\n"
            ),
            fix=(
                "@app.get('/records/<record_id>')\n"
                "@login_required\n"
                "def get_record(record_id):\n"
                "    # The partition key is the caller: another user's record id finds nothing.\n"
                "    key = {'owner': current_user_id(), 'record_id': record_id}\n"
                "    item = table.get_item(Key=key).get('Item')\n"
                "    if item is None:\n"
                "        abort(404)\n"
                "    return jsonify(item)\n"
            ),
            fix_secure=(
                "from dynaguard.secure import OwnedTable\n"
                "\n"
                "records = OwnedTable(table, owner_attribute='owner', sort_attribute='record_id')\n"
                "\n"
                "\n"
                "@app.get('/records/<record_id>')\n"
                "@login_required\n"
                "def get_record(record_id):\n"
                "    return records.get(record_id)  # 404 for another user's id: the key starts with the identity\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/639.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
            ),
            variants=(
                DocVariant(
                    framework="AWS Chalice",
                    note=(
                        "The caller is what the authorizer put in the request context "
                        "(`context['authorizer']['claims']` for a Cognito user pool); a route "
                        "variable is the client's, even on a route with an authorizer."
                    ),
                    example=(
                        "from chalice import Chalice, CognitoUserPoolAuthorizer\n\n"
                        "app = Chalice(app_name='records')\n"
                        "pool = CognitoUserPoolAuthorizer('users', provider_arns=['arn:aws:cognito-idp:...'])\n\n\n"
                        "@app.route('/users/{username}/records/{record_id}', authorizer=pool)\n"
                        "def get_record(username, record_id):\n"
                        "    key = {'owner': username, 'record_id': record_id}\n"
                        "    return table.get_item(Key=key).get('Item') or {}\n"
                    ),
                    fix=(
                        "from chalice import Chalice, CognitoUserPoolAuthorizer, NotFoundError\n\n"
                        "app = Chalice(app_name='records')\n"
                        "pool = CognitoUserPoolAuthorizer('users', provider_arns=['arn:aws:cognito-idp:...'])\n\n\n"
                        "@app.route('/records/{record_id}', authorizer=pool)\n"
                        "def get_record(record_id):\n"
                        "    owner = app.current_request.context['authorizer']['claims']['sub']\n"
                        "    item = table.get_item(Key={'owner': owner, 'record_id': record_id}).get('Item')\n"
                        "    if item is None:\n"
                        "        raise NotFoundError(record_id)\n"
                        "    return item\n"
                    ),
                ),
                DocVariant(
                    framework="an AWS Lambda handler",
                    note=(
                        "The caller is `event['requestContext']['authorizer']` (its `claims`, "
                        "`jwt.claims` or `principalId`); `pathParameters` are the client's."
                    ),
                    example=(
                        "def get_record(event, context):\n"
                        "    claims = event['requestContext']['authorizer']['claims']\n"
                        "    if not claims.get('sub'):\n"
                        "        return {'statusCode': 401}\n"
                        "    params = event['pathParameters']\n"
                        "    key = {'owner': params['username'], 'record_id': params['record_id']}\n"
                        "    item = table.get_item(Key=key).get('Item')\n"
                        "    if item is None:\n"
                        "        return {'statusCode': 404}\n"
                        "    return {'statusCode': 200, 'body': json.dumps(item)}\n"
                    ),
                    fix=(
                        "def get_record(event, context):\n"
                        "    owner = event['requestContext']['authorizer']['claims']['sub']\n"
                        "    record_id = event['pathParameters']['record_id']\n"
                        "    item = table.get_item(Key={'owner': owner, 'record_id': record_id}).get('Item')\n"
                        "    if item is None:\n"
                        "        return {'statusCode': 404}\n"
                        "    return {'statusCode': 200, 'body': json.dumps(item)}\n"
                    ),
                ),
            ),
        ),
    )
)
