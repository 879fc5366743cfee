"""The webargs model: ``parser.parse(...)`` returns declared request fields, and
``@use_args`` / ``@use_kwargs`` fill a handler's parameters with them."""

from __future__ import annotations

from dynaguard.static.flow.evaluate import evaluate
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.values import Kind, Value
from dynaguard.static.models.flask import source_at
from dynaguard.static.source import ir


def _injected(func: Value) -> str:
    for name in func.refs:
        if name.startswith("ext:webargs") and name.endswith("use_args"):
            return "FIELDS"
        if name.startswith("ext:webargs") and name.endswith("use_kwargs"):
            return "VALUE"
    return ""


class Webargs(Model):
    name = "webargs"
    packages = frozenset({"webargs"})

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name == "ext:webargs.flaskparser.parser.parse":
            return source_at(args, Kind.FIELDS, "parser.parse()", "declared")
        return None

    def decorate(self, frame: Frame, target: str, decorator: ir.Expr, is_class: bool) -> bool:
        if not isinstance(decorator, ir.Call):
            return False
        injected = _injected(evaluate(frame, decorator.func))
        if injected:
            frame.injected.append((target, injected))
        return bool(injected)


MODEL = Webargs()
