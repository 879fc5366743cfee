"""DG801: a whole item returned, sensitive attributes included."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

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
                "Finds routes that return whole items (`jsonify(item)`, `resp['Items']`) of a table "
                "that holds sensitive attributes (password hashes, secrets, tokens, API keys). "
                "`dynaguard scan` checks every response it receives and reports the operation when "
                "one carries such an attribute with a value it did not plant (login and token "
                "endpoints, which return a token by design, are left out)."
            ),
            why=(
                "An item is the storage shape, not the API's: every attribute added later, such as a "
                "password hash or a reset token, is published the day it is written. Hashes are "
                "cracked offline; tokens are used directly."
            ),
            example=(
                "@app.get('/users/<username>')\n"
                "def get_profile(username):\n"
                "    item = table.get_item(Key={'username': username}).get('Item')\n"
                "    if item is None:\n"
                "        abort(404)\n"
                "    return jsonify(item)\n"
            ),
            fix=(
                "PUBLIC = ('username', 'display_name')\n\n\n"
                "@app.get('/users/<username>')\n"
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
