"""The analyzer: each module body and function analysed once, on demand, into a summary.

Summaries are computed when first needed (a call, an import, a class lookup) and memoised; a
function already being analysed (recursion) is seen as doing nothing. There is no fixpoint to
iterate: parameter labels make a summary independent of its callers (see ``values.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from dynaguard.model import ScanWarning
from dynaguard.static import identity, ir
from dynaguard.static.events import Event
from dynaguard.static.frame import EMPTY_RESULT, Frame, Result
from dynaguard.static.project import Project
from dynaguard.static.values import (
    EMPTY,
    ID_T,
    LabelKey,
    Trace,
    Value,
    compose_ids,
    concat,
    image,
    is_dead,
    join,
    only_client,
    param_value,
    ref,
)

T = TypeVar("T")

CLASS_KINDS = {
    "ext:pynamodb.models.Model": "pynamo",
    "ext:pydantic.BaseModel": "pydantic",
    "ext:pydantic.main.BaseModel": "pydantic",
    "ext:flask.views.MethodView": "view",
    "ext:flask.views.View": "view",
    "ext:flask_restful.Resource": "resource",
    "ext:flask_restx.Resource": "resource",
    "ext:flask_restplus.Resource": "resource",
}


@dataclass(slots=True)
class ClassFacts:
    cls_id: str
    info: ir.ClassInfo
    kinds: frozenset[str]
    """``pynamo``, ``pydantic``, ``schema``, ``view``, ``resource``."""
    bases: tuple[str, ...]
    """Project base classes, in order."""
    env: dict[str, Value] = field(default_factory=dict)


class Analyzer:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.results: dict[str, Result] = {}
        self.module_envs: dict[str, dict[str, Value]] = {}
        self.classes: dict[str, ClassFacts] = {}
        self.warnings: list[ScanWarning] = []
        self._busy: set[str] = set()
        self._memo: dict[str, object] = {}

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """What ``make`` computes for this run, computed once (facts the rules share).

        NOTE: kept on the analyzer, not in a module-level cache keyed by it: a cached value that
        refers back to the analyzer kept every run alive (and the collector walking it).
        """
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = make()
        return cast(T, found)

    def close(self) -> None:
        """Drop what refers back to the run, so reference counting frees it all at once."""
        self._memo.clear()

    # -- bodies -------------------------------------------------------------------------------

    def module_result(self, name: str) -> Result:
        fn_id = f"{name}:<module>"
        if fn_id in self.results or fn_id in self._busy:
            return self.results.get(fn_id, EMPTY_RESULT)
        module = self.project.modules[name]
        frame = Frame(self, module, fn_id, "<module>")
        self.module_envs[name] = frame.env  # visible while running, for import cycles
        result = self._run(fn_id, frame, module.body)
        # `if`, `try` and loops replace frame.env with a joined copy: keep the final globals
        # (a module-level `if TYPE_CHECKING:` would otherwise hide every later binding).
        self.module_envs[name] = frame.env
        return result

    def function_result(self, fn_id: str) -> Result:
        if fn_id in self.results or fn_id in self._busy:
            return self.results.get(fn_id, EMPTY_RESULT)
        found = self.project.function(fn_id)
        if found is None:
            return EMPTY_RESULT
        module, func = found
        self.module_result(module.name)  # globals first
        frame = Frame(self, module, fn_id, func.qualname)
        frame.class_id = f"{module.name}:{func.class_id}" if func.class_id else None
        for index, name in enumerate(func.params):
            step = frame.step(func.line, func.col, f"parameter {name}")
            frame.env[name] = param_value(index, step, self._param_refs(frame, func, index))
        body = func.body
        if func.deferred.too_deep:
            return self._give_up(fn_id, frame)
        return self._run(fn_id, frame, body)

    def _run(self, fn_id: str, frame: Frame, body: tuple[ir.Stmt, ...]) -> Result:
        from dynaguard.static.interp import exec_block

        self._busy.add(fn_id)
        try:
            exec_block(frame, body)
            result = frame.result()
        except RecursionError:
            return self._give_up(fn_id, frame)
        finally:
            self._busy.discard(fn_id)
        self.results[fn_id] = result
        return result

    def _give_up(self, fn_id: str, frame: Frame) -> Result:
        message = f"{frame.qualname} is nested too deeply to analyse"
        self.warnings.append(ScanWarning(message, path=frame.module.path))
        self.results[fn_id] = EMPTY_RESULT
        return EMPTY_RESULT

    def _param_refs(self, frame: Frame, func: ir.Function, index: int) -> frozenset[str]:
        if index != 0 or frame.class_id is None or func.binding == "static":
            return frozenset()
        return frozenset({("inst:" if func.binding == "instance" else "cls:") + frame.class_id})

    # -- names ---------------------------------------------------------------------------------

    def global_value(self, module: str, name: str) -> Value:
        if module not in self.module_envs:
            if module not in self.project.modules:
                return EMPTY
            self.module_result(module)
        return self.module_envs[module].get(name, EMPTY)

    def module_attr(self, module: str, name: str) -> Value:
        submodule = f"{module}.{name}"
        if submodule in self.project.modules:
            return ref(f"mod:{submodule}")
        return self.global_value(module, name)

    def import_value(self, importer: ir.Module, imp: ir.Imported) -> Value:
        dotted = self.project.absolute(importer, imp.module, imp.level)
        found = self.project.find_module(dotted) if dotted else None
        if imp.name is None:
            return ref(f"mod:{found}") if found else ref(f"ext:{dotted}")
        if found is None:
            name = f"ext:{dotted}.{imp.name}"
            return identity.imported(importer.path, name) or ref(name)
        return self.module_attr(found, imp.name)

    # -- classes -------------------------------------------------------------------------------

    def register_class(
        self, cls_id: str, info: ir.ClassInfo, bases: Sequence[Value], env: dict[str, Value]
    ) -> None:
        kinds: set[str] = set()
        project_bases: list[str] = []
        for base in bases:
            for name in sorted(base.refs):
                if name.startswith("cls:"):
                    project_bases.append(name[4:])
                    facts = self.class_facts(name[4:])
                    kinds |= facts.kinds if facts else set()
                elif name in CLASS_KINDS:
                    kinds.add(CLASS_KINDS[name])
                elif name.startswith(
                    ("ext:marshmallow", "ext:flask_marshmallow")
                ) and name.endswith("Schema"):
                    kinds.add("schema")
        self.classes[cls_id] = ClassFacts(cls_id, info, frozenset(kinds), tuple(project_bases), env)

    def class_facts(self, cls_id: str) -> ClassFacts | None:
        if cls_id not in self.classes:
            owner = self._owner(cls_id)
            if owner is not None:
                self.function_result(owner)
            elif cls_id.partition(":")[0] in self.project.modules:
                self.module_result(cls_id.partition(":")[0])
        return self.classes.get(cls_id)

    def _owner(self, cls_id: str) -> str | None:
        """The function whose body defines a nested class, if any."""
        module, _, qualname = cls_id.partition(":")
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            candidate = f"{module}:{'.'.join(parts[:cut])}"
            if self.project.function(candidate) is not None:
                return candidate
        return None

    def mro(self, cls_id: str) -> list[ClassFacts]:
        out: list[ClassFacts] = []
        pending = [cls_id]
        while pending:
            facts = self.class_facts(pending.pop(0))
            if facts is not None and facts not in out:
                out.append(facts)
                pending.extend(facts.bases)
        return out

    def find_method(self, cls_id: str, name: str) -> str | None:
        for facts in self.mro(cls_id):
            if name in facts.info.methods:
                return f"{facts.cls_id.partition(':')[0]}:{facts.info.qualname}.{name}"
        return None

    def class_attr(self, cls_id: str, name: str) -> Value:
        for facts in self.mro(cls_id):
            if name in facts.env:
                return facts.env[name]
        return EMPTY

    def instance_attr(self, cls_id: str, name: str) -> Value:
        """``self.name`` as set in the class body or in the methods that assign it."""
        found = self.class_attr(cls_id, name)
        for facts in self.mro(cls_id):
            module = facts.cls_id.partition(":")[0]
            owner = self.project.modules.get(module)
            assigned = owner.self_attrs(facts.info.qualname) if owner else facts.info.self_attrs
            for method in assigned.get(name, ()):
                result = self.function_result(f"{module}:{facts.info.qualname}.{method}")
                stored = result.self_fields.get(name)
                if stored is not None:
                    found = join(
                        found, Value(only_client(stored).labels, stored.refs, None, stored.text)
                    )
        return found


def instantiate(value: Value, args: Sequence[Value]) -> Value:
    """A callee's value (return or sink argument) with its parameter labels replaced by ``args``."""
    if not value.labels and not value.fields:
        return value
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
    return join(Value(labels, value.refs, fields, value.text), passed)


def instantiate_event(event: Event, args: Sequence[Value]) -> Event:
    return Event(
        event.op,
        event.api,
        event.site,
        {n: instantiate(v, args) for n, v in event.args.items()},
        event.caught,
    )
