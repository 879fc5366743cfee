"""Reading, parsing and lowering one file; every failure becomes a ScanWarning, never a crash."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

from dynaguard.model import ScanWarning
from dynaguard.static.source import ir
from dynaguard.static.source.lower import Lowerer, unknown_lines
from dynaguard.static.source.suppress import scan_comments

MAX_BYTES = 2 * 1024 * 1024
"""Larger files are generated or vendored code; parsing them costs more than it finds."""


def module_name(rel_path: str) -> tuple[str, bool]:
    """Dotted module name for a path relative to the root, and whether it is a package."""
    parts = [p for p in rel_path.split("/") if p not in {"", ".", ".."}]
    if parts and parts[-1].endswith(".py"):
        parts[-1] = parts[-1][:-3]
    is_package = bool(parts) and parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts) or "__main__", is_package


def load_file(path: Path, rel_path: str) -> ir.Module | ScanWarning:
    """Read and lower one file (the unit of work of the process pool)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return ScanWarning(f"skipped, larger than 2 MB ({size} bytes)", path=rel_path)
        data = path.read_bytes()
    except OSError as exc:
        return ScanWarning(f"could not be read ({exc.strerror or exc})", path=rel_path)
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ScanWarning(f"skipped, not UTF-8 (byte {exc.start})", path=rel_path)
    return load_source(source, rel_path)


def load_source(source: str, rel_path: str) -> ir.Module | ScanWarning:
    try:
        tree = ast.parse(source, filename=rel_path)
    except SyntaxError as exc:
        tree_or_none = _parse_legacy(source, rel_path)
        if tree_or_none is None:
            line = exc.lineno if isinstance(exc.lineno, int) else None
            return ScanWarning(f"skipped, does not parse ({exc.msg})", path=rel_path, line=line)
        tree = tree_or_none
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return ScanWarning(f"skipped, does not parse ({type(exc).__name__})", path=rel_path)
    try:
        return lower_module(tree, source, rel_path)
    except RecursionError:
        return ScanWarning("skipped, nested too deeply to analyse", path=rel_path)


_LEGACY = {"async": "asyn_", "await": "awai_"}
"""Python 3.6 names that are keywords now, and same-length stand-ins (columns stay right)."""
_ASYNC_BLOCKS = frozenset({"def", "for", "with"})


def _parse_legacy(source: str, rel_path: str) -> ast.Module | None:
    """Python 3.6-era code where ``async`` or ``await`` is an identifier (``def send(data,
    async=False)``): parsed with those names renamed, or None when that does not help."""
    if "async" not in source and "await" not in source:
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    lines = source.splitlines(keepends=True)
    changed = False
    for index, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in _LEGACY:
            continue
        following = tokens[index + 1].string if index + 1 < len(tokens) else ""
        if token.string == "async" and following in _ASYNC_BLOCKS:
            continue  # a real ``async def`` / ``async for`` / ``async with``
        if token.string == "await" and following not in {"=", ",", ")", ":", "]", "."}:
            continue  # ``await x`` in a coroutine
        row, col = token.start
        text = lines[row - 1]
        lines[row - 1] = text[:col] + _LEGACY[token.string] + text[col + len(token.string) :]
        changed = True
    if not changed:
        return None
    try:
        return ast.parse("".join(lines), filename=rel_path)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


def lower_module(tree: ast.Module, source: str, rel_path: str) -> ir.Module:
    lambdas = frozenset(i for i, line in enumerate(source.splitlines(), 1) if "lambda" in line)
    lowerer = Lowerer(lambdas=lambdas, unknown_lines=unknown_lines(source))
    body = lowerer.block(tree.body, "")
    name, is_package = module_name(rel_path)
    named, bare = scan_comments(source)
    return ir.Module(
        path=rel_path,
        name=name,
        is_package=is_package,
        source=source,
        body=body,
        functions=lowerer.functions,
        classes=lowerer.classes,
        suppressions=named,
        bare_suppressions=bare,
    )
