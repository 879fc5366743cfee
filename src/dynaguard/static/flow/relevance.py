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
    cold: dict[str, list[tuple[str, set[str]]]] = {}
    """Module -> (function id, the words of its source) of its functions not relevant yet."""
    for module_name, module in analyzer.project.modules.items():
        rest = cold[module_name] = []
        for qualname, func in list(module.functions.items()):
            fn_id, words = f"{module_name}:{qualname}", _words(module.text(func))
            functions.append(fn_id)
            if words.isdisjoint(relevant):
                rest.append((fn_id, words))
            else:
                hot.add(fn_id)
    searched: dict[str, set[str]] = {}
    while True:
        modules = {i.partition(":")[0] for i in hot}
        grown: set[str] = set()
        for module_name, rest in cold.items():
            if not rest:
                continue
            env = analyzer.module_envs.get(module_name, {})
            names = {n for n, v in env.items() if _relevant(v, hot, modules)}
            if not names or names == searched.get(module_name):
                continue  # no global of the module became relevant: nothing new to find
            searched[module_name] = names
            still = []
            for fn_id, words in rest:
                if words.isdisjoint(names):
                    still.append((fn_id, words))
                else:
                    grown.add(fn_id)
            cold[module_name] = still
        grown |= {
            cls_id
            for cls_id, facts in analyzer.classes.items()
            if cls_id not in hot
            and (
                any(f"{cls_id.partition(':')[0]}:{facts.info.qualname}.{m}" in hot
                    for m in facts.info.methods)
                or any(b in hot for b in facts.bases)
            )
        }  # fmt: skip
        if not grown:
            break
        hot |= grown
    return sorted(fn_id for fn_id in functions if fn_id in hot)


_SEPARATORS = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c == "_")})


def _words(text: str) -> set[str]:
    """The identifiers (and numbers) in a source text; attribute names stand alone.

    NOTE: translate-and-split, not a regex: half the time of ``findall`` on the benchmark.
    """
    return set(text.translate(_SEPARATORS).split())


def _relevant(value: Value, hot: set[str], modules: set[str]) -> bool:
    if value.labels:
        return True  # request data, the identity, stored data
    for name in value.refs:
        kind, _, rest = name.partition(":")
        if kind == "builtin":
            continue
        if kind == "ext":
            if rest.partition(".")[0] in sys.stdlib_module_names:
                continue
            return True
        if kind in _PROJECT:
            if rest in hot or (kind == "mod" and rest in modules):
                return True
            continue
        return True  # DynamoDB handles, bound methods, views: anything else counts
    return any(_relevant(f, hot, modules) for f in value.fields.values())


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
