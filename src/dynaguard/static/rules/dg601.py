"""DG601: a Streams consumer repeats non-idempotent effects when a record is redelivered.

For each consumer (``streams.py``), the calls made per record (in the loop over the batch and in
the project functions it calls, three levels deep) or once per batch (elsewhere in the handler,
e.g. with totals gathered over the records) that a redelivery would repeat
(``stream_effects.py``: ``ADD`` / ``SET n = n + :d``, a put keyed by ``uuid4()`` or the clock, an
SNS/SES/SQS message, an HTTP call), unless the consumer deduplicates on ``eventID`` anywhere in
that reach: a conditional put or transaction carrying it, Powertools ``@idempotent`` /
``idempotent_function``, or ``dynaguard.secure``'s ``idempotent_stream_handler`` / ``write_once``
/ ``dedupe_put``. Reported at each repeated effect, with the path from the batch loop to it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dynaguard.catalogue.dg601 import RULE
from dynaguard.static.facts.run import RunView
from dynaguard.static.facts.stream_effects import dedupe_decorator, deduplicates, effect
from dynaguard.static.facts.streams import (
    Consumer,
    Function,
    Streams,
    Via,
    calls_in,
    step_at,
    streams_of,
)
from dynaguard.static.flow.values import Step
from dynaguard.static.rules.base import Found, Hit, check_run


@check_run(RULE)
def replayed_effects(run: RunView) -> Iterator[Found]:
    streams = streams_of(run.analyzer)
    for consumer in streams.consumers():
        if _deduplicated(streams, consumer):
            continue
        endpoint = run.endpoint_of(consumer.entry_id)
        seen: set[tuple[str, int]] = set()
        for root, note in _roots(consumer):
            start = step_at(consumer.function, root, note)
            for function, depth, via in streams.reach(consumer.function, root):
                for call in calls_in(root if depth == 0 else function.node):
                    what = effect(streams, function, call)
                    where = (function.module.path, call.lineno)
                    if what is None or where in seen:
                        continue
                    seen.add(where)
                    hit = _hit(consumer.entry_steps(), start, function, call, via=via, what=what)
                    yield Found(hit, endpoint)


def _roots(consumer: Consumer) -> Iterator[tuple[ast.AST, str]]:
    """The loops over the batch first (their effects are per record), then the whole handler:
    a redelivered batch runs it all again, so what it does with totals it gathered over the
    records (an ``ADD`` per product, one e-mail listing them) repeats too."""
    for loop in consumer.loops:
        yield loop, "each record of event['Records']"
    yield consumer.function.node, "each delivery of the batch"


def _deduplicated(streams: Streams, consumer: Consumer) -> bool:
    """The consumer, or a function it calls, deduplicates on the record's eventID."""
    for function, _, _ in streams.reach(consumer.function, consumer.function.node):
        if dedupe_decorator(streams, function):
            return True
        if any(deduplicates(streams, function, c) for c in calls_in(function.node)):
            return True
    return False


def _hit(
    entry: tuple[Step, ...], start: Step, function: Function, call: ast.Call, *, via: Via, what: str
) -> Hit:
    steps = [*entry, start]
    for caller, through in via:
        steps.append(step_at(caller, through, f"{ast.unparse(through.func)}(...)"))
    at = step_at(function, call, what)
    message = (
        f"{what} for every delivery of a stream record, with no deduplication on its eventID: "
        "a redelivered batch applies it again"
    )
    return Hit(RULE, at, message, (*steps, at))
