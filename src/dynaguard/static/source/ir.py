"""A small, picklable intermediate form of a Python module (what the analyser interprets).

Lowering (``lower.py``) turns each file's ``ast`` into these frozen records once, in a worker
process when ``jobs > 1``; everything after that works on the IR only. The IR keeps just what the
taint analysis needs: names, attribute and item access, calls, literals, comprehensions and
structured control flow. Positions are kept where a finding or flow step can point.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TypeVar

# NOTE: IR nodes are never mutated after lowering, but they are not ``frozen``: a frozen
# dataclass's __init__ goes through object.__setattr__ and costs 2.5x (measured: 1.9 us vs
# 0.75 us per node), and lowering builds one node per AST node (see docs/benchmarks.md).


@dataclass(slots=True)
class Const:
    """A literal; only strings, HTTP status numbers (100-599) and booleans keep their value (table
    names, expressions, dict keys; ``errorhandler(500)``, ``status_code = 404``;
    ``api_key_required=True``)."""

    text: str | None = None
    number: int | None = None
    truth: bool | None = None


@dataclass(slots=True)
class Name:
    id: str
    line: int = 0
    col: int = 0


@dataclass(slots=True)
class Attr:
    obj: Expr
    attr: str
    line: int
    col: int


@dataclass(slots=True)
class Sub:
    obj: Expr
    index: Expr
    line: int
    col: int
    sliced: bool = False


@dataclass(slots=True)
class Star:
    """``*x`` in a call or literal."""

    value: Expr


@dataclass(slots=True)
class Call:
    func: Expr
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str | None, Expr], ...]
    """``(name, value)``; ``name`` is None for ``**value``."""
    line: int
    col: int


@dataclass(slots=True)
class Dict:
    keys: tuple[Expr | None, ...]
    """None for a ``**spread`` entry."""
    values: tuple[Expr, ...]
    positions: tuple[tuple[int, int], ...]
    """(line, col) of each entry, for the flow step that stores a field."""


@dataclass(slots=True)
class Seq:
    """A list, tuple or set display: the analysis treats a container as any of its elements."""

    elts: tuple[Expr, ...]
    positional: bool = False
    """A tuple display without ``*x``: its elements keep their positions for unpacking (a list
    may be reordered or grown, a set has no order)."""


@dataclass(slots=True)
class Derive:
    """A value computed from its parts: f-strings, ``%``, ``+``, arithmetic."""

    parts: tuple[Expr, ...]
    concat: bool = False
    """True when the text is the parts' texts joined (f-strings and ``+``)."""
    formats: bool = False
    """An f-string: each part is formatted (``None`` becomes the text ``'None'``)."""


@dataclass(slots=True)
class Either:
    """One of several values (``a or b``, ``a if c else b``)."""

    options: tuple[Expr, ...]
    truthy: bool = False
    """``a or b``: every option but the last is the result only when it is true (not ``None``)."""


@dataclass(slots=True)
class Pure:
    """A value that carries no request data (comparisons, ``not``); parts still run."""

    parts: tuple[Expr, ...] = ()
    within: int = -1
    """The part a membership test (``k in x``) looks into (``x``), or -1."""
    line: int = 0
    col: int = 0


@dataclass(slots=True)
class Walrus:
    target: str
    value: Expr
    line: int
    col: int


@dataclass(slots=True)
class Imported:
    """What an import statement binds: a module, or ``name`` from ``module``."""

    module: str
    name: str | None
    level: int


@dataclass(slots=True)
class Gen:
    """One ``for target in iter if cond...`` of a comprehension."""

    target: Target
    iter: Expr
    guards: tuple[Guard, ...]
    conds: tuple[Expr, ...]


@dataclass(slots=True)
class Comp:
    kind: str
    """``dict``, ``list``, ``set`` or ``gen``."""
    gens: tuple[Gen, ...]
    key: Expr | None
    value: Expr
    line: int
    col: int


