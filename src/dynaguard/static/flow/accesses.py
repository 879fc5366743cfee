"""The DynamoDB accesses of a function body, in execution order, whether or not request data
reaches them: the raw material of the per-operation rules (DG401-DG502, see ``facts/operations.py``).

Sink events (``events.py``) only keep calls that request data reaches, one per call site; the
per-operation rules also need the untainted ones (a write keyed by the identity is still a
write), their order, the helpers they sit in, and the existence checks between them. The frame
records them here as the interpreter meets them; a call of a project function appends the
callee's accesses, instantiated for that call, behind the call site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import FRESH, STORED_BASE, Kind, Step, Value, join
from dynaguard.static.source import ir

TABLE_ARG = "@table"
"""Pseudo-argument of an access event: the table's identity (name, or where the handle was made)."""
_OPS = frozenset({Op.PUT, Op.UPDATE, Op.READ})
MAX_APART = 256
"""How many entries a body keeps apart. Past it, a callee's access of a call the body already
reached by another path joins it (the first path stands for all): in a call graph where
functions call several others, one DynamoDB call is reached by exponentially many paths (a
module of 200 functions calling three others at random gave 33,000 entries per body and minutes
of rule time). Handlers of the field corpus keep 28 at most."""


# NOTE: made by the tens of thousands per scan, so not ``frozen`` (a frozen __init__ pays an
# ``object.__setattr__`` per field, 4x slower); nothing assigns to one after it is made.
@dataclass(slots=True, unsafe_hash=True)
class Access:
    """One DynamoDB call (or a modelled library call) reached by the function."""

    event: Event
    via: tuple[Step, ...] = ()
    """Call sites from the summarised function down to the call; empty when it is in the body."""


@dataclass(frozen=True, slots=True)
class Guard:
    """A test of data read from DynamoDB that decides whether the code goes on (``if not item:``)."""

    reads: frozenset[int]
    """The stored params (read sites) whose data the test looks at."""


Entry = Access | Guard
EntryKey = tuple[object, ...]

# NOTE: read sites are interned process-wide, like transforms in values.py: a label key holds an
# int, and the same site always gets the same param, whichever function is analysed first.
_PARAMS: dict[tuple[str, int, int], int] = {}


def stored_param(site: Step) -> int:
    """The label param of data read by the call at ``site``."""
    key = (site.path, site.line, site.col)
    found = _PARAMS.get(key)
    if found is None:
        found = _PARAMS[key] = STORED_BASE - len(_PARAMS)
    return found


def read_param(site: Step) -> int | None:
    """The label param of the read at ``site``, if it is one."""
    return _PARAMS.get((site.path, site.line, site.col))


def stored(site: Step, note: str) -> Value:
    """What a read returns: an item (or page of items) whose data is labelled by its site."""
    step = Step(site.path, site.line, site.col, site.function, note, "stored")
    item = Value(labels={(stored_param(site), int(Kind.BODY)): (step,)})
    # The response's item entries are whole items (BODY), its other entries attributes (VALUE):
    # ``resp['Item']`` stays whole, ``resp['Item']['x']`` is one attribute (DG801).
    return Value(item.labels, frozenset(), dict.fromkeys(_ITEM_ENTRIES, item))


_ITEM_ENTRIES = ("Item", "Items", "Attributes", "Responses")


def fresh(site: Step, note: str) -> Value:
    """A value no client chose and no other item has (``uuid4()``: see the stdlib model)."""
    step = Step(site.path, site.line, site.col, site.function, note, "fresh")
    return Value(labels={(FRESH, int(Kind.VALUE)): (step,)})


def is_fresh(value: Value) -> bool:
    return any(param == FRESH for param, _ in value.labels)


def reads_of(value: Value) -> frozenset[int]:
    """The read sites whose data reaches ``value`` (or one of its fields)."""
    found = {param for param, _ in value.labels if param <= STORED_BASE}
    for field in value.fields.values():
        found |= reads_of(field)
    return frozenset(found)


Entries = dict[EntryKey, Entry]
"""A body's accesses and guards so far, in order (``Frame.accesses``)."""


def record(entries: Entries, event: Event) -> None:
    """A DynamoDB call made in this body (``Frame.emit`` calls this before any taint filter)."""
    if event.op in _OPS:
        add(entries, Access(event))


def inherit(
    entries: Entries, callee: Iterable[Entry], instantiate: Callable[[Event], Event], site: Step
) -> None:
    """A callee's accesses, instantiated for the call at ``site``."""
    for entry in callee:
        if isinstance(entry, Access):
            add(entries, Access(instantiate(entry.event), (site, *entry.via)))
        else:
            add(entries, entry)


def note_guard(entries: Entries, test: ir.Expr, lookup: Callable[[str], Value], path: str) -> None:
    """An ``if`` whose test reads stored data and that exits (or runs its body) on the answer;
    ``lookup`` gives a name's value where the test runs, in the module at ``path``."""
    reads: set[int] = set()
    for expr in _walk(test):
        if isinstance(expr, (ir.Name, ir.Walrus)):
            name = expr.id if isinstance(expr, ir.Name) else expr.target
            reads |= reads_of(lookup(name))
        elif isinstance(expr, ir.Call):
            param = _PARAMS.get((path, expr.line, expr.col))
            if param is not None:
                reads.add(param)
    if reads:
        add(entries, Guard(frozenset(reads)))


def add(entries: Entries, entry: Entry) -> None:
    key = _key(entry)
    if len(entries) >= MAX_APART and isinstance(entry, Access) and key not in entries:
        key = (entry.event.key, _JOINED)
    old = entries.get(key)
    if isinstance(old, Access) and isinstance(entry, Access):
        # A loop body runs twice: one access, with the values of both passes.
        names = old.event.args.keys() | entry.event.args.keys()
        empty = Value()
        args = {
            n: join(old.event.args.get(n, empty), entry.event.args.get(n, empty)) for n in names
        }
        entry = Access(old.event.with_args(args, frozenset()), old.via)
    entries[key] = entry


_JOINED = "joined"
"""The path part of the key of an entry past ``MAX_APART``: every path to the call."""


def _key(entry: Entry) -> EntryKey:
    if isinstance(entry, Guard):
        return ("guard", entry.reads)
    via = tuple((s.path, s.line, s.col) for s in entry.via)
    return (entry.event.key, via)


def _walk(expr: ir.Expr) -> Iterable[ir.Expr]:
    """The sub-expressions of a test (names and calls are what a guard can look at)."""
    pending = [expr]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, (ir.Attr, ir.Star)):
            pending.append(node.obj if isinstance(node, ir.Attr) else node.value)
        elif isinstance(node, ir.Sub):
            pending += [node.obj, node.index]
        elif isinstance(node, ir.Call):
            pending += [node.func, *node.args, *(v for _, v in node.kwargs)]
        elif isinstance(node, (ir.Derive, ir.Pure)):
            pending += node.parts
        elif isinstance(node, ir.Either):
            pending += node.options
        elif isinstance(node, ir.Walrus):
            pending.append(node.value)
