"""Work handed to a thread or an executor runs the function it is given: ``threading.Thread(
target=f, args=(a, b))`` and ``executor.submit(f, a, b)`` call ``f(a, b)``, as if called there.

A handler that updates each line of a basket in its own thread still makes those writes, in the
loop that starts the threads (DG501 counts them as one operation's writes, DG401 sees them).
"""

from __future__ import annotations

from dynaguard.static.flow.calls import function_call
from dynaguard.static.flow.evaluate import evaluate
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.values import Value
from dynaguard.static.source import ir

_THREADS = frozenset({"ext:threading.Thread", "ext:threading.Timer", "ext:multiprocessing.Process"})


class Threads(Model):
    name = "threads"
    packages = frozenset({"threading", "multiprocessing"})
    method_names = frozenset({"submit"})

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        target = args.keywords.get("target")
        if name not in _THREADS or target is None or not _project_function(target):
            return None
        passed = Args(_elements(frame, args.call, "args"), {}, [], (frame, args.call))
        function_call(frame, args.call, target, passed)
        return Value()

    def named_method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        """``executor.submit(f, *args, **kwargs)``: ``f`` runs with the rest of the arguments."""
        if not args.positional or not _project_function(args.positional[0]):
            return None
        rest = Args(args.positional[1:], args.keywords, args.spread, (frame, args.call))
        function_call(frame, args.call, args.positional[0], rest)
        return Value()


def _project_function(value: Value) -> bool:
    return any(r.startswith("fn:") for r in value.refs)


def _elements(frame: Frame, call: ir.Call, keyword: str) -> list[Value]:
    """The values of a tuple or list display passed as ``keyword``, one per position (the
    analysis joins a container's elements: the position is what binds each parameter)."""
    for name, expr in call.kwargs:
        if name == keyword and isinstance(expr, ir.Seq):
            return [evaluate(frame, e) for e in expr.elts]
    return []


MODEL = Threads()
