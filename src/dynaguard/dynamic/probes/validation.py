"""DG302 / DG301 validation: one invalid variant of a valid request at a time.

A 5xx is DG302 (the handler crashed on input it should have refused). A 2xx whose read-back as
the owner shows the invalid value stored (or a required field absent) is DG301; for operations
that act on other objects (``POST /transfers``), a 2xx that changed those objects is DG301 too.
A 4xx is the fix. Nothing is judged on a 2xx alone: an API may coerce or ignore what it does not
want.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from dynaguard.dynamic.accounts import is_signup
from dynaguard.dynamic.api import ApiModel
from dynaguard.dynamic.context import NO_BODY, ProbeContext
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.probes._mutations import MISSING, Mutation, mutations, query_mutations
from dynaguard.dynamic.probes._registry import Target, probe
from dynaguard.dynamic.probes._validated import Subject, subject_for
from dynaguard.dynamic.probes.exposure import is_auth_path


def _targets(api: ApiModel) -> list[Target]:
    found = []
    for op in api.operations:
        # Sign-ups are the sign-up probe's: it tracks the accounts invalid bodies create.
        if not op.writes or is_auth_path(op.path) or is_signup(op):
            continue
        resource = api.resource_of(op)
        typed_query = any(p.location == "query" for p in op.params)
        if (op.body or typed_query) and (
            resource is None or op is not resource.create or resource.id_param
        ):
            found.append(Target(op, resource))
    return found


@dataclass
class _Results:
    crashes: list[tuple[str, Call]] = field(default_factory=list)
    stored: list[tuple[str, Call, Call]] = field(default_factory=list)


@probe(
    name="validation",
    proves=("DG301", "DG302"),
    writes=True,
    summary="invalid input: a 5xx, or the invalid value read back as stored",
    targets=_targets,
    phase=3,
)
def validation(ctx: ProbeContext, target: Target) -> None:
    subject = subject_for(ctx, target)
    results = _Results()
    if target.operation.body:
        for mutation in mutations(
            target.operation.body, subject.valid, ctx.markers, subject.client_key
        ):
            _body_case(ctx, subject, mutation, results)
    for label, query in query_mutations(target.operation.query_params, ctx.markers):
        call = subject.send(subject.valid if target.operation.body else NO_BODY, query)
        if call.status >= 500:
            results.crashes.append((label, call))
    _report(ctx, target, results)


def _body_case(ctx: ProbeContext, subject: Subject, mutation: Mutation, results: _Results) -> None:
    body = dict(mutation.body)
    call = subject.send(body, None)  # may give the body a fresh key: read back with what was sent
    if call.status >= 500:
        results.crashes.append((mutation.label, call))
    elif call.ok:
        back = subject.read_back(call, body)
        if back is not None and _persisted(back.json(), mutation, subject.known):
            results.stored.append((mutation.label, call, back))
        elif (moved := subject.moved()) is not None:
            results.stored.append((f"{mutation.label} (applied: {moved[0]})", call, moved[1]))


def _persisted(document: Any, mutation: Mutation, known: set[str]) -> bool:
    """The invalid value is stored; a missing field counts only if valid objects show it."""
    if not isinstance(document, dict):
        return False
    if mutation.sent is MISSING:
        return mutation.field in known and document.get(mutation.field) is None
    value = document.get(mutation.field)
    if isinstance(mutation.sent, float) and math.isnan(mutation.sent):
        return isinstance(value, float) and math.isnan(value)
    return bool(value == mutation.sent and type(value) is type(mutation.sent))


def _report(ctx: ProbeContext, target: Target, results: _Results) -> None:
    op = target.operation
    if results.crashes:
        labels = "; ".join(label for label, _ in results.crashes)
        ctx.prove(
            "DG302",
            op,
            f"{op.key} answered 5xx to {len(results.crashes)} invalid input(s): {labels}",
            [(call, f"invalid input: {label}") for label, call in results.crashes[:3]],
        )
    if results.stored:
        labels = "; ".join(label for label, _, _ in results.stored)
        label, call, back = results.stored[0]
        ctx.prove(
            "DG301",
            op,
            f"{op.key} accepted and stored invalid data: {labels}",
            [(call, f"invalid input: {label}"), (back, "read back as the owner")],
        )
