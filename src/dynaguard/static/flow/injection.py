"""Arguments a project decorator adds to a view's call: ``kwargs['table_name'] =
request.args.get('table_name')`` or ``kwargs['dynamodb'] = make_resource()`` in its wrapper, then
``view(*args, **kwargs)``.

Flask calls a route handler with its URL variables only; what else its parameters hold is what its
decorators put in ``kwargs``. The wrapper's assignments are evaluated where the wrapper is
written (the decorator's module): a request read there is request data, a project call there is
what that function returns. A key in a variable (``for name in names: kwargs[name] = ...``) stands
for each string the decorator factory was given (``@require_params('table_name')``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.evaluate import evaluate
from dynaguard.static.flow.frame import Frame, Model
from dynaguard.static.flow.values import EMPTY, Value, join
from dynaguard.static.source import ir

_KWARGS = re.compile(r"\*\*(\w+)\s*\)")
_MAX_WRAPPERS = 8
"""Nested functions read per decorator: a decorator is a couple of them deep."""


def injected_arguments(
    analyzer: Analyzer, models: Model, decorators: Iterable[tuple[frozenset[str], tuple[str, ...]]]
) -> dict[str, Value]:
    """Parameter name -> what the given decorators of a handler pass it. Each decorator is
    what it resolved to where it is applied (its refs) and the constant strings of its call."""
    if not analyzer.memo("injecting", lambda: _any_injection(analyzer)):
        return {}  # no function of the project writes into its ``**kwargs``
    out: dict[str, Value] = {}
    for refs, texts in decorators:
        for name in sorted(refs):
            if name.startswith("fn:"):
                for param, value in _assigned(analyzer, models, name[3:], list(texts)):
                    out[param] = join(out.get(param, EMPTY), value)
    return out


def _any_injection(analyzer: Analyzer) -> bool:
    """Some module defines ``def f(..., **kw)`` and assigns ``kw[...] = ...``: the cheap text
    test that spares resolving every handler's decorators in most projects."""
    for module in analyzer.project.modules.values():
        for name in set(_KWARGS.findall(module.source)):
            if re.search(rf"\b{re.escape(name)}\[[^\]\n]+\]\s*=[^=]", module.source):
                return True
    return False


def _assigned(
    analyzer: Analyzer, models: Model, fn_id: str, given: list[str]
) -> Iterator[tuple[str, Value]]:
    """(parameter, value) for each ``kwargs[...] = value`` in the decorator's wrappers."""
    found = analyzer.project.function(fn_id)
    if found is None:
        return
    module, outer = found
    pending, seen = [outer], 0
    while pending and seen < _MAX_WRAPPERS:
        func = pending.pop()
        seen += 1
        body = func.body  # lowering reveals the functions nested in it
        prefix = f"{func.qualname}."
        pending += [
            f
            for q, f in module.functions.items()
            if q.startswith(prefix) and "." not in q[len(prefix) :]
        ]
        if func.kwarg is None:
            continue
        frame = Frame(analyzer, models, module, f"{module.name}:{func.qualname}", func.qualname)
        for stmt in ir.statements(body):
            if not isinstance(stmt, ir.Assign):
                continue
            for target in stmt.targets:
                if not (
                    isinstance(target, ir.Sub)
                    and isinstance(target.obj, ir.Name)
                    and target.obj.id == func.kwarg
                ):
                    continue
                index = target.index
                names = [index.text] if isinstance(index, ir.Const) and index.text else given
                value = evaluate(frame, stmt.value)
                for name in names:
                    yield name, value
