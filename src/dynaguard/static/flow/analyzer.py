"""The analyzer: each module body and function analysed once, on demand, into a summary.

Summaries are computed when first needed (a call, an import, a class lookup) and memoised; a
function already being analysed (recursion) is seen as doing nothing. There is no fixpoint to
iterate: parameter labels make a summary independent of its callers (see ``values.py``).

The analyzer keeps the results and the project-wide state (module globals, classes); running a
body is the interpreter's (``interp.Interpreter``), handed in when the run is set up, so this
module knows nothing of frames, statements or models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast

from dynaguard.model import ScanWarning
from dynaguard.static.flow.budget import OverBudget
from dynaguard.static.flow.result import EMPTY_RESULT, Result
from dynaguard.static.flow.values import EMPTY, Value, join, only_client, ref
from dynaguard.static.source import ir
from dynaguard.static.source.lower import STAR
from dynaguard.static.source.project import Project

T = TypeVar("T")
INHERITED = "@"
"""In a result key: ``fn_id@cls_id`` is the summary of a method as ``cls_id`` inherits it."""
BOUND = "~"
"""In a result key: ``fn_id~...`` is the summary with some parameters bound to objects."""
Bound = tuple[tuple[int, frozenset[str]], ...]
"""(parameter index, the refs of the object it holds), by index."""
TEXT = "text="
"""Bound to a parameter: the constant string the call passes (``_get_lists('owner', ...)``)."""
FIELD = "field:"
"""Bound to a parameter: a constant string field of the mapping the call passes
(``run({'operation': 'update', ...})``), as ``field:<name>=<text>``."""


def base_id(key: str) -> str:
    """The function id of a result key (``fn_id``, ``fn_id@cls``, ``fn_id~...``)."""
    return key.partition(BOUND)[0].partition(INHERITED)[0]


@dataclass(slots=True)
class ClassFacts:
    cls_id: str
    info: ir.ClassInfo
    kinds: frozenset[str]
    """What models say instances are (``pynamo``, ``pydantic``, ``schema``, ``view``...)."""
    bases: tuple[str, ...]
    """Project base classes, in order."""
    env: dict[str, Value] = field(default_factory=dict)
    plain: bool = False
    """Every base is a project class (or none is named): no library class (a form, a schema,
    an ORM model) fills its class-level declarations from data."""


class Body(Protocol):
    """How the interpreter runs one body for the analyzer (``interp.Interpreter``)."""

    def run_module(self, analyzer: Analyzer, name: str) -> Result:
        """Run a module's body; its globals end up in ``analyzer.module_envs[name]``."""
        ...

    def run_function(
        self, analyzer: Analyzer, fn_id: str, self_class: str | None, bound: Bound
    ) -> Result:
        """Run a function's body with its parameters bound to parameter labels; a method
        inherited by ``self_class`` runs with ``self`` (or ``cls``) of that class."""
        ...


