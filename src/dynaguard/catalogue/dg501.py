"""DG501: several writes for one operation with no transaction."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG501",
        name="non-atomic-writes",
        title="Several writes for one operation with no transaction",
        cwe=(662,),
        owasp=(),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        hint="Put the writes of one operation in one transact_write_items call (or TransactWrite).",
        doc=RuleDoc(
            what=(
                "Finds a request handler (with the helpers it calls) that makes two or more "
                "DynamoDB writes on one path (`put_item`, `update_item`, `delete_item`, PynamoDB "
                "`save`/`update`/`delete`) outside a single `transact_write_items`, and a "
                "`batch_write_item` that writes several items as if they were one change: a batch "
                "is not atomic, whatever the comment next to it says. Writes in exclusive branches "
                "(`if`/`else`, a `try` and its `except`) are not counted together; a transaction "
                "counts as one write. A second write to the same item and an audit-log put are "
                "reported too: either can fail after the first write has been applied. An update "
                "or delete in a loop over items read before (deleting a basket line by line, "
                "copying a rename into every related item), directly or through a `batch_writer`, "
                "and a `batch_writer` putting read copies back under their keys are several "
                "writes too; a loop over the ids a client lists, each answered on its own, a "
                "sweep over what a scan found (expired sessions deleted one by one) and a "
                "bulk import of new items are not. `dynaguard scan` sends the operation with a "
                "valid source and a destination that does not exist, and reports it when the "
                "request fails yet the source changed."
            ),
            why=(
                "When the second write fails (a condition, throttling, a timeout, a crash), the "
                "first one stays applied: a debit without its credit, an order without its stock "
                "movement, an archive revision that never became current. Nothing rolls it back "
                "and the client, told the operation failed, retries it."
            ),
            example=(
                "@app.post('/transfers')\n"
                "@login_required\n"
                "def transfer():\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    amount = body.get('amount')\n"
                "    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:\n"
                "        abort(400)\n"
                "    table.update_item(\n"
                "        Key={'owner': current_user_id(), 'account': 'checking'},\n"
                "        UpdateExpression='SET balance = balance - :a',\n"
                "        ConditionExpression='balance >= :a',\n"
                "        ExpressionAttributeValues={':a': amount},\n"
                "    )\n"
                "    table.update_item(\n"
                "        Key={'owner': current_user_id(), 'account': 'savings'},\n"
                "        UpdateExpression='SET balance = balance + :a',\n"
                "        ConditionExpression='attribute_exists(balance)',\n"
                "        ExpressionAttributeValues={':a': amount},\n"
                "    )\n"
                "    return jsonify({'status': 'completed'})\n"
            ),
            fix=(
                "@app.post('/transfers')\n"
                "@login_required\n"
                "def transfer():\n"
                "    body = request.get_json(silent=True) or {}\n"
                "    amount = body.get('amount')\n"
                "    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:\n"
                "        abort(400)\n"
                "    owner = {'S': current_user_id()}\n"
                "    try:\n"
                "        client.transact_write_items(TransactItems=[\n"
                "            {'Update': {\n"
                "                'TableName': 'accounts',\n"
                "                'Key': {'owner': owner, 'account': {'S': 'checking'}},\n"
                "                'UpdateExpression': 'SET balance = balance - :a',\n"
                "                'ConditionExpression': 'balance >= :a',\n"
                "                'ExpressionAttributeValues': {':a': {'N': str(amount)}},\n"
                "            }},\n"
                "            {'Update': {\n"
                "                'TableName': 'accounts',\n"
                "                'Key': {'owner': owner, 'account': {'S': 'savings'}},\n"
                "                'UpdateExpression': 'SET balance = balance + :a',\n"
                "                'ConditionExpression': 'attribute_exists(balance)',\n"
                "                'ExpressionAttributeValues': {':a': {'N': str(amount)}},\n"
                "            }},\n"
                "        ])\n"
                "    except client.exceptions.TransactionCanceledException:\n"
                "        abort(409)\n"
                "    return jsonify({'status': 'completed'})\n"
            ),
            fix_secure=(
                "from dynaguard.secure import transact_write\n\n"
                "debit = {'Update': {...}}   # as above\n"
                "credit = {'Update': {...}}\n"
                "# One transaction; TransactionCanceled becomes a 409 that names the failing side.\n"
                "transact_write(client, [debit, credit], labels=['checking', 'savings'])\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/662.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html",
                "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html",
            ),
        ),
    )
)
