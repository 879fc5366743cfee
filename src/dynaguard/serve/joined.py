"""Static findings and dynamic proofs of one weakness, uploaded in separate reports, joined.

A team uploads ``dynaguard code`` and ``dynaguard scan`` reports of one project apart. The HTML
report of ``dynaguard scan --source`` joins a static finding with the proof of the same rule on
the same route (``report.correlate``); the history does the same with what is present now:
after each upload, the project's unfixed static findings and unfixed proofs are paired by
``correlate`` itself, and each paired proof points at its static finding
(``findings.joined_to_id``). The pages, the API and the exports then show the pair as one
confirmed finding under the static fingerprint, as the report would, and a triage mark on either
half applies to both. A pair comes apart when either half is fixed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dynaguard.history.reading import read_report
from dynaguard.model import Engine, Finding
from dynaguard.report.correlate import (
    RouteKey,
    Status,
    correlate,
    join,
    normalise_path,
    route_key,
    status,
)
from dynaguard.report.json import finding_dict
from dynaguard.serve import stored
from dynaguard.serve.store import schema
from dynaguard.serve.store.schema import Scope, State

_V = TypeVar("_V")


def side(finding: Finding) -> str:
    """``dynamic`` for a proof with no code location, else ``static`` (``Scope`` values)."""
    dynamic = status(finding) is Status.CONFIRMED_UNSCANNED
    return Scope.DYNAMIC.value if dynamic else Scope.STATIC.value


def pair(session: Session, project_id: int) -> None:
    """Join the project's present proofs with its present static findings (after an upload)."""
    unfixed = (schema.Finding.project_id == project_id, schema.Finding.state != State.FIXED.value)
    proofs = session.execute(
        select(schema.Finding.id, schema.Finding.data, schema.Finding.joined_to_id).where(
            *unfixed, schema.Finding.side == Scope.DYNAMIC.value
        )
    ).all()
    wanted = _pairs(session, unfixed, {row.id: row.data for row in proofs}) if proofs else {}
    current = {
        row.id: row.joined_to_id
        for row in session.execute(
            select(schema.Finding.id, schema.Finding.joined_to_id).where(
                schema.Finding.project_id == project_id, schema.Finding.joined_to_id.is_not(None)
            )
        )
    }
    stale = [i for i, static_id in current.items() if wanted.get(i) != static_id]
    fresh = [(i, static_id) for i, static_id in wanted.items() if current.get(i) != static_id]
    if stale:
        # Cleared first: joined_to_id is unique, and a static finding may change partner.
        session.execute(update(schema.Finding), [{"id": i, "joined_to_id": None} for i in stale])
    if fresh:
        session.execute(update(schema.Finding), [{"id": i, "joined_to_id": s} for i, s in fresh])


def _pairs(
    session: Session, unfixed: tuple[Any, ...], proof_data: Mapping[int, dict[str, Any]]
) -> dict[int, int]:
    """``{proof id: static finding id}`` as ``correlate`` pairs them."""
    keys = {_key(data) for data in proof_data.values()}
    rules = {key[0] for key in keys if key is not None}
    candidates = {
        row.id: row.data
        for row in session.execute(
            select(schema.Finding.id, schema.Finding.data).where(
                *unfixed,
                schema.Finding.side == Scope.STATIC.value,
                schema.Finding.rule.in_(rules),
            )
        )
        if _key(row.data) in keys
    }
    if not candidates:
        return {}
    # A static finding already joined with a proof in its own report is paired as the static
    # finding it was, so a later separate proof of it is not shown beside it.
    code = {i: _as_static(f) for i, f in _read(candidates).items()}
    proofs = _read(proof_data)
    by_print = {f.fingerprint: (i, f) for i, f in code.items()}
    found: dict[int, int] = {}
    for result in correlate(list(code.values()), list(proofs.values())):
        if status(result) is not Status.CONFIRMED or result.fingerprint not in by_print:
            continue
        static_id, static = by_print[result.fingerprint]
        proof_id = next(
            i
            for i, proof in proofs.items()
            if i not in found
            and route_key(proof) == route_key(result)
            and join(static, proof) == result
        )
        found[proof_id] = static_id
    return found


def _key(data: Mapping[str, Any]) -> RouteKey | None:
    """``correlate.route_key`` of a stored finding, without reading it back."""
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, dict):
        return None
    method = str(endpoint.get("method", "")).strip().upper()
    return (str(data.get("rule")), method, normalise_path(str(endpoint.get("path", ""))))


def _as_static(finding: Finding) -> Finding:
    return finding if finding.engine is Engine.STATIC else replace(finding, engine=Engine.STATIC)


def _read(rows: Mapping[int, dict[str, Any]]) -> dict[int, Finding]:
    """Stored findings read back through the report reader (what export does)."""
    ids = list(rows)
    document = {"version": 1, "tool": {}, "findings": [stored.full(rows[i]) for i in ids]}
    report = read_report(json.dumps(document))
    return dict(zip(ids, report.findings, strict=True))


def shown(finding: schema.Finding, proof: schema.Finding | None) -> dict[str, Any]:
    """The JSON report's finding object a page, the API or an export shows for a tracked
    finding: with its joined proof, the confirmed finding the HTML report shows."""
    if proof is None or finding.data.get("engine") != Engine.STATIC.value:
        return stored.full(finding.data)
    pieces = _read({finding.id: finding.data, proof.id: proof.data})
    return finding_dict(join(pieces[finding.id], pieces[proof.id]))


def proofs_of(session: Session, finding_ids: Sequence[int]) -> dict[int, schema.Finding]:
    """``{static finding id: its joined proof}`` for the given findings that have one."""
    if not finding_ids:
        return {}
    rows = session.scalars(
        select(schema.Finding).where(schema.Finding.joined_to_id.in_(finding_ids))
    )
    return {row.joined_to_id: row for row in rows if row.joined_to_id is not None}


def partners(session: Session, project_id: int) -> list[tuple[int, int]]:
    """(proof id, static id) of every pair of the project."""
    rows = session.execute(
        select(schema.Finding.id, schema.Finding.joined_to_id).where(
            schema.Finding.project_id == project_id, schema.Finding.joined_to_id.is_not(None)
        )
    )
    return [(row.id, row.joined_to_id) for row in rows]


def share(marks: Mapping[int, _V], pairs: Iterable[tuple[int, int]]) -> dict[int, _V]:
    """Marks extended to each finding's partner: a mark on either half of a pair applies to
    both (the static finding's own mark first), so ``code --server`` and ``scan --server``
    both mute a weakness triaged once."""
    shared = dict(marks)
    for proof_id, static_id in pairs:
        mark = marks.get(static_id, marks.get(proof_id))
        if mark is not None:
            shared[static_id] = marks.get(static_id, mark)
            shared[proof_id] = marks.get(proof_id, mark)
    return shared
