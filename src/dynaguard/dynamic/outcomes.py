"""How a probe ends other than by finishing: typed, so coverage can say why (schemathesis-style)."""

from __future__ import annotations


class Skip(Exception):
    """The probe cannot test this operation here (missing identity, id, marker...): the reason
    goes to the coverage table."""


class Blocked(Exception):
    """The operation answered 401/403/404 to every identity that tried: the scan could not reach
    it, which the coverage table shows apart from a skip."""


class Rejected(Skip):
    """A write the probe needed was refused with a 4xx (not 401/403/404): for probes that send
    invalid or extra data this is the secure answer, not a gap in coverage."""


class Unanswered(Exception):
    """A request of the probe got no answer (timeout, refused or dropped connection), even after
    the scan slowed down for the target: the probe can conclude nothing, and the coverage table
    says which request failed and how."""
