"""Join static and dynamic findings of the same weakness into one confirmed finding.

A static finding says where in the code; a dynamic finding of the same rule on the same route
says which requests prove it. Together they are one finding: engine ``dynamic``, confidence
``confirmed``, the static location and taint path, the dynamic evidence and endpoint.

Pairs are matched one to one, in report order, so two sinks of one rule in one handler and one
proof give one confirmed and one potential finding: the proof shows the route is vulnerable, not
that every sink in it is.

A joined finding is recognised by the model alone: the dynamic engine never knows source code,
so a dynamic finding with a ``location`` is a joined one (see :func:`status`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from dynaguard.model import Confidence, Engine, Finding, Persona, Severity
from dynaguard.report._common import endpoint_label

# Flask ``<id>``/``<int:id>``/``<path:rest>`` and OpenAPI ``{id}``: names differ between the two
# sources (``<user_id>`` vs ``{userId}``), so a template parameter matches any other one.
_PARAMETER = re.compile(r"<[^<>/]*>|\{[^{}/]*\}")
_SLASHES = re.compile(r"/{2,}")

_Level = TypeVar("_Level", Severity, Persona)

RouteKey = tuple[str, str, str]
"""``(rule id, METHOD, normalised path)``: what makes two findings the same weakness."""


class Status(enum.Enum):
    """How far a finding is proven, most proven first, as the HTML and text reports show it."""

    CONFIRMED = "confirmed"
    """Found in the code and proven with requests."""
    CONFIRMED_UNSCANNED = "confirmed (code not scanned)"
    """Proven with requests; no static finding points at the code."""
    POTENTIAL = "potential"
    """Found in the code only."""


def status(finding: Finding) -> Status:
    """The finding's status, derived from its engine and whether it has a code location."""
    if finding.engine is Engine.STATIC:
        return Status.POTENTIAL
    return Status.CONFIRMED if finding.location is not None else Status.CONFIRMED_UNSCANNED


def status_label(finding: Finding) -> str:
    """``confirmed: app.py:42, proven on POST /users``, ``potential`` or
    ``confirmed (code not scanned)`` (untrusted text: paths and routes come from the target)."""
    kind = status(finding)
    if kind is not Status.CONFIRMED or finding.location is None:
        return kind.value
    where = f"{finding.location.path}:{finding.location.line}"
    route = f", proven on {endpoint_label(finding.endpoint)}" if finding.endpoint else ""
    return f"confirmed: {where}{route}"


def normalise_path(path: str) -> str:
    """``/users/<int:id>/`` and ``/users/{userId}`` both become ``/users/{}``."""
    path = path.split("?", 1)[0].strip()
    path = _SLASHES.sub("/", _PARAMETER.sub("{}", path))
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"


def route_key(finding: Finding) -> RouteKey | None:
    """The key two findings must share to be joined; None when the route is unknown."""
    endpoint = finding.endpoint
    if endpoint is None:
        return None
    return (finding.rule.id, endpoint.method.strip().upper(), normalise_path(endpoint.path))


def canonical(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in report order, ties broken by every field so input order never shows."""
    # NOTE: `_common.ordered` stops at the fingerprint; two findings may share one (e.g. the
    # same sink with and without a known route), and pairing must not depend on which came first.
    return sorted(findings, key=lambda f: (f.sort_key(), f.fingerprint, repr(f)))


def correlate(static: Sequence[Finding], dynamic: Sequence[Finding]) -> tuple[Finding, ...]:
    """Static and dynamic findings with each matched pair joined into one, in report order.

    Never loses a finding: the result holds ``len(static) + len(dynamic) - pairs`` findings.
    Findings that are already joined are kept and never matched again, so correlating the
    result once more changes nothing.
    """
    waiting = _by_route(f for f in static if f.engine is Engine.STATIC)
    result: list[Finding] = [f for f in static if f.engine is not Engine.STATIC]
    for proof in canonical(dynamic):
        key = route_key(proof) if status(proof) is Status.CONFIRMED_UNSCANNED else None
        candidates = waiting.get(key) if key is not None else None
        result.append(join(candidates.pop(0), proof) if candidates else proof)
    result.extend(f for remaining in waiting.values() for f in remaining)
    return tuple(canonical(result))


def _by_route(findings: Iterable[Finding]) -> dict[RouteKey | None, list[Finding]]:
    groups: dict[RouteKey | None, list[Finding]] = {}
    for finding in canonical(findings):
        groups.setdefault(route_key(finding), []).append(finding)
    return groups


def join(code: Finding, proof: Finding) -> Finding:
    """One finding from a static finding and the dynamic finding that proves it."""
    rule = proof.rule
    joined = replace(
        proof,
        confidence=Confidence.CONFIRMED,
        location=code.location,
        flow=code.flow,
        # NOTE: the static fingerprint (file, function, code) is the more specific identity,
        # and a baseline taken with `dynaguard code` keeps matching once the proof succeeds.
        fingerprint=code.fingerprint,
        severity=_override(max(code.effective_severity, proof.effective_severity), rule.severity),
        persona=_override(min(code.effective_persona, proof.effective_persona), rule.persona),
    )
    detail = f" — {proof.message}" if proof.message else ""
    return replace(joined, message=status_label(joined) + detail)


def _override(value: _Level, default: _Level) -> _Level | None:
    """None when the value is the rule's default, so joined findings carry no needless override."""
    return None if value == default else value


__all__ = [
    "RouteKey",
    "Status",
    "canonical",
    "correlate",
    "join",
    "normalise_path",
    "route_key",
    "status",
    "status_label",
]
