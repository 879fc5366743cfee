"""The layers written in ARCHITECTURE.md, checked over every import in src/dynaguard."""

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
    "secure": set(),
    "demo": {"lab", "secure"},
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