class Analyzer:
    def __init__(self, project: Project, body: Body) -> None:
        self.project = project
        self.results: dict[str, Result] = {}
        self.module_envs: dict[str, dict[str, Value]] = {}
        self.classes: dict[str, ClassFacts] = {}
        self.warnings: list[ScanWarning] = []
        self._body = body
        self._busy: set[str] = set()
        self._memo: dict[str, object] = {}
        self.default_bound: dict[str, Bound] = {}
        self.receivers: dict[str, tuple[frozenset[int], frozenset[int], frozenset[int]]] = {}
        """Per function, the parameters its body calls methods on, those it also subscripts,
        spreads or searches, and those it falls back from (``name or default``): ``calls._bound``."""
        self.name_params: dict[str, dict[int, dict[str, frozenset[str]]]] = {}
        """Per function, the parameters its body uses as names, and the fields it reads of them
        (``calls._named_texts``)."""
        self.bound_seen: dict[str, set[Bound]] = {}
        """Per function, the parameter bindings it was summarised for (a few at most)."""
        self._class_level: dict[tuple[str, str], bool] = {}
        self.injected: dict[tuple[str, str], Value] = {}
        """(class id, attribute) -> objects a method stored there from its arguments
        (``manager.initialise(connections)`` sets ``self.cm``)."""

    def inject(self, cls_id: str, name: str, value: Value) -> None:
        key = (cls_id, name)
        self.injected[key] = join(self.injected.get(key, EMPTY), value)

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
        return self._run(fn_id, module, "<module>", lambda: self._body.run_module(self, name))

    def function_result(
        self, fn_id: str, self_class: str | None = None, bound: Bound | None = None
    ) -> Result:
        """The summary of a function; of a method as inherited by ``self_class`` when given
        (``self.table`` may be the subclass's, ``cls.get`` reads the subclass's model); with
        the objects ``bound`` parameters hold (a table passed to a helper), when given.

        A route handler's parameters filled by its decorators are bound by default
        (``default_bound``)."""
        if bound is None:
            bound = self.default_bound.get(fn_id, ()) if self.default_bound else ()
        key = fn_id if self_class is None else f"{fn_id}{INHERITED}{self_class}"
        if bound:
            key = f"{key}{BOUND}{bound!r}"
        if key in self.results or key in self._busy:
            return self.results.get(key, EMPTY_RESULT)
        found = self.project.function(fn_id)
        if found is None:
            return EMPTY_RESULT
        module, func = found
        self.module_result(module.name)  # globals first
        if func.deferred.too_deep:
            return self._give_up(key, module, func.qualname)
        run = self._body.run_function
        return self._run(key, module, func.qualname, lambda: run(self, fn_id, self_class, bound))

    def method(self, cls_id: str, name: str) -> tuple[str, str | None] | None:
        """The function ``cls_id``'s ``name`` resolves to, and the class to specialise it for
        (``None`` when the class defines it itself)."""
        fn_id = self.find_method(cls_id, name)
        if fn_id is None:
            return None
        defining = fn_id.rpartition(".")[0]
        return fn_id, (None if defining == cls_id else cls_id)

    def _run(
        self, fn_id: str, module: ir.Module, qualname: str, run: Callable[[], Result]
    ) -> Result:
        self._busy.add(fn_id)
        try:
            result = run()
        except RecursionError:
            return self._give_up(fn_id, module, qualname)
        except OverBudget as exc:  # raised by this function's own frame: callees catch theirs
            why = (
                f"{qualname} ran past its analysis budget ({exc.limit:,} statements run): "
                "findings in it may be missing"
            )
            return self._give_up(fn_id, module, qualname, message=why)
        finally:
            self._busy.discard(fn_id)
        self.results[fn_id] = result
        return result

    def _give_up(self, fn_id: str, module: ir.Module, qualname: str, message: str = "") -> Result:
        message = message or f"{qualname} is nested too deeply to analyse"
        self.warnings.append(ScanWarning(message, path=module.path))
        self.results[fn_id] = EMPTY_RESULT
        return EMPTY_RESULT

    # -- names ---------------------------------------------------------------------------------

    def global_value(self, module: str, name: str) -> Value:
        if module not in self.module_envs:
            if module not in self.project.modules:
                return EMPTY
            self.module_result(module)
        env = self.module_envs[module]
        found = env.get(name)
        if found is not None:
            return found
        return self.starred(env, name, {module}) if STAR in env else EMPTY

    def starred(self, env: dict[str, Value], name: str, seen: set[str]) -> Value:
        """``name`` as the module's star imports bring it in (their public names)."""
        if name.startswith("_"):
            return EMPTY
        for ref_name in sorted(env[STAR].refs):
            other = ref_name.removeprefix("mod:")
            if other in seen or other not in self.project.modules:
                continue
            seen.add(other)
            if other not in self.module_envs:
                self.module_result(other)
            inner = self.module_envs.get(other, {})
            found = inner.get(name)
            if found is None and STAR in inner:
                found = self.starred(inner, name, seen)
            if found:
                return found
        return EMPTY

    def module_attr(self, module: str, name: str) -> Value:
        submodule = f"{module}.{name}"
        if submodule not in self.project.modules:
            return self.global_value(module, name)
        # A package's own binding replaces the submodule attribute its import set:
        # ``from .game import *`` in ``views/__init__.py`` makes ``views.game`` the function.
        bound = self.global_value(module, name)
        return bound if bound else ref(f"mod:{submodule}")

    # -- classes -------------------------------------------------------------------------------

    def register_class(
        self,
        cls_id: str,
        info: ir.ClassInfo,
        kinds: frozenset[str],
        bases: tuple[str, ...],
        env: dict[str, Value],
        *,
        plain: bool = False,
    ) -> None:
        self.classes[cls_id] = ClassFacts(cls_id, info, kinds, bases, env, plain)

    def class_facts(self, cls_id: str) -> ClassFacts | None:
        if cls_id not in self.classes:
            owner = self._owner(cls_id)
            if owner is not None:
                self.function_result(owner)
            elif cls_id.partition(":")[0] in self.project.modules:
                self.module_result(cls_id.partition(":")[0])
        return self.classes.get(cls_id)

    def kinds(self, cls_id: str) -> frozenset[str]:
        facts = self.class_facts(cls_id)
        return facts.kinds if facts else frozenset()

    def keeps_unknown(self, cls_id: str) -> bool:
        """A schema class (or a base) that keeps fields it does not declare."""
        facts = self.class_facts(cls_id)
        return bool(facts and any(f.info.keeps_unknown for f in self.mro(cls_id)))

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

    def class_level(self, cls_id: str, name: str) -> bool:
        """Whether ``name`` on an instance of a plain project class (``ClassFacts.plain`` all
        along its bases) is bound in a class body and set on ``self`` by no method: a constant
        of the class (a validation table, a field list), not data the constructor stored."""
        key = (cls_id, name)
        found = self._class_level.get(key)
        if found is None:
            chain = self.mro(cls_id)
            found = (
                bool(chain)
                and all(facts.plain for facts in chain)
                and any(name in facts.env for facts in chain)
                and not any(name in self._assigned(facts) for facts in chain)
            )
            self._class_level[key] = found
        return found

    def _assigned(self, facts: ClassFacts) -> dict[str, list[str]]:
        """``self.<attr>`` -> the methods of the class that assign it."""
        owner = self.project.modules.get(facts.cls_id.partition(":")[0])
        return owner.self_attrs(facts.info.qualname) if owner else facts.info.self_attrs

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
            assigned = self._assigned(facts)
            injected = self.injected.get((facts.cls_id, name))
            if injected is not None:
                found = join(found, injected)
            for method in assigned.get(name, ()):
                result = self.function_result(f"{module}:{facts.info.qualname}.{method}")
                stored = result.self_fields.get(name)
                if stored is not None:
                    found = join(
                        found, Value(only_client(stored).labels, stored.refs, None, stored.text)
                    )
        return found
