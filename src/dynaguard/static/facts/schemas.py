"""The fields a declared schema validates, with their types: a pydantic model's annotations, a
marshmallow schema's ``fields.Int(...)`` (for ``dynaguard code --emit-openapi``).

The pydantic and marshmallow models mark where a schema checked request data with a step whose
note names the class (``TransferIn(...)``, ``TransferSchema.load(...)``); its declaration is read
here from the module's text, as data, like the deployment files.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from dynaguard.static.flow.values import Step
from dynaguard.static.source import ir
from dynaguard.static.source.project import Project

Declared = tuple[str, str | None, str | None, bool]
"""A schema's field: (name, JSON Schema type, format, required)."""

_NOTE = re.compile(r"^([A-Za-z_]\w*)(?:\.(?:load|loads|model_validate\w*|parse_\w+))?\(\.\.\.\)$")
_ANNOTATIONS = {
    "int": ("integer", None),
    "float": ("number", None),
    "Decimal": ("number", None),
    "str": ("string", None),
    "bool": ("boolean", None),
    "list": ("array", None),
    "List": ("array", None),
    "tuple": ("array", None),
    "set": ("array", None),
    "dict": ("object", None),
    "Dict": ("object", None),
    "datetime": ("string", "date-time"),
    "date": ("string", "date"),
    "UUID": ("string", "uuid"),
    "EmailStr": ("string", "email"),
    "PositiveInt": ("integer", None),
    "NonNegativeInt": ("integer", None),
    "conint": ("integer", None),
    "confloat": ("number", None),
    "constr": ("string", None),
}
_MARSHMALLOW = {
    "Int": ("integer", None),
    "Integer": ("integer", None),
    "Float": ("number", None),
    "Decimal": ("number", None),
    "Number": ("number", None),
    "Str": ("string", None),
    "String": ("string", None),
    "Email": ("string", "email"),
    "Url": ("string", "uri"),
    "URL": ("string", "uri"),
    "UUID": ("string", "uuid"),
    "Bool": ("boolean", None),
    "Boolean": ("boolean", None),
    "DateTime": ("string", "date-time"),
    "Date": ("string", "date"),
    "List": ("array", None),
    "Dict": ("object", None),
    "Nested": ("object", None),
}


class Schemas:
    """Declared schema classes of one project, read on demand."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._trees: dict[str, ast.Module | None] = {}

    def fields(self, step: Step) -> Iterator[Declared]:
        """The fields of the schema a validation step names (none when it names no class of
        the project, or several)."""
        found = _NOTE.match(step.note)
        if found is None:
            return
        located = self._find(found.group(1), step.path)
        if located is None:
            return
        module, info = located
        node = self._class(module, info)
        if node is not None:
            yield from _declared(node)

    def _find(self, name: str, path: str) -> tuple[ir.Module, ir.ClassInfo] | None:
        here = [
            (m, c)
            for m in self._project.modules.values()
            for c in m.classes.values()
            if c.qualname == name
        ]
        local = [(m, c) for m, c in here if m.path == path]
        chosen = local or here
        return chosen[0] if len(chosen) == 1 else None

    def _class(self, module: ir.Module, info: ir.ClassInfo) -> ast.ClassDef | None:
        if module.path not in self._trees:
            try:
                self._trees[module.path] = ast.parse(module.source)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._trees[module.path] = None
        tree = self._trees[module.path]
        if tree is None:
            return None
        return next(
            (
                n
                for n in ast.walk(tree)
                if isinstance(n, ast.ClassDef)
                and n.name == info.qualname.rpartition(".")[2]
                and n.lineno <= info.line <= n.body[0].lineno
            ),
            None,
        )


def _declared(node: ast.ClassDef) -> Iterator[Declared]:
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            kind, fmt, optional = _annotation(statement.annotation)
            required = statement.value is None and not optional
            if isinstance(statement.value, ast.Call) and _name(statement.value.func) == "Field":
                required = _ellipsis_default(statement.value)
            yield statement.target.id, kind, fmt, required
        elif (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Call)
            and _name(statement.value.func) in _MARSHMALLOW
        ):
            kind, fmt = _MARSHMALLOW[_name(statement.value.func)]
            required = any(
                k.arg == "required" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in statement.value.keywords
            )
            yield statement.targets[0].id, kind, fmt, required


def _annotation(node: ast.expr) -> tuple[str | None, str | None, bool]:
    """(type, format, whether None is allowed) of an annotation."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        parts = [node.left, node.right]
        real = [p for p in parts if not (isinstance(p, ast.Constant) and p.value is None)]
        if len(real) == 1:
            kind, fmt, _ = _annotation(real[0])
            return kind, fmt, True
        return None, None, len(real) < len(parts)
    if isinstance(node, ast.Subscript):
        outer = _name(node.value)
        if outer == "Optional":
            kind, fmt, _ = _annotation(node.slice)
            return kind, fmt, True
        if outer == "Annotated" and isinstance(node.slice, ast.Tuple) and node.slice.elts:
            return _annotation(node.slice.elts[0])
        kind, fmt = _ANNOTATIONS.get(outer, (None, None))
        return kind, fmt, False
    if isinstance(node, ast.Call):
        node = node.func
    kind, fmt = _ANNOTATIONS.get(_name(node), (None, None))
    return kind, fmt, False


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _ellipsis_default(call: ast.Call) -> bool:
    """``Field(...)`` (or ``Field(default=...)``) is required; a real default is not."""
    default = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "default":
            default = keyword.value
        if keyword.arg == "default_factory":
            return False
    return default is None or (isinstance(default, ast.Constant) and default.value is Ellipsis)
