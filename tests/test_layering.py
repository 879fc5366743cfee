"""The layers written in ARCHITECTURE.md, checked over every import in src/dynaguard.

Every import counts, wherever it is written (inside a function, under ``TYPE_CHECKING``): a
dependency hidden in a function is still one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "dynaguard"

# package -> the project packages it may import (itself is always allowed).
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "registry": set(),
    "catalogue": {"model", "registry"},
    "static": {"model", "registry", "catalogue"},
    "dynamic": {"model", "registry", "catalogue"},
    "report": {"model", "catalogue"},
    "history": {"model", "catalogue"},
    "lab": set(),
    "tomlfile": set(),
    "secure": set(),
    "demo": {"lab", "secure"},
    "serve": {"model", "catalogue", "report", "history"},
}


def _layer(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return parts[0]


def _imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n.split(".")[1] for n in names if n.startswith("dynaguard.")}


MODULES = sorted(p for p in SRC.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_module_imports_only_lower_layers(path: Path) -> None:
    layer = _layer(path)
    forbidden = _imported_layers(path) - ALLOWED[layer] - {layer}
    assert not forbidden, f"{layer} may not import {sorted(forbidden)} (see ARCHITECTURE.md)"


def test_no_relative_imports_escape_a_package() -> None:
    # Relative imports would hide a layer crossing from the check above.
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        levels = [n.level for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert all(level <= 1 for level in levels), path


# The static analyser is a pipeline: each stage imports only from itself and the stages before it.
STATIC_STAGES = ("source", "flow", "models", "facts", "rules")
"""Packages of ``dynaguard.static`` in pipeline order; its top-level modules (the engine) come
last."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


ALL_MODULES = {_module_name(p): p for p in SRC.rglob("*.py")}


def _dependencies(path: Path) -> set[str]:
    """The project modules ``path`` imports (``from pkg import mod`` names ``pkg.mod``)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            submodules = [
                f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in ALL_MODULES
            ]
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(base)
    return {d for d in found if d in ALL_MODULES and d != name}


GRAPH = {name: _dependencies(path) for name, path in ALL_MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    assert _cycles(GRAPH) == []


def test_cycle_finder_finds_a_cycle() -> None:
    # The check above is only as good as this: a two-module and a three-module cycle.
    graph = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}
    assert _cycles(graph) == [["a", "b"], ["c", "d", "e"]]


def _stage(module: str) -> int | None:
    parts = module.split(".")
    if parts[:2] != ["dynaguard", "static"]:
        return None
    if len(parts) > 2 and parts[2] in STATIC_STAGES:
        return STATIC_STAGES.index(parts[2])
    return len(STATIC_STAGES)  # the engine: static/__init__, engine, findings


STATIC_MODULES = sorted(m for m in GRAPH if _stage(m) is not None)


@pytest.mark.parametrize("module", STATIC_MODULES)
def test_static_imports_point_down_the_pipeline(module: str) -> None:
    stage = _stage(module)
    assert stage is not None
    upward = sorted(d for d in GRAPH[module] if (_stage(d) or 0) > stage)
    assert not upward, f"{module} imports a later stage: {upward} (see ARCHITECTURE.md)"


def test_every_static_module_has_a_stage() -> None:
    packages = {m.split(".")[2] for m in STATIC_MODULES if m.count(".") >= 3}
    assert packages <= set(STATIC_STAGES)


def test_the_interpreter_names_no_library() -> None:
    # Library knowledge lives in models/: the flow may describe DynamoDB in prose, but no
    # external name of a library is spelt in its code.
    for path in sorted((SRC / "static" / "flow").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named = node.value.startswith("ext:") and len(node.value) > len("ext:")
                assert not named, (path.name, node.value)
