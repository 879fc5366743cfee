"""DG404: a version number taken from the request is written without being checked.

Per operation: a put or update that sets a version-like attribute (``version``, ``revision``,
``etag``...) from request data, with no condition comparing the stored attribute. The client's
version is what optimistic locking should compare, not what it should store: a stale editor's
write then carries a believable version. A PynamoDB ``VersionAttribute`` checks itself; a
version computed by DynamoDB (``SET version = version + :one``) is not the client's.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg404 import RULE
from dynaguard.static.facts.call_facts import condition_of, written
from dynaguard.static.facts.flows import ANY, client
from dynaguard.static.facts.operations import CallKind, DbCall, Operation, operations
from dynaguard.static.facts.run import RunView
from dynaguard.static.rules.base import Found, Hit, check_run

_LOCKS = frozenset(
    {
        "version", "ver", "rev", "revision", "etag", "versionnumber", "versionno", "versionid",
        "lockversion", "itemversion", "recordversion", "rowversion", "docversion",
        "documentversion", "objectversion", "entityversion", "optimisticlock", "locktoken",
    }
)  # fmt: skip
"""Names of optimistic-locking attributes (``cipher_version``, ``schema_version`` are not)."""


def is_version(attribute: str) -> bool:
    return attribute.lower().replace("_", "").replace("-", "") in _LOCKS


@check_run(RULE)
def trusted_version(run: RunView) -> Iterator[Found]:
    for op in operations(run):
        for write in op.writes():
            if write.kind in (CallKind.PUT, CallKind.UPDATE):
                hit = _unchecked_version(op, write)
                if hit is not None:
                    yield Found(hit, op.endpoint, write.event)


def _unchecked_version(op: Operation, write: DbCall) -> Hit | None:
    condition = condition_of(write, op.context)
    if condition.opaque:
        return None
    for entry in written(write):
        if entry.atomic or not is_version(entry.attribute):
            continue
        found = client(entry.value, *ANY)
        if found is None or condition.compares({entry.attribute}):
            continue
        message = (
            f"{write.api} stores the client's '{entry.attribute}' with no condition comparing "
            "the stored one: a stale edit overwrites newer ones and looks current"
        )
        return Hit(RULE, write.site, message, found[1], detail=entry.attribute)
    return None
