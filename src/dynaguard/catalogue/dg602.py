"""DG602: a DynamoDB Streams consumer handles only part of its batch."""

from __future__ import annotations

from dynaguard.catalogue._registry import declare
from dynaguard.model import Confidence, Rule, RuleDoc, Severity

RULE = declare(
    Rule(
        id="DG602",
        name="stream-batch-partly-handled",
        title="Streams consumer drops records of its batch",
        cwe=(754,),
        owasp=(),
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        hint="Handle every record; on failure re-raise or return the record in batchItemFailures.",
        doc=RuleDoc(
            what=(
                "Finds DynamoDB Streams consumers (a Lambda handler `handler(event, context)` "
                "over `event['Records']`) that handle only part of the batch: only "
                "`event['Records'][0]`, a `break` or a `return` inside the loop over the "
                "records, or a broad `except` (`Exception`, bare, `ClientError`) in the loop, "
                "around it, or around the writes and messages made after it from what it "
                "gathered, that logs or skips the failure without re-raising and without "
                "reporting the record in `batchItemFailures`. Reporting the failed record (its "
                "`itemIdentifier`) and stopping is the documented partial batch response and is "
                "not reported; nor is a narrow `except KeyError: continue` that skips records "
                "the consumer does not understand on purpose."
            ),
            why=(
                "Lambda moves the stream's checkpoint past every record of a batch the handler "
                "returns from normally. A record that was not handled, or whose failure was "
                "swallowed, is never delivered again: the change it carried is lost for every "
                "table and service downstream, silently."
            ),
            example=(
                "def handler(event, context):\n"
                "    for record in event['Records']:\n"
                "        try:\n"
                "            index_change(record['dynamodb'])\n"
                "        except Exception:\n"
                "            print('skipping', record['eventID'])\n"
                "    return {'batchItemFailures': []}\n\n\n"
                "def index_change(change):\n"
                "    return change['Keys']\n"
            ),
            fix=(
                "def handler(event, context):\n"
                "    # Enable ReportBatchItemFailures on the event source mapping.\n"
                "    for record in event['Records']:\n"
                "        try:\n"
                "            index_change(record['dynamodb'])\n"
                "        except Exception:\n"
                "            sequence = record['dynamodb']['SequenceNumber']\n"
                "            return {'batchItemFailures': [{'itemIdentifier': sequence}]}\n"
                "    return {'batchItemFailures': []}\n\n\n"
                "def index_change(change):\n"
                "    return change['Keys']\n"
            ),
            fix_secure=(
                "from dynaguard.secure import idempotent_stream_handler\n\n\n"
                "@idempotent_stream_handler(dynamodb.Table('processed_events'))\n"
                "def handler(record):\n"
                "    index_change(record['dynamodb'])  # a failure is reported, not lost\n\n\n"
                "def index_change(change):\n"
                "    return change['Keys']\n"
            ),
            references=(
                "https://cwe.mitre.org/data/definitions/754.html",
                "https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html",
            ),
        ),
    )
)
