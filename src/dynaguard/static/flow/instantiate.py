"""A callee's summary seen from one call: its parameter labels replaced by the call's arguments."""

from __future__ import annotations

from collections.abc import Sequence

from dynaguard.static.flow.events import SPREAD_ARG, Event
from dynaguard.static.flow.values import (
    EMPTY,
    ID_T,
    LabelKey,
    Trace,
    TupleValue,
    Value,
    bounded,
    compose_ids,
    concat,
    image,
    is_dead,
    join,
)


def instantiate(value: Value, args: Sequence[Value]) -> Value:
    """A callee's value (return or sink argument) with its parameter labels replaced by ``args``."""
    if not value.labels and not value.fields:
        return value
    if value.fields:
        # A summary's value may have grown by joins past the bound (``x = f(x) or x`` down a
        # call chain): widen it before walking it once per call site.
        value = bounded(value)
    labels: dict[LabelKey, Trace] = {}
    passed = EMPTY
    for (param, code), trace in value.labels.items():
        if param < 0:
            labels.setdefault((param, code), trace)
            continue
        arg = args[param] if param < len(args) else EMPTY
        if code == ID_T and (arg.refs or arg.fields):
            passed = join(passed, Value(None, arg.refs, arg.fields, arg.text))
        for (arg_param, arg_code), arg_trace in arg.labels.items():
            if arg_param < 0:
                kind = image(code, arg_code)
                if kind >= 0:
                    labels.setdefault((arg_param, kind), concat(arg_trace, trace))
            else:
                composed = compose_ids(code, arg_code)
                if not is_dead(composed):
                    labels.setdefault((arg_param, composed), concat(arg_trace, trace))
    fields = {name: instantiate(f, args) for name, f in value.fields.items()}
    out = join(Value(labels, value.refs, fields, value.text), passed)
    if passed.fields:
        # A helper that nests its argument (``return {"x": d, "y": d}``), called on its own
        # result, would double the depth at each call of a chain: bound what it passes on.
        out = bounded(out)
    if type(value) is TupleValue and out:  # ``return a, b``: ``x, y = f()`` unpacks them
        return TupleValue(out, tuple([instantiate(p, args) for p in value.positions]))
    return out


def instantiate_event(event: Event, args: Sequence[Value]) -> Event:
    out = {n: instantiate(v, args) for n, v in event.args.items()}
    spread = out.pop(SPREAD_ARG, None)
    if spread is not None:
        for name, value in spread.fields.items():
            out.setdefault(name, value)
        if any(param >= 0 for param, _ in spread.labels):
            out[SPREAD_ARG] = spread  # still a parameter here: the next caller spreads it
    return event.with_args(out)
