"""What can stop a scan before it proves anything; the CLI maps each to an exit code."""

from __future__ import annotations


class ScanError(Exception):
    """Base of the scan's errors: the message is one line for the user, never a traceback."""


class ScanConfigError(ScanError):
    """The ``[scan]`` configuration or a flag is invalid (exit 2); the message names the key."""


class SpecError(ScanError):
    """The API description cannot be found, read or understood (exit 2)."""


class TargetUnreachable(ScanError):
    """The target URL does not answer (exit 3)."""


class OriginError(ScanError):
    """A request would leave the target's origin; dynaguard never sends it."""
