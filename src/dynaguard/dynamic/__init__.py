"""The dynamic scanner (``dynaguard scan URL``): proves weaknesses against a running API.

Layering (ARCHITECTURE.md): imports only ``model``, ``registry`` and ``catalogue`` from the
project. The engine emits events and returns a :class:`ScanResult`; it never prints.

Public API::

    from dynaguard.dynamic import ScanOptions, Identity, Login, Role, scan, to_report
    result = scan(ScanOptions(target="http://127.0.0.1:8000", identities=(...), active=True))
    report = to_report(result)
"""

from __future__ import annotations

from dynaguard.dynamic import events
from dynaguard.dynamic.coverage import CoverageRow
from dynaguard.dynamic.engine import scan
from dynaguard.dynamic.errors import (
    OriginError,
    ScanConfigError,
    ScanError,
    SpecError,
    TargetUnreachable,
)
from dynaguard.dynamic.identity import Identity, Login, Role, parse_identity_flag
from dynaguard.dynamic.interrupt import Interrupt
from dynaguard.dynamic.probes import PROBES
from dynaguard.dynamic.report import to_report
from dynaguard.dynamic.result import ScanResult
from dynaguard.dynamic.settings import ScanOptions, ScanTable, build_options, parse_scan_table

__all__ = [
    "PROBES",
    "CoverageRow",
    "Identity",
    "Interrupt",
    "Login",
    "OriginError",
    "Role",
    "ScanConfigError",
    "ScanError",
    "ScanOptions",
    "ScanResult",
    "ScanTable",
    "SpecError",
    "TargetUnreachable",
    "build_options",
    "events",
    "parse_identity_flag",
    "parse_scan_table",
    "scan",
    "to_report",
]
