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
                "Finds request values (body or query) written to DynamoDB with no server-side "
                "check of their type, range, length or presence on the way: no `isinstance`, "
                "no range or length comparison, no format test, no allowlist, no validator call, "
                "no schema (pydantic, marshmallow, webargs, reqparse). A number needs a range "
                "check, not only a type: reported with medium confidence in the default output, "
                "with booleans, dates and states, which downstream logic computes with or "
                "branches on: a value converted with `int()`/`float()`/`Decimal()` (in a `try` "
                "or not), checked with `isinstance(x, int)` or typed `Int`/`Float` by a GraphQL "
                "schema, but never range-checked (a comparison that refuses or clamps, `min()`/"
                "`max()`, an allowlist, a validator; reported where it becomes a number), a "
                "client delta "
                "(`ADD n :d`, `SET n = n + :d`), a PynamoDB `NumberAttribute`, "
                "`BooleanAttribute` or `UTCDateTimeAttribute`, an attribute named like one "
                "(`amount`, `quantity`, `enabled`, `done`, `expires_at`, `state`; a `state` written beside "
                "a `city` or `address` is a line of that address, a raw string). Any other raw value "
                "(a title, a display name) only for `--persona pedantic`, with low confidence. "
                "Whole bodies and client-chosen names are DG101/DG102's, server-controlled "
                "attributes DG103's. `dynaguard scan` sends one invalid value at a time (a string "
                "where the spec wants an integer, a number out of range, a required field "
                "missing) and reports the operation when it answers 2xx and the owner's "
                "read-back shows the invalid value stored."
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
            fix_secure=(
                "import uuid\n\n"
                "from pydantic import Field, StringConstraints\n"
                "from typing import Annotated\n\n"
                "from dynaguard.secure import Input, parse_body, to_item\n\n\n"
                "class RecordIn(Input):\n"
                "    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]\n"
                "    amount: int = Field(gt=0, le=10_000)\n\n\n"
                "@app.post('/records')\n"
                "def create_record():\n"
                "    body = parse_body(RecordIn)  # a 400 naming each invalid field\n"
                "    item = to_item(body, owner=current_user_id(), record_id=str(uuid.uuid4()))\n"
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
