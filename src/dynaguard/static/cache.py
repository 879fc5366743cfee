"""A finished analysis as cache text, and back (the CLI stores it: ``cli/cache.py``).

JSON, not pickle: a cache folder can sit in a repository, and reading it must never run code.
Decoding checks every field; anything unexpected (another format, a rule this version does not
have, a truncated file) is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from dynaguard.catalogue import CATALOGUE
from dynaguard.model import (
    Confidence,
    Coverage,
    Endpoint,
    Engine,
    Finding,
    FlowStep,
    Location,
    Persona,
    ScanWarning,
    Severity,
    Suppression,
    SuppressionKind,
)
from dynaguard.static import Analysis

FORMAT = 2
"""Bumped whenever the encoding changes: entries of another format are misses."""


def key(salt: bytes, inputs: Mapping[str, str], files: Iterable[tuple[str, str]]) -> str:
    """The entry name for an analysis of ``files`` ((relative path, content digest), in order)
    under ``inputs`` (tool version, rules, models...). ``salt`` is private to this machine, so an
    entry someone committed to a repository can never match."""
    digest = hashlib.sha256(salt)
    digest.update(json.dumps([FORMAT, sorted(inputs.items())]).encode("utf-8"))
    for path, content in files:
        digest.update(f"\0{path}\0{content}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def encode(analysis: Analysis) -> str:
    coverage = analysis.coverage
    return json.dumps(
        {
            "format": FORMAT,
            "files_scanned": analysis.files_scanned,
            "suppressed": analysis.suppressed,
            "findings": [_finding(f) for f in analysis.findings],
            "hidden": [_finding(f) for f in analysis.hidden],
            "warnings": [[w.message, w.path, w.line] for w in analysis.warnings],
            "coverage": [
                coverage.routes,
                coverage.routes_reaching_dynamodb,
                coverage.by_provenance,
                coverage.by_shape,
                coverage.by_model,
                coverage.unrecognised,
                list(coverage.blind_routes),
            ],
        },
        separators=(",", ":"),
    )


def decode(text: str) -> Analysis | None:
    """The analysis an entry holds, or None when it is not a valid entry of this format."""
    try:
        data = json.loads(text)
        if data["format"] != FORMAT:
            return None
        routes, reaching, provenance, shape, model, unrecognised, blind = data["coverage"]
        return Analysis(
            findings=tuple(_decode_finding(f) for f in data["findings"]),
            warnings=tuple(
                ScanWarning(_str(m), _opt_str(p), _opt_int(n)) for m, p, n in data["warnings"]
            ),
            files_scanned=_int(data["files_scanned"]),
            suppressed=_int(data["suppressed"]),
            hidden=tuple(_decode_finding(f) for f in data["hidden"]),
            coverage=Coverage(
                _int(routes),
                _int(reaching),
                _int(provenance),
                _int(shape),
                _int(model),
                _int(unrecognised),
                tuple(_str(b) for b in blind),
            ),
        )
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule.id,
        "engine": finding.engine.value,
        "message": finding.message,
        "fingerprint": finding.fingerprint,
        "location": None if finding.location is None else _location(finding.location),
        "endpoint": None
        if finding.endpoint is None
        else [finding.endpoint.method, finding.endpoint.path],
        "flow": [[_location(s.location), s.note] for s in finding.flow],
        "severity": None if finding.severity is None else finding.severity.value,
        "confidence": None if finding.confidence is None else finding.confidence.value,
        "persona": None if finding.persona is None else finding.persona.value,
        "suppression": None
        if finding.suppression is None
        else [finding.suppression.kind.value, finding.suppression.justification],
    }


def _location(location: Location) -> list[object]:
    return [location.path, location.line, location.column, location.function, location.snippet]


def _decode_finding(data: dict[str, Any]) -> Finding:
    if data["engine"] != Engine.STATIC.value:
        raise ValueError("not a static finding")
    endpoint = data["endpoint"]
    return Finding(
        rule=CATALOGUE[_str(data["rule"])],
        engine=Engine.STATIC,
        message=_str(data["message"]),
        fingerprint=_str(data["fingerprint"]),
        location=None if data["location"] is None else _decode_location(data["location"]),
        endpoint=None if endpoint is None else Endpoint(_str(endpoint[0]), _str(endpoint[1])),
        flow=tuple(FlowStep(_decode_location(loc), _str(note)) for loc, note in data["flow"]),
        severity=None if data["severity"] is None else Severity(data["severity"]),
        confidence=None if data["confidence"] is None else Confidence(data["confidence"]),
        persona=None if data["persona"] is None else Persona(data["persona"]),
        suppression=_decode_suppression(data["suppression"]),
    )


def _decode_suppression(data: Any) -> Suppression | None:
    if data is None:
        return None
    kind, justification = data
    return Suppression(SuppressionKind(kind), _str(justification))


def _decode_location(data: list[Any]) -> Location:
    path, line, column, function, snippet = data
    return Location(_str(path), _int(line), _int(column), _opt_str(function), _str(snippet))


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected an integer")
    return value


def _opt_int(value: object) -> int | None:
    return None if value is None else _int(value)