Expr = (
    Const
    | Name
    | Attr
    | Sub
    | Star
    | Call
    | Dict
    | Seq
    | Derive
    | Either
    | Pure
    | Walrus
    | Imported
    | Comp
)


@dataclass(slots=True)
class TupleTarget:
    elts: tuple[Target, ...]


Target = Name | Attr | Sub | TupleTarget


@dataclass(slots=True)
class Guard:
    """A test that narrows a name: ``name in against`` (member) or a key-set check (keys)."""

    name: str
    against: Expr
    positive: bool
    """True: the name is narrowed inside the body; False: after a body that exits."""
    keys: bool = False
    """True for ``set(name) - ALLOWED`` style checks that reject unknown keys."""


@dataclass(slots=True)
class Assign:
    targets: tuple[Target, ...]
    value: Expr
    line: int
    col: int


@dataclass(slots=True)
class Eval:
    value: Expr


@dataclass(slots=True)
class Return:
    value: Expr | None
    line: int = 0
    status: int | None = None
    """An HTTP status literal in the value (``return body, 409``, ``make_response(b, 201)``)."""
    yields: bool = False
    """``yield value`` / ``yield from value``: part of what a generator gives its caller (whose
    loops see each element as the whole), and the function goes on."""


@dataclass(slots=True)
class TextTest:
    """A test of a value against string constants, kept whole so that a dispatch on the
    request's path or method can be decided per route (``path == "/items"``,
    ``method in ("PUT", "PATCH")``, ``path.startswith("/items/")``)."""

    op: str
    """``eq``, ``ne``, ``in``, ``not in`` (the value is one of ``texts``), ``startswith``,
    ``endswith``, ``contains`` (a text is a substring of the value)."""
    subject: Expr
    texts: tuple[str, ...]
    fold: bool = False
    """The subject was ``.lower()`` / ``.upper()``-ed first: compare without case."""


@dataclass(slots=True)
class Junction:
    """``and`` / ``or`` / ``not`` of text tests (``not`` has one part)."""

    op: str
    parts: tuple[Decision, ...]


Decision = TextTest | Junction


@dataclass(slots=True)
class If:
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    guards: tuple[Guard, ...] = ()
    body_exits: bool = False
    """The body ends in return, raise, continue, break or ``abort()``."""
    leaves_loop: bool = False
    """The body ends in ``break`` or ``continue``: what it did reaches the loop's next round or
    the code after the loop, not the code after the ``if``."""
    decision: Decision | None = None
    """The test as text comparisons, when it is made only of them (``dispatch.py`` decides it
    for each route an entry point may serve)."""


@dataclass(slots=True)
class Loop:
    target: Target | None
    iter: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    prunes: tuple[str, Expr] | None = None
    """``for k in list(m.keys()): if k not in ALLOWED: m.pop(k)``: (``m``, ``ALLOWED``); after
    the loop ``m``'s keys are the server's (``source/prune.py``)."""


@dataclass(slots=True)
class With:
    items: tuple[tuple[Expr, Target | None], ...]
    body: tuple[Stmt, ...]


@dataclass(slots=True)
class Try:
    body: tuple[Stmt, ...]
    handlers: tuple[tuple[str | None, tuple[Stmt, ...]], ...]
    orelse: tuple[Stmt, ...]
    final: tuple[Stmt, ...]
    catches: tuple[tuple[Expr | None, int], ...] = ()
    """Per handler: the exception type expression (None for a bare ``except:``) and its line."""


@dataclass(slots=True)
class Branches:
    """``match``: one of the bodies runs, the subject bound to capture names."""

    subject: Expr
    captures: tuple[str, ...]
    bodies: tuple[tuple[Stmt, ...], ...]


@dataclass(slots=True)
class Def:
    """A ``def`` statement: binds the name, runs the decorators in the enclosing scope."""

    name: str
    func_id: str
    decorators: tuple[Expr, ...]
    line: int


