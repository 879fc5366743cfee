"""Baseline files: the fingerprints of findings a team has accepted, so only new ones fail CI.

Pure functions; the CLI reads and writes the file. A fingerprint has no line number in it
(``model.Finding.fingerprint``), so a baseline survives unrelated edits. The entries carry rule,
path, function and endpoint only so that a reviewer can read the file; matching uses the
fingerprint alone, and one entry hides every finding with that fingerprint.

Format (version 1)::

    {"version": 1, "tool": "dynaguard",
     "fingerprints": [{"fingerprint": "...", "rule": "DG101", "path": "app/routes.py",
                       "function": "create_user", "endpoint": "POST /users"}]}
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import Any

from dynaguard.model import BaselineState, Finding, Suppression, SuppressionKind

BASELINE_VERSION = 1
TOOL = "dynaguard"

Entry = dict[str, str | None]


class BaselineError(Exception):
    """A baseline that cannot be used; the message names the file and what is wrong."""


def dump_baseline(findings: Iterable[Finding]) -> str:
    """A baseline accepting these findings: one entry per fingerprint, sorted for clean diffs."""
    entries: dict[str, Entry] = {}
    for finding in findings:
        entries.setdefault(finding.fingerprint, _entry(finding))
    document = {
        "version": BASELINE_VERSION,
        "tool": TOOL,
        "fingerprints": sorted(entries.values(), key=_entry_order),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_baseline(text: str, source: str) -> frozenset[str]:
    """The fingerprints of a baseline file's text; ``source`` names the file in errors."""
    try:
        # NOTE: editors on Windows like to save a byte-order mark; json refuses it.
        document = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{source}: not a baseline: invalid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno})"
        ) from None
    try:
        return _fingerprints(document)
    except ValueError as exc:
        raise BaselineError(f"{source}: not a usable baseline: {exc}") from None


def apply_baseline(
    findings: Iterable[Finding], fingerprints: Collection[str]
) -> tuple[tuple[Finding, ...], int]:
    """``(findings not in the baseline, how many were hidden)``."""
    every = tuple(findings)
    kept = tuple(f for f in every if f.fingerprint not in fingerprints)
    return kept, len(every) - len(kept)


def split_baseline(
    findings: Iterable[Finding], fingerprints: Collection[str], source: str
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """``(findings not in the baseline, those in it)``; the second ones carry an external
    suppression naming ``source``, for the formats that show them (SARIF)."""
    every = tuple(findings)
    why = Suppression(SuppressionKind.EXTERNAL, f"accepted in the baseline {source}")
    kept = tuple(f for f in every if f.fingerprint not in fingerprints)
    hidden = tuple(
        replace(f, suppression=why, baseline_state=BaselineState.UNCHANGED)
        for f in every
        if f.fingerprint in fingerprints
    )
    return kept, hidden


def _entry(finding: Finding) -> Entry:
    location, endpoint = finding.location, finding.endpoint
    return {
        "fingerprint": finding.fingerprint,
        "rule": finding.rule.id,
        "path": location.path if location else None,
        "function": location.function if location else None,
        "endpoint": f"{endpoint.method} {endpoint.path}" if endpoint else None,
    }


def _entry_order(entry: Entry) -> tuple[str, ...]:
    return tuple(
        entry[key] or "" for key in ("path", "rule", "function", "endpoint", "fingerprint")
    )


def _fingerprints(document: Any) -> frozenset[str]:
    """Validate the parsed document; raises ValueError saying what is wrong."""
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object, found {_json_type(document)}")
    for key in ("version", "fingerprints"):
        if key not in document:
            raise ValueError(f"missing key {key!r}")
    version = document["version"]
    if type(version) is not int or version != BASELINE_VERSION:
        raise ValueError(
            f"version {version!r} is not supported (this dynaguard reads version "
            f"{BASELINE_VERSION})"
        )
    if document.get("tool", TOOL) != TOOL:
        raise ValueError(f"'tool' is {document['tool']!r}, expected {TOOL!r}")
    entries = document["fingerprints"]
    if not isinstance(entries, list):
        raise ValueError(f"'fingerprints' must be a list, found {_json_type(entries)}")
    return frozenset(_fingerprint(index, entry) for index, entry in enumerate(entries))


def _fingerprint(index: int, entry: Any) -> str:
    where = f"fingerprints[{index}]"
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be an object, found {_json_type(entry)}")
    value = entry.get("fingerprint")
    if value is None:
        raise ValueError(f"{where}: missing key 'fingerprint'")
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: 'fingerprint' must be a non-empty string")
    return value


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    names |= {int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
