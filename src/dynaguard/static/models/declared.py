"""The user's own model: what ``[tool.dynaguard.models]`` declares about the project's code.

Built from :class:`~dynaguard.static.models.declarations.Declarations` and registered ahead of
the shipped models (``registered.with_declared``), so a declaration wins over what dynaguard
would otherwise guess. It answers for library names on every external call (``call``) and for
the project's own functions before their summary is used (``project_call``):

- a **wrapper** is the boto3 call it stands for (``wrappers.py``). A wrapper the project defines
  is not followed into: the declaration is the whole call, or its write would be reported twice
  (once for the declaration, once for the ``put_item`` in its body);
- an **identity function** returns the identity (its body still runs, e.g. a read of the user);
- an **ownership check** records an ``OWNER`` check of its arguments (``authz.py``), as an
  ``if`` comparing them with the identity and denying would;
- a **validator** marks its arguments (the variables passed) and what it returns as validated;
- **authentication** and **role decorators** are recorded with what they check (``decorate``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from dynaguard.model import ScanWarning
from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.evaluate import evaluate
from dynaguard.static.flow.frame import ANY_PACKAGE, Args, Frame, Model, Source
from dynaguard.static.flow.inputs import VALIDATED
from dynaguard.static.flow.values import IDENTITY, Kind, Step, Value, ref, with_step
from dynaguard.static.models import wrappers
from dynaguard.static.models.authz import Check, Decorator, Guard, add_guard, notes, subjects_of
from dynaguard.static.models.declarations import Declarations, Names, Wrapper, dotted, label
from dynaguard.static.models.guard_reading import position
from dynaguard.static.source import ir

Summary = Callable[[], Value] | None
"""Applies a project function's summary to the call; ``None`` for a library function."""
_IDENTITY = Source(IDENTITY, Kind.VALUE, "identity")


class _Kind(enum.Enum):
    """What a declared function is, other than a wrapper."""

    IDENTITY = "identity function"
    OWNERSHIP = "ownership check"
    VALIDATOR = "validator"


class Declared(Model):
    name = "declared"
    # NOTE: asked about every external call rather than listing packages: a declared name may be
    # the project's own, whose package must stay resolvable to project modules.
    packages = frozenset({ANY_PACKAGE})

    def __init__(self, declarations: Declarations) -> None:
        self.functions: Names[Wrapper | _Kind] = Names(
            [
                *((w.name, w) for w in declarations.wrappers),
                *((n, _Kind.IDENTITY) for n in declarations.identity_functions),
                *((n, _Kind.OWNERSHIP) for n in declarations.ownership_checks),
                *((n, _Kind.VALIDATOR) for n in declarations.validators),
            ]
        )
        self.decorators = Names(
            [
                *((n, frozenset({Check.AUTH})) for n in declarations.authentication_decorators),
                *((n, frozenset({Check.ROLE, Check.AUTH})) for n in declarations.role_decorators),
            ]
        )
        # A function calling a wrapper reaches DynamoDB: worth summarising up front even when no
        # route calls it (a Streams consumer), as one naming ``put_item`` is (``relevance.py``).
        self.relevant_names = frozenset(w.name.rpartition(".")[2] for w in declarations.wrappers)
        owners = {n.rpartition(".")[0] for n in self.functions.names}
        self._classes = Names((o, True) for o in owners if o.rpartition(".")[2][:1].isupper())

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        found = self._answer(frame, name[4:], args, None)  # "ext:lib.save" -> lib.save
        if found is None and self._classes.find(name[4:]):
            return ref(name)  # an instance of a library class with declared methods
        return found

    def project_call(
        self, frame: Frame, fn_id: str, args: Args, summary: Callable[[], Value]
    ) -> Value | None:
        return self._answer(frame, fn_id, args, summary)

    def _answer(self, frame: Frame, called: str, args: Args, summary: Summary) -> Value | None:
        """``called``: a library's dotted name, or a project function's id (with a summary)."""
        name = called.replace(":", ".")  # "shop.store:OrderStore.add" -> shop.store.OrderStore.add
        found = self.functions.find(name)
        if found is None:
            return None
        declared, what = found
        matched(frame.analyzer).add(declared)
        if isinstance(what, Wrapper):
            located = frame.analyzer.project.function(called) if summary is not None else None
            return wrappers.call(frame, what, args, _signature(located[1] if located else None))
        if what is _Kind.IDENTITY:
            if summary is not None:
                summary()  # what the body does besides (a read of the user) still happens
            return _IDENTITY.value(name, args.site)
        if what is _Kind.OWNERSHIP:
            passed = [*args.positional, *args.keywords.values(), *args.spread]
            add_guard(frame, Guard(Check.OWNER, args.site, subjects_of(passed)))
            return summary() if summary is not None else None
        return _validate(frame, name, args, summary)

    def decorate(self, frame: Frame, target: str, decorator: ir.Expr, is_class: bool) -> bool:
        func = decorator.func if isinstance(decorator, ir.Call) else decorator
        spelled = func.id if isinstance(func, ir.Name) else getattr(func, "attr", None)
        if spelled not in self.decorators.last_parts:
            return False  # most decorators: no evaluation needed to know they are not declared
        refs = evaluate(frame, func).refs
        found = [self.decorators.find(d) for d in map(dotted, refs) if d is not None]
        checks = frozenset().union(*(f[1] for f in found if f is not None))
        if checks:
            matched(frame.analyzer).update(f[0] for f in found if f is not None)
            site = frame.step(*position(decorator), "decorator")
            entry = Decorator(refs, (), site, checks)
            notes(frame.analyzer).decorators.setdefault(target, []).append(entry)
        return False  # routes, injected arguments and the authorization notes still see it

    def unmatched(self, analyzer: Analyzer) -> list[ScanWarning]:
        """A warning per declared name that nothing in the scanned code called or applied (a
        typo, or a module named otherwise from the scanned root)."""
        seen = matched(analyzer)
        return [
            ScanWarning(
                f"the declared {name} matched no call or decorator in the scanned code"
                " (a declared name must end the dotted name the code imports)"
            )
            for name in sorted((self.functions.names | self.decorators.names) - seen)
        ]


def matched(analyzer: Analyzer) -> set[str]:
    """The declared names something in this run called or applied."""
    return analyzer.memo("declared.matched", set)


def _signature(func: ir.Function | None) -> tuple[str, ...] | None:
    """The positional parameters a caller fills, ``self`` or ``cls`` left out."""
    if func is None:
        return None
    params = func.params[: func.positional]
    bound = func.class_id is not None and func.binding != "static"
    return params[1:] if bound else params


def _validate(frame: Frame, name: str, args: Args, summary: Summary) -> Value:
    """Mark what the validator was given (the variables passed) and what it returns."""
    site = args.site
    step = frame.step(site.line, site.col, f"{label(name)}(...)", VALIDATED)
    for expr in (*args.call.args, *(v for _, v in args.call.kwargs)):
        if isinstance(expr, ir.Name):
            frame.env[expr.id] = _validated(frame.lookup(expr.id), step)
    returned = summary() if summary is not None else args.first()
    return _validated(returned, step)


def _validated(value: Value, step: Step) -> Value:
    """``value`` with a validation step on every flow in it, its fields' included."""
    if not value.fields:
        return with_step(value, step)
    fields = {n: _validated(f, step) for n, f in value.fields.items()}
    marked = with_step(value, step)
    return Value(marked.labels, value.refs, fields, value.text)
