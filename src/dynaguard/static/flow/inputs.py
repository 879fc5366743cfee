"""How request fields are read and converted: flow steps that name them, events where they raise.

``d['f']`` / ``d.get('f')`` on request data adds a step naming the field (DG301 matches it with
the checks of ``validation.py``); ``d['f']``, ``d.pop('f')``, ``int(x)``, ``float(x)``,
``Decimal(x)`` and ``json.loads(x)`` of request data also emit an ``Op.RAISES`` event (DG302), and
a conversion adds a step that says whether a ``try`` around it handles its error.
"""

from __future__ import annotations

from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.frame import Args, Frame
from dynaguard.static.flow.values import REQUEST, Kind, Value, image, with_step
from dynaguard.static.source import ir

FIELD = "field"
"""``Step.origin`` of a step that reads one field of a request mapping."""
CONVERTED = "converted"
"""``Step.origin`` of a conversion whose error nothing here handles (``int(x)``)."""
PARSED = "parsed"
"""Origin of a parse step (``json.loads``): a mapping comes out, not a number to range-check."""
VALIDATED = "validated"
"""``Step.origin`` of a step where a schema (or a complete conversion: a date) checked the value."""
COERCED = "coerced"
"""``Step.origin`` of ``bool(x)``: never fails, and takes any non-empty text (``'false'``
included) as true, so the value is a boolean nothing checked (DG301)."""
NONE_TEXT = "none-text"
"""``Step.origin`` of formatting ``body.get('k')`` with no default (``f"{...}"``, ``str()``): a
missing field becomes the text ``'None'``, stored as if the client had sent it (DG301)."""
TYPED = "typed"
"""``Step.origin`` of a step after which the value is known to be a number but not its range: a
conversion whose error is handled, a GraphQL ``Int``/``Float`` argument (DG301 still wants a
range check; DG302 knows it cannot crash on a wrong type)."""

_BODY, _VALUE = int(Kind.BODY), int(Kind.VALUE)


def is_mapping(value: Value) -> bool:
    """Request data that may be a whole client mapping (here, or in what a caller passes)."""
    for param, code in value.labels:
        if param == REQUEST:
            if code == _BODY:
                return True
        elif param >= 0 and image(code, _BODY) == _BODY:
            return True
    return False


def _nested(obj: ir.Expr, value: Value) -> bool:
    """A field just read from a request mapping, read again: ``body['a']['b']``.

    NOTE: only a direct chain; a client value in a variable may be anything an unknown function
    made of it (``cert = issue(body['csr'])``), not a JSON object whose keys the client chose.
    """
    trace = value.labels.get((REQUEST, _VALUE))
    chained = isinstance(obj, (ir.Sub, ir.Call))
    return chained and trace is not None and bool(trace) and trace[-1].origin == FIELD


def lookup(
    frame: Frame,
    obj: ir.Expr,
    container: Value,
    key: Value,
    found: Value,
    *,
    at: tuple[int, int],
    method: str,
    raises: bool,
) -> Value:
    """``found`` (what ``container[key]``, ``.get(key)`` or ``.pop(key)`` gives: ``method`` is
    ``subscript``, ``get`` or ``pop``) with its field step; an event when a missing key raises."""
    if key.text is None or not container.labels:
        return found
    mapping = is_mapping(container)
    if raises and (mapping or _nested(obj, container)):
        # ``a['x']['y']`` starts both reads at one column: the key keeps their events apart.
        site = frame.step(*at, repr(key.text))
        root = Value(text=obj.id if isinstance(obj, ir.Name) else _spell(obj))
        args = {"Value": container, "Key": key, "Root": root}
        frame.emit(Event(Op.RAISES, method, site, args))
    if not mapping or not found.labels:
        return found
    spelled = _spell(obj) + (
        f"[{key.text!r}]" if method == "subscript" else f".{method}({key.text!r})"
    )
    return with_step(found, frame.step(*at, spelled, FIELD))


def convert(
    frame: Frame,
    name: str,
    args: Args,
    result: Value,
    errors: frozenset[str] | None,
    *,
    complete: bool = False,
    parsed: bool = False,
) -> Value:
    """``int(x)``-like conversions of request data, which raise ``errors`` on malformed input:
    an event (DG302) and a step (DG301). ``errors=None``: a conversion we do not judge.
    ``complete``: what converts also checks everything there is to check (a parsed date is a
    date; a parsed number may still be negative, so a handled ``int()`` is only ``TYPED``)."""
    value = args.first()
    if errors is None or not value.labels:
        return result
    site = args.site
    label = "json.loads" if name.endswith(".loads") else name.rpartition(".")[2]
    frame.emit(Event(Op.RAISES, label, site, {"Value": value}))
    if complete:
        origin = VALIDATED
    elif parsed:
        # A handled parse error says the text was JSON, nothing about the fields it holds.
        origin = PARSED
    else:
        origin = TYPED if frame.catching & errors else CONVERTED
    return with_step(result, frame.step(site.line, site.col, f"{label}(...)", origin))


def _spell(expr: ir.Expr) -> str:
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Attr):
        return f"{_spell(expr.obj)}.{expr.attr}"
    if isinstance(expr, ir.Call):
        return f"{_spell(expr.func)}()"
    return "..."


def validated(frame: Frame, args: Args, value: Value, note: str) -> Value:
    """``value`` as a declared schema (pydantic, marshmallow) has checked it: types, ranges."""
    site = args.site
    return with_step(value, frame.step(site.line, site.col, note, VALIDATED))


def formatted(frame: Frame, expr: ir.Expr, value: Value) -> Value:
    """``value`` (what ``expr`` gave) formatted as text: when ``expr`` is ``m.get('k')`` with no
    default on request data, a step says that a missing field is stored as ``'None'``."""
    if not (
        isinstance(expr, ir.Call)
        and isinstance(expr.func, ir.Attr)
        and expr.func.attr == "get"
        and len(expr.args) == 1
        and not expr.kwargs
        and any(param == REQUEST or param >= 0 for param, _ in value.labels)
    ):
        return value
    return with_step(value, frame.step(expr.line, expr.col, "formatted as text", NONE_TEXT))