@dataclass(slots=True)
class ClassStmt:
    name: str
    class_id: str
    bases: tuple[Expr, ...]
    decorators: tuple[Expr, ...]
    body: tuple[Stmt, ...]
    line: int


Stmt = Assign | Eval | Return | If | Loop | With | Try | Branches | Def | ClassStmt


_T = TypeVar("_T")

Lowered = tuple[tuple[Stmt, ...], frozenset[str]]
"""A function body and what it checks about its values (``validation.py``)."""


class Deferred:
    """A function body lowered on first use: most functions of a project are never analysed
    (``relevance.py``), and lowering them all cost as much as the analysis (docs/benchmarks.md).

    NOTE: the lowering closure holds the function's ``ast`` and is dropped once run, so a
    lowered body pickles (the process pool lowers every body before sending a module back).
    """

    __slots__ = ("_lower", "_value", "too_deep")

    def __init__(self, lower: Callable[[], Lowered] | None, value: Lowered | None = None) -> None:
        self._lower = lower
        self._value = value
        self.too_deep = False
        """Lowering hit the recursion limit: the body is analysed as empty (and reported)."""

    def get(self) -> Lowered:
        if self._value is None:
            if self._lower is None:
                return ((), frozenset())
            try:
                value = self._lower()
            except RecursionError:
                # Not kept: asked again from a shallower stack, lowering may succeed.
                self.too_deep = True
                return ((), frozenset())
            self._lower, self._value, self.too_deep = None, value, False
        return self._value

    @property
    def lowered(self) -> bool:
        return self._value is not None

    def drop(self) -> None:
        """Forget how to lower the body (it refers back to the module's lowering state)."""
        self._lower = None

    def __getstate__(self) -> tuple[Lowered, bool]:
        value = self.get()
        return value, self.too_deep

    def __setstate__(self, state: tuple[Lowered, bool]) -> None:
        self._lower = None
        self._value, self.too_deep = state


