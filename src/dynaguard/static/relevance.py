"""Which functions the engine summarises up front; the others only when a summarised body calls
them, which is the only way their summary can reach a finding.

A function is summarised up front when its source names something the rules are about:

- a DynamoDB operation (``put_item``...), a Streams batch (``Records``) or a route registration;
- a global of its module that holds request data or the identity, a third-party object (Flask,
  boto3, PynamoDB...), a DynamoDB handle, or a project function, class or module that is itself
  summarised up front (a fixpoint over the project).

Plain business logic (no request, no DynamoDB, no third-party object) is left out: on the
benchmark corpus that was a third of the functions, and their lowering and analysis a third of the
run (docs/benchmarks.md). The test is on names in the source text, so it errs towards analysing:
a name that only looks relevant costs time, never a finding.
"""

from __future__ import annotations

import re
import sys

from dynaguard.static.flask_routes import REGISTRATIONS
from dynaguard.static.handles import OPERATIONS
from dynaguard.static.summaries import Analyzer
from dynaguard.static.values import Value

NAMES = frozenset({*OPERATIONS, *REGISTRATIONS, "route", "Records"})
"""Names that make a function relevant wherever they come from (``self.table.put_item``)."""
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_PROJECT = frozenset({"fn", "cls", "inst", "mod"})
"""Ref kinds of project objects: relevant only when what they name is."""


def roots(analyzer: Analyzer) -> list[str]:
    """Ids of the functions (module level and methods) to summarise up front, sorted.

    Module bodies must have been analysed (their globals are read here).
    """
    project = analyzer.project
    names: dict[str, tuple[str, frozenset[str]]] = {}
    """Function id -> (module, the identifiers in its source)."""
    for module_name, module in project.modules.items():
        for qualname, func in list(module.functions.items()):
            words = frozenset(_IDENTIFIER.findall(module.text(func)))
            names[f"{module_name}:{qualname}"] = (module_name, words)
    hot: set[str] = {fn_id for fn_id, (_, words) in names.items() if not words.isdisjoint(NAMES)}
    hot |= {cls_id for cls_id, facts in analyzer.classes.items() if facts.kinds}
    while True:
        modules = {i.partition(":")[0] for i in hot}
        globals_ = {
            name: {n for n, v in env.items() if _relevant(v, hot, modules)}
            for name, env in analyzer.module_envs.items()
        }
        grown = {
            fn_id
            for fn_id, (module_name, words) in names.items()
            if fn_id not in hot and not words.isdisjoint(globals_.get(module_name, ()))
        }
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
    return sorted(fn_id for fn_id in names if fn_id in hot)


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
