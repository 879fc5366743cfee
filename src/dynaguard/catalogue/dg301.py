"""DG301: request data written to DynamoDB with no server-side validation."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG301",
        name="unvalidated-write",
        title="Request data written with no server-side validation",
        cwe=(20,),
        owasp=("API8:2023",),
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        hint="Validate type, range, length and required fields on the server before building the item.",
        doc=RuleDoc(
            what=(
                "Finds request values that reach a DynamoDB write with no check of their type, range, "
                "length or presence. `dynaguard scan` sends one invalid value at a time (a string "
                "where the spec wants an integer, a number out of range, a required field missing, "
                "a key that breaks its pattern) and reports the operation when it answers 2xx and "
                "the owner's read-back shows the invalid value stored."
            ),
            why=(
                "DynamoDB enforces no schema beyond the key: a title that is a number, a version "
                "that is missing or a negative amount is stored as sent, and every reader that "
                "assumed the shape breaks later, far from the cause."
            ),
            example=(
                "@app.post('/records')\n"
                "def create_record():\n"
                "    body = request.get_json()\n"
                "    item = {'owner': current_user_id(), 'record_id': body.get('id'),\n"
                "            'title': body.get('title'), 'amount': body.get('amount')}\n"
                "    table.put_item(Item=item)\n"
                "    return jsonify(item), 201\n"
            ),
            fix=(
                "import uuid\n\n\n"
                "@app.post('/records')\n"
                "def create_record():\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    title, amount = body.get('title'), body.get('amount')\n"
                "    if not isinstance(title, str) or not 0 < len(title) <= 200:\n"
                "        abort(400)\n"
                "    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= 10_000:\n"
                "        abort(400)\n"
                "    item = {'owner': current_user_id(), 'record_id': str(uuid.uuid4()),\n"
                "            'title': title, 'amount': amount}\n"
                "    table.put_item(Item=item)\n"
                "    return jsonify(item), 201\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/20.html",
                "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
            ),
        ),
    )
)
