"""The scanned tree as a set of modules: names, and resolution of imports between them."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from dynaguard.static.source import ir


class Project:
    """Modules by dotted name, and where a dotted import lands."""

    def __init__(
        self, modules: Iterable[ir.Module], *, external: frozenset[str] = frozenset()
    ) -> None:
        self.external = external
        """Top-level packages the models explain: an import of these is never a project module
        (an app's own ``models/pynamodb.py`` must not stand for the library)."""
        self.modules: dict[str, ir.Module] = {}
        for module in modules:
            self.modules.setdefault(module.name, module)
        self._suffixes: dict[str, list[str]] = {}
        for name in sorted(self.modules, key=lambda n: (n.count("."), n)):
            parts = name.split(".")
            for i in range(len(parts)):
                self._suffixes.setdefault(".".join(parts[i:]), []).append(name)

    def function(self, fn_id: str) -> tuple[ir.Module, ir.Function] | None:
        module_name, _, qualname = fn_id.partition(":")
        module = self.modules.get(module_name)
        func = module.function(qualname) if module is not None else None
        return (module, func) if module is not None and func is not None else None

    def at_path(self, path: str) -> ir.Module | None:
        """The module read from ``path`` (as findings and flow steps spell it)."""
        return next((m for m in self.modules.values() if m.path == path), None)

    def klass(self, cls_id: str) -> tuple[ir.Module, ir.ClassInfo] | None:
        module_name, _, qualname = cls_id.partition(":")
        module = self.modules.get(module_name)
        info = module.klass(qualname) if module is not None else None
        return (module, info) if module is not None and info is not None else None

    def find_module(self, dotted: str, importer: str = "") -> str | None:
        """The project module an absolute import names, or None when it is external.

        Projects are often run from a directory below the scanned root (``src/``, ``app/``), so
        ``pkg.mod`` also matches ``src.pkg.mod``. Of several such modules, the one beside the
        importing module wins (a monorepo's services each have their own ``app`` package), then
        the shortest.
        """
        if dotted in self.modules:
            return dotted
        top = dotted.split(".", 1)[0]
        if top in self.external or top in sys.stdlib_module_names:
            return None
        found = self._suffixes.get(dotted)
        if not found:
            return None
        if len(found) > 1 and importer:
            for candidate in reversed(found):  # the nearest source root first
                root = candidate[: -len(dotted)]  # "" or "svc.": where the import resolves from
                if root and importer.startswith(root):
                    return candidate
        return found[0]

    def absolute(self, importer: ir.Module, module: str, level: int) -> str:
        """The absolute dotted name of a (possibly relative) import in ``importer``."""
        if level == 0:
            return module
        parts = importer.name.split(".")
        if not importer.is_package:
            parts = parts[:-1]
        if level > 1:
            parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
        base = ".".join(parts)
        return f"{base}.{module}" if base and module else (base or module)
