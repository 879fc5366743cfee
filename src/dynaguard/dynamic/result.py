"""What one scan produced: the engine's return value, rendered by :mod:`dynaguard.dynamic.report`."""

from __future__ import annotations

from dataclasses import dataclass

from dynaguard.dynamic.auth import IdentityStatus
from dynaguard.dynamic.coverage import CoverageRow
from dynaguard.dynamic.http.client import Request
from dynaguard.model import Finding, ScanWarning


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan found and did."""

    target: str
    """The URL scanned."""
    spec_source: str
    """Where the API description came from."""
    active: bool
    """Whether writes were allowed."""
    findings: tuple[Finding, ...]
    """Confirmed findings, each with its evidence."""
    warnings: tuple[ScanWarning, ...]
    """Identities that failed, probes skipped, what was left behind."""
    identities: tuple[IdentityStatus, ...]
    """Each configured identity and whether it authenticated."""
    coverage: tuple[CoverageRow, ...]
    """Per operation: tested, skipped (why) or blocked."""
    skipped_probes: tuple[tuple[str, str], ...]
    """(probe, why) for probes that did not run at all."""
    not_cleaned: tuple[str, ...]
    """What the scan created and could not delete, and what it changed and could not put back."""
    requests: int
    """Requests sent, logins and race bursts included."""
    seconds: float
    """Wall time."""
    traffic: tuple[Request, ...]
    """Every request sent, credentials included: never print it unredacted."""
    interrupted: str = ""
    """What stopped probing early (``SIGINT``, ``SIGTERM``); empty when every probe ran."""
    cleanup_stopped: str = ""
    """Why cleanup stopped before the end (a second interrupt, its time bound); empty if not."""
    restored: tuple[str, ...] = ()
    """Objects the scan did not create that cleanup put back, with the attributes restored."""
    cut_short: str = ""
    """What ``--max-time`` left undone, when the scan reached it; empty when it ran to the end."""
    from_code: tuple[str, ...] = ()
    """``METHOD /path (file:line)`` of the operations the source code described (the spec was
    derived from it, or written by ``dynaguard code --emit-openapi``)."""
