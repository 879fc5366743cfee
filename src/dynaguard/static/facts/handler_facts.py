"""What request handlers check and handle, for the rules about input (DG301, DG302).

- which flow steps are validated: a variable or field that its function checks
  (``ir.Function.checked``, see ``validation.py``), a schema, a handled conversion;
- which exceptions the app turns into a 4xx with ``@app.errorhandler(X)`` or
  ``register_error_handler(X, f)`` (a handler that answers 5xx handles nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

from dynaguard.static.flow.exceptions import BROAD, type_names
from dynaguard.static.flow.inputs import FIELD, TYPED, VALIDATED
from dynaguard.static.flow.values import Step, Trace
from dynaguard.static.models import aws_lambda, chalice, flask, powertools
from dynaguard.static.source import ir
from dynaguard.static.source.lower import named_status
from dynaguard.static.source.project import Project

JSON_SOURCES = (
    flask.PLAIN_MAPPINGS
    | chalice.PLAIN_MAPPINGS
    | powertools.PLAIN_MAPPINGS
    | aws_lambda.PLAIN_MAPPINGS
)
"""Request mappings where a missing key is a plain KeyError (a 500), such as a JSON body; each
model names the ones it makes (Flask's ``request.form['x']`` and ``request.args['x']`` raise
werkzeug's BadRequestKeyError instead, which Flask answers 400)."""
_REGISTERS = ("errorhandler", "register_error_handler")
"""Text every error handler registration contains (``_registration``): substring tests, many
times faster than a regex alternation over every module's source."""
_INTERNAL_ERROR = 500
_FIELD = re.compile(r"^([A-Za-z_]\w*)(?:\[|\.get\(|\.pop\()(['\"])(.*)\2")


def field_of(step: Step) -> tuple[str, str] | None:
    """(root variable, field) of a field step such as ``body.get('title')``."""
    if step.origin != FIELD:
        return None
    found = _FIELD.match(step.note)
    return (found.group(1), found.group(3)) if found else None


def is_json(trace: Trace) -> bool:
    """The flow starts at a JSON body (or a string that ``json.loads`` parsed)."""
    return bool(trace) and (
        trace[0].note in JSON_SOURCES or any(s.note == "json.loads(...)" for s in trace)
    )


class Facts:
    """Lookups over one project's lowered functions."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._by_path = {m.path: m for m in project.modules.values()}

    def source(self, path: str) -> str | None:
        """The text of the module at ``path``."""
        module = self._by_path.get(path)
        return module.source if module is not None else None

    def checked(self, step: Step) -> frozenset[str]:
        """The facts of the function a step is in."""
        module = self._by_path.get(step.path)
        func = module.function(step.function) if module else None
        return func.checked if func is not None else frozenset()

    def validated(self, trace: Trace) -> Step | None:
        """The first step where the flow's value is type-, range- or format-checked.

        A variable before the field read is the mapping the value came from: checking that it
        is a dict validates no field, only a validator call on it (``d.*``) does.
        """
        fields = [i for i, step in enumerate(trace) if step.origin == FIELD]
        read = fields[-1] if fields else -1
        for index, step in enumerate(trace):
            if step.origin in (VALIDATED, "declared"):
                return step
            facts = self.checked(step)
            name = _variable(step)
            if not facts:
                continue
            if name is not None and (name if index > read else f"{name}.*") in facts:
                return step
            found = field_of(step)
            if found and ({f"{found[0]}.{found[1]}", f"{found[0]}.*"} & facts):
                return step
        return None

    def numeric(self, trace: Trace) -> Step | None:
        """The first step after which the flow's value is known to be a number whose range
        nothing checked: an ``isinstance(x, int)`` (``x#``), a handled conversion or a typed
        GraphQL argument (``TYPED``). ``validated`` says whether a range check follows."""
        fields = [i for i, step in enumerate(trace) if step.origin == FIELD]
        read = fields[-1] if fields else -1
        for index, step in enumerate(trace):
            if step.origin == TYPED:
                return step
            facts = self.checked(step)
            if not facts:
                continue
            name = _variable(step)
            if name is not None and index > read and f"{name}#" in facts:
                return step
            found = field_of(step)
            if found and f"{found[0]}.{found[1]}#" in facts:
                return step
        return None

    def nonempty(self, trace: Trace) -> bool:
        """Some variable the flow passes through is tested for being there and not empty; or the
        request attribute it starts from (``if request.json_body:`` guards a later
        ``request.json_body.get(...)``: each access reads the same attribute)."""
        if any(
            (name := _variable(step)) is not None and f"{name}!" in self.checked(step)
            for step in trace
        ):
            return True
        source = trace[0] if trace else None
        if source is None or "." not in source.note or not source.note.isascii():
            return False
        attribute = "." + source.note.rpartition(".")[2] + "!"
        return any(fact.endswith(attribute) for fact in self.checked(source))

    def present(self, step: Step, root: str, key: str) -> bool:
        """The function at ``step`` makes sure ``root[key]`` exists before reading it."""
        facts = self.checked(step)
        return bool({f"{root}[{key}]", f"{root}[*]", f"{root}.{key}", f"{root}.*"} & facts)

    @cached_property
    def app_handled(self) -> frozenset[str]:
        """Exceptions an app-level error handler answers with a status below 500."""
        out: set[str] = set()
        for module, types, handler in _registrations(self._project):
            func = _function(module, handler)
            if func is None or _answers_4xx(func):
                out |= types
        return frozenset(out)


def _variable(step: Step) -> str | None:
    note = step.note.removeprefix("parameter ")
    return note if note.isidentifier() else None


def _registrations(project: Project) -> Iterator[tuple[ir.Module, frozenset[str], str]]:
    """(module, exception types, handler function name or id) of every error handler."""
    for module in project.modules.values():
        if not _registers(module.source):
            continue  # no body of it registers one: leave its functions unlowered
        registering = (f for f in module.functions.values() if _registers(module.text(f)))
        for body in [module.body, *(f.body for f in registering)]:
            for stmt in ir.statements(body, classes=True):
                yield from _registration(module, stmt)


def _registers(text: str) -> bool:
    return any(word in text for word in _REGISTERS)


def _registration(
    module: ir.Module, stmt: ir.Stmt
) -> Iterator[tuple[ir.Module, frozenset[str], str]]:
    if isinstance(stmt, ir.Def):
        for decorator in stmt.decorators:
            types = _registered(decorator, "errorhandler", "app_errorhandler")
            if types is not None:
                yield module, types, stmt.func_id
    elif isinstance(stmt, ir.Eval) and isinstance(stmt.value, ir.Call):
        call = stmt.value
        types = _registered(call, "register_error_handler")
        handler = call.args[1] if len(call.args) > 1 else None
        if types is not None and isinstance(handler, ir.Name):
            yield module, types, handler.id


def _registered(expr: ir.Expr, *methods: str) -> frozenset[str] | None:
    if not (isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attr) and expr.args):
        return None
    if expr.func.attr not in methods:
        return None
    first = expr.args[0]
    if isinstance(first, ir.Const) and first.number == _INTERNAL_ERROR:
        # Flask hands every unhandled exception to the 500 handler (as InternalServerError).
        return BROAD
    return type_names(first)


def _function(module: ir.Module, name: str) -> ir.Function | None:
    found = module.function(name)
    if found is not None:
        return found
    return next((f for q, f in module.functions.items() if q.endswith(f".{name}")), None)


def _answers_4xx(func: ir.Function) -> bool:
    """A handler that states only 5xx statuses turns nothing into a client error (in its
    ``return`` or by setting ``response.status_code``)."""
    known: list[int] = []
    for stmt in ir.statements(func.body, classes=True):
        if isinstance(stmt, ir.Return) and stmt.status is not None:
            known.append(stmt.status)
        elif isinstance(stmt, ir.Assign) and any(
            isinstance(t, ir.Attr) and t.attr == "status_code" for t in stmt.targets
        ):
            status = _status_value(stmt.value)
            known += [status] if status is not None else []
    return not known or any(s < 500 for s in known)


def _status_value(expr: ir.Expr) -> int | None:
    if isinstance(expr, ir.Const):
        return expr.number if expr.number is not None and expr.number >= 100 else None
    return named_status(expr.attr) if isinstance(expr, ir.Attr) else None