@dataclass(slots=True, unsafe_hash=True)
class Function:
    qualname: str
    """``create_user``, ``UserView.post``, ``create_app.index``."""
    params: tuple[str, ...]
    """Every parameter name in order (positional, ``*args``, keyword-only, ``**kwargs``)."""
    positional: int
    """How many leading params take positional arguments."""
    vararg: str | None
    kwarg: str | None
    deferred: Deferred
    line: int
    col: int
    end_line: int
    """Last line of the definition (with ``line``, the source text ``relevance.py`` reads)."""
    class_id: str | None = None
    """Qualname of the class when this is a method."""
    binding: str = "instance"
    """``instance``, ``class`` (classmethod) or ``static`` (staticmethod)."""
    annotations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Parameter -> the dotted names its annotation mentions (``Optional[CardInput]`` ->
    ``Optional``, ``CardInput``): how a typed framework declares what a parameter receives."""

    @property
    def body(self) -> tuple[Stmt, ...]:
        return self.deferred.get()[0]

    @property
    def checked(self) -> frozenset[str]:
        """What the body checks about its values (``validation.py``): ``x``, ``d.f``, ``d[f]``..."""
        return self.deferred.get()[1]


@dataclass(frozen=True, slots=True)
class ClassInfo:
    qualname: str
    methods: tuple[str, ...]
    """Method names defined in the class body."""
    keeps_unknown: bool
    """A pydantic ``extra='allow'`` or marshmallow ``unknown=INCLUDE`` setting: not a sanitiser."""
    line: int
    self_attrs: dict[str, list[str]] = field(default_factory=dict)
    """``self.<attr>`` -> the methods that assign it (so a lookup analyses only those); filled
    as the methods are lowered: read it through ``Module.self_attrs``."""


@dataclass(frozen=True, slots=True)
class Module:
    path: str
    """Path relative to the scanned root, forward slashes."""
    name: str
    """Dotted module name derived from the path."""
    is_package: bool
    source: str
    body: tuple[Stmt, ...]
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    suppressions: dict[int, frozenset[str]] = field(default_factory=dict)
    """Line -> rule ids named by ``# dynaguard: ignore[...]`` on that line."""
    bare_suppressions: tuple[int, ...] = ()
    """Lines with a ``# dynaguard: ignore`` that names no rule (suppresses nothing)."""
    line_starts: list[int] = field(default_factory=list, repr=False, compare=False)
    """Offset of each line in ``source``, computed on first use (``text``)."""
    attrs_ready: set[str] = field(default_factory=set, repr=False, compare=False)
    """Classes whose methods are all lowered, so ``self_attrs`` is complete (asked per lookup)."""

    def function(self, qualname: str) -> Function | None:
        """A function by qualname; a nested one appears once its enclosing function is lowered."""
        return self._find(self.functions, qualname)

    def klass(self, qualname: str) -> ClassInfo | None:
        return self._find(self.classes, qualname)

    def _find(self, table: dict[str, _T], qualname: str) -> _T | None:
        found = table.get(qualname)
        if found is None and "." in qualname:
            parts = qualname.split(".")
            for cut in range(1, len(parts)):  # lower the enclosing functions, outermost first
                outer = self.functions.get(".".join(parts[:cut]))
                if outer is not None:
                    outer.deferred.get()
            found = table.get(qualname)
        return found

    def self_attrs(self, class_qualname: str) -> dict[str, list[str]]:
        """``self.<attr>`` -> the methods of the class that assign it (its methods lowered)."""
        info = self.classes.get(class_qualname)
        if info is None:
            return {}
        if class_qualname not in self.attrs_ready:
            for method in info.methods:
                found = self.functions.get(f"{class_qualname}.{method}")
                if found is not None:
                    found.deferred.get()
            self.attrs_ready.add(class_qualname)
        return info.self_attrs

    def lower_all(self) -> None:
        """Lower every body now, nested ones included (before pickling to another process)."""
        done = 0
        while done != len(self.functions):
            done = len(self.functions)
            for func in list(self.functions.values()):
                func.deferred.get()

    def release(self) -> None:
        """After the run: drop the unlowered bodies, which refer back to the module (a cycle
        that only the garbage collector, walking every live object, would otherwise free)."""
        for func in self.functions.values():
            func.deferred.drop()

    def too_deep(self) -> list[Function]:
        """Functions whose body could not be lowered (nested beyond the recursion limit)."""
        return [f for f in self.functions.values() if f.deferred.too_deep]

    def text(self, func: Function) -> str:
        """The source lines of a definition."""
        starts = self._line_starts()
        end = starts[func.end_line] if func.end_line < len(starts) else len(self.source)
        return self.source[starts[func.line - 1] : end] if func.line <= len(starts) else ""

    def _line_starts(self) -> list[int]:
        if not self.line_starts:
            if "\r" in self.source:
                self.line_starts.extend([0, *(m.end() for m in _NEWLINE.finditer(self.source))])
            else:  # the usual case, in C: each line's start is the lengths before it plus newlines
                lengths = accumulate(map(len, self.source.split("\n")))
                self.line_starts.extend([0, *(end + n for n, end in enumerate(lengths, 1))])
        return self.line_starts


_NEWLINE = re.compile(r"\r\n|\r|\n")
"""Line ends as Python's tokenizer counts them (``ast`` line numbers)."""


def statements(body: tuple[Stmt, ...], *, classes: bool = False) -> Iterator[Stmt]:
    """Every statement of a body, nested blocks included (not nested functions' bodies; class
    bodies when ``classes``)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, If):
            yield from statements(stmt.body, classes=classes)
            yield from statements(stmt.orelse, classes=classes)
        elif isinstance(stmt, (Loop, With)) or (classes and isinstance(stmt, ClassStmt)):
            yield from statements(stmt.body, classes=classes)
        elif isinstance(stmt, Try):
            yield from statements(stmt.body, classes=classes)
            for _, handler in stmt.handlers:
                yield from statements(handler, classes=classes)
