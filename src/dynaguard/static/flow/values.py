"""The abstract values of the taint analysis: what the client controls, and what a thing is.

A value has *labels* (request data it carries, each with the flow that brought it), *refs*
(what object it is: a DynamoDB Table, a Flask app, a project class...), *fields* (known
constant-key entries and attributes) and *text* (its string, when constant).

Labels are keyed by ``(param, code)``. ``param == -1``: a concrete request source and ``code`` is
its :class:`Kind`. ``param >= 0``: "whatever the caller passes as parameter ``param``, after the
transform ``code``" - this is how function summaries stay independent of their callers. A
transform maps each kind to a kind (or drops it); transforms compose, so summaries are exact
over this small domain and each function is analysed once.

Params below -1 are other concrete provenances that travel the same way (``param < 0`` is kept
as is by instantiation): ``FRESH`` for values the server generates unique (``uuid4()``),
``IDENTITY`` for the authenticated caller (``models/identity.py``: ``current_user``, ``g.user_id``,
``get_jwt_identity()``...), and ``STORED_BASE`` and below for data read from DynamoDB, one param
per read site (``operations.stored_param``). Only ``param == -1`` is request data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Kind(IntEnum):
    BODY = 0
    """A whole request mapping: the client chooses its keys and values."""
    FIELDS = 1
    """A mapping whose keys the server chose; its values come from the client."""
    VALUE = 2
    """One client-chosen value."""
    KEY = 3
    """A key name from iterating a whole request mapping (the client chose the set of names)."""
    NAMED = 4
    """A mapping with a key name taken from a single client value."""


REQUEST = -1
"""``param`` of a concrete request source."""
FRESH = -2
"""``param`` of a value the server generates unique (``uuid4()``, ``secrets.token_hex()``)."""
IDENTITY = -3
"""``param`` of the authenticated identity (and what is derived from it): never client-chosen."""
STORED_BASE = -4
"""``param`` of the first DynamoDB read site; each further read site takes the next lower one."""

Transform = tuple[int, int, int, int, int]
"""The image of each Kind (by index), -1 when the transform drops it."""

_B, _F, _V, _K, _N = (int(k) for k in Kind)
ID: Transform = (_B, _F, _V, _K, _N)
ELEM: Transform = (_V, _V, _V, _K, _V)  # data['x'], data.get('x'), obj.attr
# an attribute a class defines, of an object whose attribute names the client chose: whatever
# the client could have stored under that name (``setattr(obj, body['name'], v)``)
NAMED_ELEM: Transform = (_V, -1, -1, -1, _V)
KEYS: Transform = (_K, -1, _V, _K, _V)  # for k in data / data.keys()
VALUES: Transform = (_V, _V, _V, _K, -1)  # data.values()
STR: Transform = (_V, _V, _V, _K, _V)  # f-strings, %, +, format, str()
SCALAR: Transform = (-1, -1, _V, _K, -1)  # an unknown function of the value
SANITISE: Transform = (_F, _F, _V, -1, _F)  # allowlists and declared schemas fix the keys
PARSE: Transform = (_B, _F, _B, _K, _N)  # json.loads: a client string becomes a client mapping
CONTAIN: Transform = (_F, _F, _F, _B, _F)  # stored as a value under a server-chosen key
KEYED: Transform = (_N, _N, _N, _B, _N)  # used as a key name
GUARD: Transform = (_B, _F, -1, -1, _N)  # checked against a server-side set of values
# obj.__dict__, vars(obj): a value parsed from JSON has no attributes, so one client value that
# has them is an object a library built from a declared class (a GraphQL input, a dataclass)
ATTRS: Transform = (_B, _F, _F, _K, _N)

_TABLE: list[Transform] = []
_DEAD: list[bool] = []
"""Per transform id: it drops every kind."""
_IDS: dict[Transform, int] = {}
_COMPOSED: dict[tuple[Transform, int], int] = {}


def tid(transform: Transform) -> int:
    """Interned id of a transform (label keys hold ints, not tuples)."""
    found = _IDS.get(transform)
    if found is None:
        found = _IDS[transform] = len(_TABLE)
        _TABLE.append(transform)
        _DEAD.append(all(k < 0 for k in transform))
    return found


ID_T = tid(ID)


def compose(outer: Transform, inner_id: int) -> int:
    key = (outer, inner_id)
    found = _COMPOSED.get(key)
    if found is None:
        inner = _TABLE[inner_id]
        composed = tuple(outer[k] if k >= 0 else -1 for k in inner)
        found = _COMPOSED[key] = tid(composed)  # type: ignore[arg-type]
    return found


def is_dead(transform_id: int) -> bool:
    return _DEAD[transform_id]


def image(transform_id: int, kind: int) -> int:
    return _TABLE[transform_id][kind]


# NOTE: made by the tens of thousands per scan, so not ``frozen`` (a frozen __init__ pays an
# ``object.__setattr__`` per field, 4x slower); nothing assigns to one after it is made.
@dataclass(slots=True, unsafe_hash=True)
class Step:
    """One hop of a flow: a place in a module and what happens there."""

    path: str
    line: int
    col: int
    function: str
    note: str
    origin: str = ""
    """For the first step of a request source: ``body``, ``query``, ``route``, ``declared``..."""


Trace = tuple[Step, ...]
LabelKey = tuple[int, int]
MAX_TRACE = 16


def extend(trace: Trace, step: Step) -> Trace:
    if trace:
        last = trace[-1]
        # Cheap fields first: the dataclass __eq__ builds two tuples on every call.
        if last is step or (last.line == step.line and last.col == step.col and last == step):
            return trace
    if len(trace) >= MAX_TRACE:
        return (*trace[:3], *trace[-(MAX_TRACE - 4) :], step)
    return (*trace, step)


_NO_LABELS: dict[LabelKey, Trace] = {}
_NO_FIELDS: dict[str, Value] = {}


class Value:
    """An abstract value; never mutated after construction."""

    __slots__ = ("fields", "labels", "refs", "text")

    def __init__(
        self,
        labels: dict[LabelKey, Trace] | None = None,
        refs: frozenset[str] = frozenset(),
        fields: dict[str, Value] | None = None,
        text: str | None = None,
    ) -> None:
        # NOTE: empty ones share one dict (values are never mutated): a Value is made per
        # expression evaluated, and two fresh dicts each were a tenth of the analysis.
        self.labels: dict[LabelKey, Trace] = labels or _NO_LABELS
        self.refs = refs
        self.fields: dict[str, Value] = fields or _NO_FIELDS
        self.text = text

    def __bool__(self) -> bool:
        return bool(self.labels or self.refs or self.fields or self.text is not None)

    def __repr__(self) -> str:
        return f"Value(labels={sorted(self.labels)}, refs={sorted(self.refs)}, fields={sorted(self.fields)}, text={self.text!r})"

    def client_kinds(self) -> set[int]:
        return {code for (param, code) in self.labels if param == REQUEST}


EMPTY = Value()


class TupleValue(Value):
    """A tuple display's value: as a whole it is any of its elements, like every container, and
    ``positions`` keeps each element for unpacking (``a, b = t``). Nothing but ``bind`` and
    ``iterate`` reads them, so they are never taken for attribute or key names; whatever
    rebuilds a value makes a plain one, which only loses precision."""

    __slots__ = ("positions",)

    def __init__(self, joined: Value, positions: tuple[Value, ...]) -> None:
        super().__init__(joined.labels, joined.refs, joined.fields, joined.text)
        self.positions = positions


def tuple_of(elements: list[Value]) -> Value:
    """A tuple display: the join of its elements, with their positions unless that join is
    empty (``join`` passes over an empty value, so a tuple of constants alone could come out of
    a list of them as if it were the only one)."""
    joined = join_all(elements)
    return TupleValue(joined, tuple(elements)) if joined else joined


def positions(value: Value, size: int) -> tuple[Value, ...] | None:
    """The elements of a tuple of ``size`` elements, None when the value has no such positions."""
    if type(value) is TupleValue and len(value.positions) == size:
        return value.positions
    return None


def indexed(value: Value, size: int) -> tuple[Value, ...] | None:
    """The elements of a list the code filled by constant index (``out[1] = v``) and unpacks
    whole (``a, b = out``): each stored element, with what no store explains (the list's
    initial elements). None unless every field is such an index below ``size``."""
    names = value.fields.keys()
    if not names or not all(n.isdigit() and int(n) < size for n in names):
        return None
    rest = unexplained(value, named_only=False)
    extra = Value(rest) if rest else EMPTY
    return tuple([join(value.fields.get(str(i), EMPTY), extra) for i in range(size)])


def whole(value: Value) -> Value:
    """The value without positions: a container of it, or a reordering, has none."""
    if type(value) is TupleValue:
        return Value(value.labels, value.refs, value.fields, value.text)
    return value


PREFIX = "text:"
"""Ref of a string built by concatenation after a constant (``f"USER#{uid}"``): the constant,
so that keys of a single-table design (``USER#...`` and ``ORDER#...``) are told apart."""


def prefixes(value: Value) -> frozenset[str]:
    """The constant texts the value starts with (its whole text when it is a constant)."""
    if value.text is not None:
        return frozenset({value.text})
    return frozenset(r[len(PREFIX) :] for r in value.refs if r.startswith(PREFIX))


def ref(*names: str) -> Value:
    return Value(refs=frozenset(names))


def source(kind: Kind, step: Step) -> Value:
    return Value(labels={(-1, int(kind)): (step,)})


def join(a: Value, b: Value) -> Value:
    # ``Value.__bool__`` inlined: join is among the hottest calls of an analysis.
    if not (b.labels or b.refs or b.fields) and b.text is None:
        return a
    if not (a.labels or a.refs or a.fields) and a.text is None:
        return b
    labels = dict(a.labels)
    for key, trace in b.labels.items():
        labels.setdefault(key, trace)
    fields = dict(a.fields)
    for name, value in b.fields.items():
        fields[name] = join(fields[name], value) if name in fields else value
    text = a.text if a.text == b.text else None
    refs = a.refs | b.refs
    if refs and GIVEN in refs and not (GIVEN in a.refs and GIVEN in b.refs):
        refs = refs - _GIVEN  # "never empty" holds of a join only when it holds of both
    if type(a) is TupleValue and type(b) is TupleValue:  # alternatives of one shape
        pa, pb = a.positions, b.positions
        if len(pa) == len(pb):
            joined = Value(labels, refs, fields, text)
            return TupleValue(joined, tuple([join(x, y) for x, y in zip(pa, pb, strict=True)]))
    return Value(labels, refs, fields, text)


def join_all(values: list[Value]) -> Value:
    out = EMPTY
    for value in values:
        out = join(out, value)
    return out


def apply(value: Value, transform: Transform, keep_refs: bool = False) -> Value:
    """The labels seen through ``transform``; refs, fields and text are dropped (unless ID)."""
    if transform is ID or transform == ID:
        return value
    if not value.labels:  # most values carry none: nothing to transform
        return Value(None, value.refs) if keep_refs and value.refs else EMPTY
    labels: dict[LabelKey, Trace] = {}
    for (param, code), trace in value.labels.items():
        if param < 0:
            kind = transform[code]
            if kind >= 0:
                labels.setdefault((param, kind), trace)  # each concrete provenance stays itself
        else:
            composed = compose(transform, code)
            if not _DEAD[composed]:
                labels.setdefault((param, composed), trace)
    refs = value.refs if keep_refs else frozenset()
    return Value(labels, refs) if labels or refs else EMPTY


GIVEN = "given:nonempty"
"""Ref of a value that is never empty or ``None`` (a route variable: the router matched a
non-empty path segment), so ``x or default`` is ``x``: ``id_ = item_id or str(uuid4())``
called with a route variable keys the item by the client's id, never by a fresh one. Unlike
other refs it must hold on every path: a join keeps it only when both sides have it (NOTE: a
constant ``None`` is no value at all here, so ``x if c else None`` still has it)."""
_GIVEN = frozenset({GIVEN})


MAYBE_NONE = "none:maybe"
"""Ref of a mapping a library may give as ``None`` (API Gateway's absent ``pathParameters``):
calling its methods raises AttributeError, until ``x or {}`` replaces it."""


NONE_METHOD = "method of None"
"""The ``Op.RAISES`` event of ``x.get(...)`` where ``x`` may be None (an AttributeError, DG302)."""
NONE_SPREAD = "** of None"
"""The ``Op.RAISES`` event of ``f(**x)`` where ``x`` may be None (a TypeError, DG302)."""
NONE_IN = "in None"
"""The ``Op.RAISES`` event of ``k in x`` where ``x`` may be None (a TypeError, DG302)."""
NONE_SUBSCRIPT = "[] of None"
"""The ``Op.RAISES`` event of ``x['k']`` where ``x`` may be None (a TypeError, DG302)."""


def not_none(value: Value) -> Value:
    if MAYBE_NONE not in value.refs:
        return value
    return Value(value.labels, value.refs - {MAYBE_NONE}, value.fields, value.text)


def with_step(value: Value, step: Step) -> Value:
    if not value.labels:
        return value
    labels = {key: extend(trace, step) for key, trace in value.labels.items()}
    stepped = Value(labels, value.refs, value.fields, value.text)
    if type(value) is TupleValue:  # the name holds the tuple: each position passed it
        return TupleValue(stepped, tuple([with_step(p, step) for p in value.positions]))
    return stepped


MAX_DEPTH = 6
"""How deeply fields may nest. Past it a value keeps its labels and drops its structure: a
handler that nests its request data in itself (``d = {"x": d, "y": d}`` in a loop) doubles the
tree each time, and every walk of it would take exponential time and memory."""
MAX_TREE = 4096
"""How many fields a value may hold, counted as every walk of it meets them (a field shared by
two parents counts twice): past it, the same widening. Wide values nested in each other (a
dict of 400 keys holding dicts of 400 keys) stay under the depth and still explode."""


def bounded(value: Value, depth: int = MAX_DEPTH) -> Value:
    """``value``, or, when its fields nest deeper than ``depth`` or hold more than
    ``MAX_TREE`` entries in all, the same labels and refs with every nested label contained
    (``CONTAIN``) and no fields: "some request data"."""
    if not value.fields or not _too_big(value, depth):
        return value
    labels = dict(value.labels)
    seen: set[int] = set()
    stack = list(value.fields.values())
    while stack:  # shared sub-values (a DAG) are visited once
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for key, trace in apply(current, CONTAIN).labels.items():
            labels.setdefault(key, trace)
        stack.extend(current.fields.values())
    return Value(labels or None, value.refs, None, value.text)


def _too_big(value: Value, depth: int) -> bool:
    """Whether the value nests deeper than ``depth`` or its tree holds more than ``MAX_TREE``
    fields; each shared sub-value is measured once (the walk stays linear in distinct values)."""
    sizes: dict[int, int] = {}
    # (value, depth left, children pushed): an explicit stack, so no recursion limit applies
    stack: list[tuple[Value, int, bool]] = [(value, depth, False)]
    while stack:
        current, left, expanded = stack.pop()
        key = id(current)
        if key in sizes and not expanded:
            continue
        if not expanded:
            if current.fields and left <= 0:
                return True
            stack.append((current, left, True))
            stack.extend((f, left - 1, False) for f in current.fields.values() if f.fields)
            continue
        size = sum(1 + sizes.get(id(f), 0) for f in current.fields.values())
        if size > MAX_TREE:
            return True
        sizes[key] = size
    return False


def unexplained(container: Value, *, named_only: bool) -> dict[LabelKey, Trace]:
    """The container's labels that none of its fields put there (``with_field`` and dict
    displays contain each field's labels in the whole): what a key the code did not name, or a
    position of an entry, may still hold. Matched by where each flow starts, which naming the
    container (a step more) does not change; ``named_only``: the ``*`` field (entries under
    keys nobody can name) explains nothing."""
    explained = {
        (key, id(trace[0]) if trace else 0)
        for name, field in container.fields.items()
        if not (named_only and name == "*")
        for key, trace in apply(field, CONTAIN).labels.items()
    }
    return {
        key: trace
        for key, trace in container.labels.items()
        if (key, id(trace[0]) if trace else 0) not in explained
    }


def with_field(value: Value, name: str, field: Value) -> Value:
    """``value`` with its field ``name`` replaced and the field's labels contained in it."""
    fields = dict(value.fields)
    field = bounded(field)
    fields[name] = field
    labels = dict(value.labels)
    for key, trace in apply(field, CONTAIN).labels.items():
        labels.setdefault(key, trace)
    return Value(labels, value.refs, fields, None)


def attributes_of(obj: Value) -> Value:
    """``obj.__dict__`` / ``vars(obj)``: the object's own data as a mapping (``ATTRS``)."""
    labels = apply(obj, ATTRS).labels
    return (
        Value(labels or None, frozenset(), dict(obj.fields) or None)
        if labels or obj.fields
        else EMPTY
    )


def any_field(value: Value) -> Value:
    """Any one of the value's fields (lists are transparent, so this is also "any element")."""
    return join_all(list(value.fields.values()))


def only_params(value: Value) -> Value:
    """The part of a value that depends on the enclosing function's parameters."""
    labels = {k: t for k, t in value.labels.items() if k[0] >= 0}
    fields = {
        n: f
        for n, f in ((n, only_params(f)) for n, f in value.fields.items())
        if f.labels or f.fields
    }
    return Value(labels, frozenset(), fields) if labels or fields else EMPTY


def only_client(value: Value) -> Value:
    """The part of a value that carries concrete request data."""
    labels = {k: t for k, t in value.labels.items() if k[0] < 0}
    fields = {
        n: f
        for n, f in ((n, only_client(f)) for n, f in value.fields.items())
        if f.labels or f.fields
    }
    return Value(labels, frozenset(), fields, value.text) if labels or fields else EMPTY


def param_value(index: int, step: Step, refs: frozenset[str] = frozenset()) -> Value:
    return Value(labels={(index, ID_T): (step,)}, refs=refs)


def compose_ids(outer_id: int, inner_id: int) -> int:
    return compose(_TABLE[outer_id], inner_id)


def concat(first: Trace, then: Trace) -> Trace:
    out = first
    for step in then:
        out = extend(out, step)
    return out


def tainted(value: Value) -> bool:
    """Whether any request data or parameter reaches the value or one of its fields."""
    return bool(value.labels) or any(tainted(f) for f in value.fields.values())
