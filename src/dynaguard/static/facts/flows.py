"""Reading the request data in a value: which kind of client data it is, and where it starts."""

from __future__ import annotations

from dynaguard.static.flow.values import Kind, Trace, Value


def client(value: Value | None, *kinds: Kind) -> tuple[Kind, Trace] | None:
    """The first of ``kinds`` of request data in ``value``, in the order given, with its flow."""
    if value is None:
        return None
    for kind in kinds:
        trace = value.labels.get((-1, int(kind)))
        if trace is not None:
            return kind, trace
    return None


ANY = (Kind.BODY, Kind.FIELDS, Kind.VALUE, Kind.KEY, Kind.NAMED)


def origin(trace: Trace) -> str:
    """What the flow starts from, e.g. ``request.get_json()``."""
    return trace[0].note if trace else "request data"
