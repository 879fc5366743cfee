"""From rule hits to ``model.Finding``: locations with snippets, flows, endpoints, fingerprints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from dynaguard.model import (
    Confidence,
    Endpoint,
    Engine,
    Finding,
    FlowStep,
    Location,
    fingerprint,
    normalise_code,
)
from dynaguard.static.flow.events import Event, Recognised
from dynaguard.static.flow.values import Step
from dynaguard.static.rules.base import Hit


class Sources:
    """Source lines of the scanned modules, split on first use (only files with findings)."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, line: int) -> str:
        lines = self._lines.get(path)
        if lines is None:
            lines = self._lines[path] = self._texts.get(path, "").splitlines()
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def location(step: Step, sources: Sources) -> Location:
    function = None if step.function == "<module>" else step.function
    return Location(
        step.path, step.line, step.col + 1, function, sources.line(step.path, step.line)
    )


def build(hit: Hit, event: Event | None, endpoint: Endpoint | None, sources: Sources) -> Finding:
    """The finding; its flow is the hit's trace, then the sink call when there is one."""
    sinks: tuple[Step, ...] = ()
    if event is not None:
        site = event.site
        sinks = (Step(site.path, site.line, site.col, site.function, f"{event.api}(...)"),)
    steps: list[FlowStep] = []
    for step in (*hit.trace, *sinks):
        flow_step = FlowStep(location(step, sources), step.note)
        if not steps or steps[-1] != flow_step:
            steps.append(flow_step)
    return Finding(
        rule=hit.rule,
        engine=Engine.STATIC,
        message=hit.message,
        fingerprint="",
        location=location(hit.at, sources),
        endpoint=endpoint,
        flow=tuple(steps),
        confidence=_confidence(hit, event),
        persona=hit.persona,
    )


def _confidence(hit: Hit, event: Event | None) -> Confidence | None:
    """The hit's; at most medium when the call was recognised by its shape alone."""
    if event is None or event.recognised is not Recognised.SHAPE:
        return hit.confidence
    return min(hit.confidence or hit.rule.confidence, Confidence.MEDIUM)


def with_fingerprints(findings: Iterable[Finding]) -> list[Finding]:
    """Sorted findings with fingerprints; the n-th same-looking one in a function gets ``n``.

    Findings at one place reached from several routes (a helper's write) also name their route,
    so that each keeps its fingerprint when another route starts or stops calling the helper.
    """
    ordered = sorted(findings, key=Finding.sort_key)
    routes: dict[tuple[str, str, str, str], set[Endpoint | None]] = {}
    for finding in ordered:
        routes.setdefault(_key(finding), set()).add(finding.endpoint)
    seen: dict[tuple[str, ...], int] = {}
    out: list[Finding] = []
    for finding in ordered:
        key: tuple[str, ...] = _key(finding)
        endpoint = finding.endpoint
        if len(routes[_key(finding)]) > 1 and endpoint is not None:
            key = (*key, f"{endpoint.method} {endpoint.path}")
        index = seen.get(key, 0)
        seen[key] = index + 1
        parts = (*key, str(index)) if index else key
        out.append(replace(finding, fingerprint=fingerprint(*parts)))
    return out


def _key(finding: Finding) -> tuple[str, str, str, str]:
    loc = finding.location
    assert loc is not None
    return (finding.rule.id, loc.path, loc.function or "", normalise_code(loc.snippet))
