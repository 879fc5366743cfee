"""Control-flow facts of one function body, read from its IR: where a call sits (which branch of
which ``if``/``try``), whether two calls can both run, and which calls a block makes (how a block
ends is ``block_ends.py``).

Built once per function on demand (only functions holding DynamoDB writes ask), from the
positions the interpreter gives call sites.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from dynaguard.static.flow.block_ends import End, Path, Place, arms, ends
from dynaguard.static.source import ir

if TYPE_CHECKING:
    from dynaguard.static.source.project import Project

Pos = tuple[int, int]


@dataclass(slots=True)
class FunctionFacts:
    paths: dict[Pos, Path] = field(default_factory=dict)
    """Each call's position in the body."""
    strict: set[Pos] = field(default_factory=set)
    """Calls whose result is subscripted with ``['Item']`` (a missing item raises there)."""
    literal_lists: dict[Pos, int] = field(default_factory=dict)
    """For each call, the most elements of a list literal among its keyword arguments' values."""


_CACHE: WeakKeyDictionary[Project, dict[str, FunctionFacts]] = WeakKeyDictionary()


def facts(project: Project, path: str, qualname: str) -> FunctionFacts | None:
    """The facts of the function ``qualname`` in the module at ``path`` (None when unknown)."""
    cache = _CACHE.setdefault(project, {})
    key = f"{path}:{qualname}"
    if key not in cache:
        body = _body(project, path, qualname)
        if body is None:
            return None
        cache[key] = _index(body)
    return cache[key]


_TRIES: WeakKeyDictionary[Project, dict[str, bool]] = WeakKeyDictionary()


def has_try(project: Project, path: str, qualname: str) -> bool:
    """Whether the function's body holds a ``try`` (a statement walk: cheaper than ``facts``)."""
    cache = _TRIES.setdefault(project, {})
    key = f"{path}:{qualname}"
    if key not in cache:
        body = _body(project, path, qualname)
        cache[key] = body is not None and _holds_try(body)
    return cache[key]


def _holds_try(body: tuple[ir.Stmt, ...]) -> bool:
    return any(
        isinstance(stmt, ir.Try) or any(_holds_try(block) for block in arms(stmt)) for stmt in body
    )


_BY_PATH: WeakKeyDictionary[Project, dict[str, ir.Module]] = WeakKeyDictionary()


def _body(project: Project, path: str, qualname: str) -> tuple[ir.Stmt, ...] | None:
    by_path = _BY_PATH.get(project)
    if by_path is None:
        by_path = _BY_PATH[project] = {m.path: m for m in project.modules.values()}
    module = by_path.get(path)
    if module is None:
        return None
    if qualname == "<module>":
        return module.body
    func = module.function(qualname)
    return func.body if func else None


def _index(body: tuple[ir.Stmt, ...]) -> FunctionFacts:
    out = FunctionFacts()
    assigned: dict[str, list[Pos]] = {}
    subscripted: set[str] = set()
    for place_path, stmt in _statements(body, ()):
        if isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Call):
            for target in stmt.targets:
                if isinstance(target, ir.Name):
                    assigned.setdefault(target.id, []).append((stmt.value.line, stmt.value.col))
        for expr in _own_exprs(stmt):
            for node in _walk(expr):
                if isinstance(node, ir.Call):
                    out.paths.setdefault((node.line, node.col), place_path)
                    size = _list_size(node)
                    if size:
                        out.literal_lists[(node.line, node.col)] = size
                elif isinstance(node, ir.Sub) and _is_item(node.index):
                    if isinstance(node.obj, ir.Call):
                        out.strict.add((node.obj.line, node.obj.col))
                    elif isinstance(node.obj, ir.Name):
                        subscripted.add(node.obj.id)
    for name in subscripted:
        out.strict.update(assigned.get(name, ()))
    return out


def _list_size(call: ir.Call) -> int:
    """The most elements of a list literal passed as a keyword (or as a value inside one)."""
    sizes = [0]
    for _, value in call.kwargs:
        if isinstance(value, ir.Seq):
            sizes.append(len(value.elts))
        elif isinstance(value, ir.Dict):
            sizes += [len(v.elts) for v in value.values if isinstance(v, ir.Seq)]
    return max(sizes)


