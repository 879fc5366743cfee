"""DG201: BOLA, an item selected by a client-supplied identifier with no ownership check."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG201",
        name="bola",
        title="Object selected by a client-supplied id with no ownership check (BOLA)",
        cwe=(639,),
        owasp=("API1:2023",),
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        hint="Derive the partition key from the authenticated identity, or compare the item's owner with it before use.",
        doc=RuleDoc(
            what=(
                "Finds reads, updates and deletes whose key comes from the request (path, query or "
                "body) while nothing ties the item to the authenticated identity: the partition key "
                "is not the caller's id, no comparison of the item's owner with the caller guards "
                "the result, and no role check applies. `dynaguard scan` proves it with two "
                "identities: A creates an item with a unique marker, B reads, changes or deletes it "
                "by its id, and A's own read-back (or B's response carrying A's marker) shows it."
            ),
            why=(
                "DynamoDB returns whatever item the key names; it knows nothing about users. If the "
                "key comes from the URL, every user can read and overwrite every other user's items "
                "by changing one path segment, and ids that look random (UUIDs) leak through logs, "
                "links and listings."
            ),
            example=(
                "@app.get('/users/<username>/records/<record_id>')\n"
                "def get_record(username, record_id):\n"
                "    key = {'owner': username, 'record_id': record_id}\n"
                "    item = table.get_item(Key=key).get('Item')\n"
                "    if item is None:\n"
                "        abort(404)\n"
                "    return jsonify(item)\n"
            ),
            fix=(
                "@app.get('/records/<record_id>')\n"
                "def get_record(record_id):\n"
                "    # The partition key is the caller: another user's record id finds nothing.\n"
                "    key = {'owner': current_user_id(), 'record_id': record_id}\n"
                "    item = table.get_item(Key=key).get('Item')\n"
                "    if item is None:\n"
                "        abort(404)\n"
                "    return jsonify(item)\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/639.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
            ),
        ),
    )
)
