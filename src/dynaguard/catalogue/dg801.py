"""DG801: a whole item returned, sensitive attributes included."""

from __future__ import annotations

import re

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

SENSITIVE_WORDS: tuple[str, ...] = (
    "password", "passwd", "pwd", "secret", "secrets", "token", "tokens", "ssn", "salt", "otp",
    "totp", "mfa", "cvv", "pin",
)  # fmt: skip
"""A word of an attribute name (``password_hash``, ``resetToken``) that makes it sensitive."""
SENSITIVE_NAMES: tuple[str, ...] = (
    "hash", "pw_hash", "apikey", "api_key", "privatekey", "private_key", "accesskey",
    "access_key", "secretkey", "creditcard", "credit_card", "card_number", "cardnumber",
    "social_security", "socialsecuritynumber",
)  # fmt: skip
"""Whole attribute names (``_`` and case ignored) that are sensitive."""
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def is_sensitive(name: str) -> bool:
    """``password_hash``, ``apiKey``, ``ssn``, ``userpassword``: yes; ``hash_key``,
    ``content_hash``: no."""
    flat = name.lower().replace("_", "").replace("-", "")
    if flat in {n.replace("_", "") for n in SENSITIVE_NAMES}:
        return True
    if flat.endswith(_GLUED):
        return True  # ``userpassword``, ``Apassword``: a password whatever is glued before it
    return any(w.lower() in SENSITIVE_WORDS for w in _WORD.findall(name))


_GLUED = ("password", "passwd")
"""Sensitive words long enough to be told at the end of a name written without separators."""


RULE = declare(
    Rule(
        id="DG801",
        name="sensitive-attributes-returned",
        title="Whole item returned, sensitive attributes included",
        cwe=(213,),
        owasp=("API3:2023",),
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        hint="Return an explicit projection of the attributes the caller may see, never the whole item.",
        doc=RuleDoc(
            what=(
                "Finds routes that return whole items (`jsonify(item)`, `return item`, `resp['Items']`, "
                "`resp.get('Item')`, the `Attributes` of an update, PynamoDB model instances) of a table "
                "into which the project writes sensitive attributes: password hashes, secrets, tokens, "
                "API keys, SSNs (names such as `password_hash`, `apiKey`, `reset_token`, `ssn`; the list "
                "is `catalogue.dg801.SENSITIVE_WORDS` and `SENSITIVE_NAMES`). What a table holds is "
                "learnt from the project's own puts and updates (and PynamoDB model declarations), so a "
                "route returning whole items of a table that holds nothing sensitive is left alone. A "
                "read with `ProjectionExpression` or `AttributesToGet`, a response built from chosen "
                "attributes, a schema dump, or code that removes the sensitive attribute "
                "(`item.pop('password_hash')`, `del item[...]`, a denylist) is not reported; a response "
                "or serialiser that chooses its fields and copies stored data under the name of one "
                "of those attributes (`{'username': ..., 'password': self.password}`) is. `dynaguard scan` checks every "
                "response it receives and reports the operation when one carries such an attribute with a "
                "value it did not plant (login and token endpoints, which return a token by design, are "
                "left out)."
            ),
            why=(
                "An item is the storage shape, not the API's: every attribute added later, such as a "
                "password hash or a reset token, is published the day it is written. Hashes are cracked "
                "offline; tokens are used directly."
            ),
            example=(
                "import secrets\n"
                "\n"
                "\n"
                "@app.post('/account/api-key')\n"
                "@login_required\n"
                "def rotate_api_key():\n"
                "    api_key = secrets.token_urlsafe(32)\n"
                "    table.update_item(\n"
                "        Key={'username': current_user_id()},\n"
                "        UpdateExpression='SET api_key = :k',\n"
                "        ConditionExpression='attribute_exists(username)',\n"
                "        ExpressionAttributeValues={':k': api_key},\n"
                "    )\n"
                "    return {'api_key': api_key}\n"
                "\n"
                "\n"
                "@app.get('/users/<username>')\n"
                "@login_required\n"
                "def get_profile(username):\n"
                "    item = table.get_item(Key={'username': username}).get('Item')\n"
                "    if item is None:\n"
                "        abort(404)\n"
                "    return jsonify(item)\n"
            ),
            fix=(
                "import secrets\n"
                "\n"
                "PUBLIC = ('username', 'display_name')\n"
                "\n"
                "\n"
                "@app.post('/account/api-key')\n"
                "@login_required\n"
                "def rotate_api_key():\n"
                "    api_key = secrets.token_urlsafe(32)\n"
                "    table.update_item(\n"
                "        Key={'username': current_user_id()},\n"
                "        UpdateExpression='SET api_key = :k',\n"
                "        ConditionExpression='attribute_exists(username)',\n"
                "        ExpressionAttributeValues={':k': api_key},\n"
                "    )\n"
                "    return {'api_key': api_key}\n"
                "\n"
                "\n"
                "@app.get('/users/<username>')\n"
                "@login_required\n"
                "def get_profile(username):\n"
                "    item = table.get_item(\n"
                "        Key={'username': username},\n"
                "        ProjectionExpression='username, display_name',\n"
                "    ).get('Item')\n"
                "    if item is None:\n"
                "        abort(404)\n"
                "    return jsonify({name: item[name] for name in PUBLIC if name in item})\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/213.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
            ),
        ),
    )
)
