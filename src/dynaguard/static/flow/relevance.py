"""Which functions the engine summarises up front; the others only when a summarised body calls
them, which is the only way their summary can reach a finding.

A function is summarised up front when its source names something the rules are about:

- a DynamoDB operation (``put_item``..., or a key condition: ``query`` alone is SQLAlchemy's as
  often), a Streams batch (``Records``) or a route registration;
- a global of its module that holds request data or the identity, a third-party object (Flask,
  boto3, PynamoDB...), a DynamoDB handle, or a project function, class or module that is itself
  summarised up front (a fixpoint over the project).

Plain business logic (no request, no DynamoDB, no third-party object) is left out: on the
benchmark corpus 4,000 of 9,799 functions are never lowered nor summarised (docs/benchmarks.md). The test is on names in the source text, so it errs towards analysing:
a name that only looks relevant costs time, never a finding.
"""

from __future__ import annotations

import sys

from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.values import Value
from dynaguard.static.source.project import Project

_PROJECT = frozenset({"fn", "cls", "inst", "mod"})
"""Ref kinds of project objects: relevant only when what they name is."""


def roots(analyzer: Analyzer, relevant: frozenset[str]) -> list[str]:
    """Ids of the functions (module level and methods) to summarise up front, sorted.

    ``relevant`` names make a function relevant wherever they come from (``self.table.put_item``): the
    models' ``relevant_names``. Module bodies must have been analysed (their globals are read).
    """
    hot: set[str] = {cls_id for cls_id, facts in analyzer.classes.items() if facts.kinds}
    functions: list[str] = []
    cold: dict[str, dict[str, set[str]]] = {}
    """Module -> function id -> the words of its source, for its functions not relevant yet."""
    for module_name, module in analyzer.project.modules.items():
        rest = cold[module_name] = {}
        for qualname, func in list(module.functions.items()):
            fn_id, words = f"{module_name}:{qualname}", _words(module.text(func))
            functions.append(fn_id)
            if words.isdisjoint(relevant):
                rest[fn_id] = words
            else:
                hot.add(fn_id)
    # NOTE: a fixpoint driven by what became hot, through an index from each project object to
    # the globals and classes waiting for it: re-testing every global of every module on each
    # round was 3% of a scan of a large project (docs/benchmarks.md).
    waiting = _Waiting(analyzer)
    fresh, seen_modules = set(hot), set()
    while fresh:
        for hot_id in fresh:
            waiting.fire(hot_id)
            module_name = hot_id.partition(":")[0]
            if module_name not in seen_modules:
                seen_modules.add(module_name)
                waiting.fire(_MODULE + module_name)
        grown = waiting.take_classes()
        for module_name, names in waiting.take_globals().items():
            rest = cold.get(module_name, {})
            for fn_id in [f for f, words in rest.items() if not words.isdisjoint(names)]:
                del rest[fn_id]
                grown.add(fn_id)
        fresh = grown - hot
        hot |= fresh
    return sorted(fn_id for fn_id in functions if fn_id in hot)


_MODULE = "module "
"""Index key prefix: a ``mod:`` ref is relevant once any object of that module is."""


class _Waiting:
    """Module globals and classes that become relevant when a project object they name does."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._globals: dict[str, list[tuple[str, str]]] = {}
        self._classes: dict[str, list[str]] = {}
        self._ready_globals: dict[str, set[str]] = {}
        self._ready_classes: set[str] = set()
        for module_name, env in analyzer.module_envs.items():
            for name, value in env.items():
                always, keys = _needs(value)
                if always:
                    self._ready_globals.setdefault(module_name, set()).add(name)
                for key in keys:
                    self._globals.setdefault(key, []).append((module_name, name))
        for cls_id, facts in analyzer.classes.items():
            module_name = cls_id.partition(":")[0]
            for method in facts.info.methods:
                key = f"{module_name}:{facts.info.qualname}.{method}"
                self._classes.setdefault(key, []).append(cls_id)
            for base in facts.bases:
                self._classes.setdefault(base, []).append(cls_id)

    def fire(self, key: str) -> None:
        for module_name, name in self._globals.pop(key, ()):
            self._ready_globals.setdefault(module_name, set()).add(name)
        self._ready_classes.update(self._classes.pop(key, ()))

    def take_globals(self) -> dict[str, set[str]]:
        """Module -> globals that became relevant since the last call."""
        ready, self._ready_globals = self._ready_globals, {}
        return ready

    def take_classes(self) -> set[str]:
        ready, self._ready_classes = self._ready_classes, set()
        return ready


def _needs(value: Value) -> tuple[bool, set[str]]:
    """(relevant whatever else is, the project objects that would make it relevant).

    Request data, the identity and stored data are relevant, and so is any third-party object
    (Flask, boto3, PynamoDB...), a DynamoDB handle, a bound method or a view; the standard library
    and builtins are not; a project function, class or module is when it is itself relevant.
    """
    keys: set[str] = set()
    pending = [value]
    while pending:
        current = pending.pop()
        if current.labels:
            return True, set()
        for name in current.refs:
            kind, _, rest = name.partition(":")
            if kind == "builtin":
                continue
            if kind == "ext":
                if rest.partition(".")[0] in sys.stdlib_module_names:
                    continue
                return True, set()
            if kind not in _PROJECT:
                return True, set()
            keys.add(rest)
            if kind == "mod":
                keys.add(_MODULE + rest)
        pending.extend(current.fields.values())
    return False, keys


_SEPARATORS = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c == "_")})


def _words(text: str) -> set[str]:
    """The identifiers (and numbers) in a source text; attribute names stand alone.

    NOTE: translate-and-split, not a regex: half the time of ``findall`` on the benchmark.
    """
    return set(text.translate(_SEPARATORS).split())


_FACTORY_NAMES = frozenset({"create_app", "make_app", "build_app", "app_factory", "get_app",
                            "init_app", "setup_app", "configure_app", "bootstrap"})  # fmt: skip


def factory(project: Project, fn_id: str, registering: frozenset[str]) -> bool:
    """A function that builds the application: named like an app factory, or registering
    blueprints (it runs once, before any request reaches a handler). ``registering``: the
    modules whose source registers a blueprint (``registering_modules``)."""
    module_name, _, qualname = fn_id.partition(":")
    if qualname.rpartition(".")[2] in _FACTORY_NAMES:
        return True
    if module_name not in registering:
        return False
    found = project.function(fn_id)
    return found is not None and "register_blueprint(" in found[0].text(found[1])


def registering_modules(project: Project) -> frozenset[str]:
    return frozenset(n for n, m in project.modules.items() if "register_blueprint(" in m.source)
