"""DG601: a DynamoDB Streams consumer is not idempotent."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, DocVariant, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG601",
        name="stream-consumer-not-idempotent",
        title="Streams consumer repeats its effects when a record is redelivered",
        cwe=(837,),
        owasp=(),
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        hint="Deduplicate on the record's eventID: write a marker with attribute_not_exists in the same transaction as the effect.",
        doc=RuleDoc(
            what=(
                "Finds DynamoDB Streams consumers (a Lambda handler `handler(event, context)` "
                "that loops over `event['Records']` and reads `eventName`, `dynamodb`, `NewImage` "
                "or `OldImage`) whose per-record work would be done twice if the record came "
                "again: `ADD` or `SET n = n + :d` updates, puts keyed by `uuid4()` or the clock, "
                "SNS/SES/SQS/EventBridge messages and HTTP calls, in the loop, after it (an "
                "`ADD` of totals summed over the batch, one e-mail listing its records) or in "
                "the project functions they call. Not reported when the consumer deduplicates on the "
                "record's `eventID`: a conditional put of it (`attribute_not_exists`), a "
                "transaction that includes it, AWS Lambda Powertools `@idempotent` / "
                "`@idempotent_function`, or `dynaguard.secure`'s `idempotent_stream_handler`, "
                "`write_once` and `dedupe_put`."
            ),
            why=(
                "Streams deliver every record at least once: a batch that times out or fails is "
                "delivered again, records already handled included. A counter then counts twice, "
                "a balance moves twice, a customer gets the same e-mail twice. The aggregate is "
                "wrong with no error anywhere."
            ),
            example=(
                "stats = dynamodb.Table('stats')\n\n\n"
                "def handler(event, context):\n"
                "    for record in event['Records']:\n"
                "        if record['eventName'] != 'INSERT':\n"
                "            continue\n"
                "        owner = record['dynamodb']['NewImage']['owner']['S']\n"
                "        stats.update_item(\n"
                "            Key={'owner': owner},\n"
                "            UpdateExpression='ADD orders :one',\n"
                "            ExpressionAttributeValues={':one': 1},\n"
                "        )\n"
            ),
            fix=(
                "def handler(event, context):\n"
                "    for record in event['Records']:\n"
                "        if record['eventName'] != 'INSERT':\n"
                "            continue\n"
                "        owner = record['dynamodb']['NewImage']['owner']['S']\n"
                "        try:\n"
                "            # The marker and the update commit together: a redelivery fails\n"
                "            # the marker's condition and changes nothing.\n"
                "            client.transact_write_items(TransactItems=[\n"
                "                {'Put': {'TableName': 'processed_events',\n"
                "                         'Item': {'event_id': {'S': record['eventID']}},\n"
                "                         'ConditionExpression': 'attribute_not_exists(event_id)'}},\n"
                "                {'Update': {'TableName': 'stats', 'Key': {'owner': {'S': owner}},\n"
                "                            'UpdateExpression': 'ADD orders :one',\n"
                "                            'ExpressionAttributeValues': {':one': {'N': '1'}}}},\n"
                "            ])\n"
                "        except client.exceptions.TransactionCanceledException:\n"
                "            continue  # already applied\n"
            ),
            fix_secure=(
                "from dynaguard.secure import idempotent_stream_handler, write_once\n\n\n"
                "@idempotent_stream_handler(dynamodb.Table('processed_events'))\n"
                "def handler(record):\n"
                "    owner = record['dynamodb']['NewImage']['owner']['S']\n"
                "    update = {'Update': {'TableName': 'stats', 'Key': {'owner': {'S': owner}},\n"
                "                         'UpdateExpression': 'ADD orders :one',\n"
                "                         'ExpressionAttributeValues': {':one': {'N': '1'}}}}\n"
                "    write_once(client, [update], dedupe_table_name='processed_events',\n"
                "               event_id=record['eventID'])\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/837.html",
                "https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html",
                "https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/",
            ),
            variants=(
                DocVariant(
                    framework="AWS Chalice",
                    note=(
                        "`@app.on_dynamodb_record` hands the consumer each record as "
                        "`event.new_image`, `event.event_name` and `event.event_id`; Lambda "
                        "delivers a batch again when any record of it fails."
                    ),
                    example=(
                        "from chalice import Chalice\n\n"
                        "app = Chalice(app_name='stats')\n"
                        "stats = dynamodb.Table('stats')\n\n\n"
                        "@app.on_dynamodb_record(stream_arn='arn:aws:dynamodb:...:table/orders/stream/...')\n"
                        "def count_orders(event):\n"
                        "    for record in event:\n"
                        "        if record.event_name != 'INSERT':\n"
                        "            continue\n"
                        "        owner = record.new_image['owner']['S']\n"
                        "        stats.update_item(\n"
                        "            Key={'owner': owner},\n"
                        "            UpdateExpression='ADD orders :one',\n"
                        "            ExpressionAttributeValues={':one': 1},\n"
                        "        )\n"
                    ),
                    fix=(
                        "from chalice import Chalice\n\n"
                        "app = Chalice(app_name='stats')\n\n\n"
                        "@app.on_dynamodb_record(stream_arn='arn:aws:dynamodb:...:table/orders/stream/...')\n"
                        "def count_orders(event):\n"
                        "    for record in event:\n"
                        "        if record.event_name != 'INSERT':\n"
                        "            continue\n"
                        "        owner = record.new_image['owner']['S']\n"
                        "        try:\n"
                        "            # The marker and the count commit together: a redelivered record\n"
                        "            # fails the marker's condition and counts nothing twice.\n"
                        "            client.transact_write_items(TransactItems=[\n"
                        "                {'Put': {'TableName': 'processed_events',\n"
                        "                         'Item': {'event_id': {'S': record.event_id}},\n"
                        "                         'ConditionExpression': 'attribute_not_exists(event_id)'}},\n"
                        "                {'Update': {'TableName': 'stats',\n"
                        "                            'Key': {'owner': {'S': owner}},\n"
                        "                            'UpdateExpression': 'ADD orders :one',\n"
                        "                            'ExpressionAttributeValues': {':one': {'N': '1'}}}},\n"
                        "            ])\n"
                        "        except client.exceptions.TransactionCanceledException:\n"
                        "            continue  # already counted\n"
                    ),
                ),
            ),
        ),
    )
)