def _is_item(index: ir.Expr) -> bool:
    return isinstance(index, ir.Const) and index.text in ("Item", "Items")


def _statements(body: tuple[ir.Stmt, ...], path: Path) -> Iterator[tuple[Path, ir.Stmt]]:
    """Every statement with the path to it (its own place last, with arm -1)."""
    for index, stmt in enumerate(body):
        yield (*path, Place(body, index, -1)), stmt
        for arm, block in enumerate(arms(stmt)):
            yield from _statements(block, (*path, Place(body, index, arm)))


TRY_BODY, TRY_ELSE, TRY_FINAL, TRY_HANDLERS = 0, 1, 2, 3


def _own_exprs(stmt: ir.Stmt) -> list[ir.Expr]:
    """The expressions a statement evaluates itself (not those of its nested blocks)."""
    if isinstance(stmt, ir.Assign):
        return [stmt.value]
    if isinstance(stmt, ir.Eval):
        return [stmt.value]
    if isinstance(stmt, ir.Return):
        return [stmt.value] if stmt.value is not None else []
    if isinstance(stmt, ir.If):
        return [stmt.test]
    if isinstance(stmt, ir.Loop):
        return [stmt.iter]
    if isinstance(stmt, ir.With):
        return [e for e, _ in stmt.items]
    if isinstance(stmt, ir.Branches):
        return [stmt.subject]
    return []


def _walk(expr: ir.Expr) -> Iterator[ir.Expr]:
    pending = [expr]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ir.Attr):
            pending.append(node.obj)
        elif isinstance(node, ir.Star):
            pending.append(node.value)
        elif isinstance(node, ir.Sub):
            pending += [node.obj, node.index]
        elif isinstance(node, ir.Call):
            pending += [node.func, *node.args, *(v for _, v in node.kwargs)]
        elif isinstance(node, ir.Dict):
            pending += [*(k for k in node.keys if k is not None), *node.values]
        elif isinstance(node, ir.Seq):
            pending += node.elts
        elif isinstance(node, (ir.Derive, ir.Pure)):
            pending += node.parts
        elif isinstance(node, ir.Either):
            pending += node.options
        elif isinstance(node, ir.Walrus):
            pending.append(node.value)
        elif isinstance(node, ir.Comp):
            pending += [
                node.value,
                *(g.iter for g in node.gens),
                *(c for g in node.gens for c in g.conds),
            ]
            if node.key is not None:
                pending.append(node.key)


# -- two calls on one path -----------------------------------------------------------------------


def in_loop(path: Path) -> bool:
    """The position is in the body of a ``for``/``while`` loop (not its ``else``)."""
    return any(isinstance(p.block[p.index], ir.Loop) and p.arm == 0 for p in path)


def exclusive(first: Path, second: Path) -> bool:
    """The two calls cannot both run in one execution: different branches of one ``if``,
    ``try`` body and handler, or the first sits in a branch that always leaves the function."""
    for level, (a, b) in enumerate(zip(first, second, strict=False)):
        if a.block is b.block and a.index == b.index:
            if a.arm != b.arm and a.arm >= 0 and b.arm >= 0:
                return _alternative_arms(a, b)
            continue
        earlier = first if (a.index, a.arm) < (b.index, b.arm) else second
        return _leaves(earlier, level)
    return False


def _alternative_arms(a: Place, b: Place) -> bool:
    stmt = a.block[a.index]
    if isinstance(stmt, (ir.If, ir.Branches)):
        return True
    if isinstance(stmt, ir.Try):
        arms_ = {a.arm, b.arm}
        return not arms_ & {TRY_FINAL} and arms_ != {TRY_BODY, TRY_ELSE}
    return False


def _leaves(path: Path, level: int) -> bool:
    """Whether some branch on ``path`` below ``level`` ends every run that enters it."""
    for place in path[level:]:
        if place.arm < 0:
            return False
        block = arms(place.block[place.index])[place.arm]
        if End.FALL not in ends(block):
            return True
    return False


def calls_in(block: tuple[ir.Stmt, ...]) -> set[Pos]:
    """Positions of the calls a block makes (nested blocks included)."""
    out: set[Pos] = set()
    for _, stmt in _statements(block, ()):
        for expr in _own_exprs(stmt):
            out |= {(n.line, n.col) for n in _walk(expr) if isinstance(n, ir.Call)}
    return out
