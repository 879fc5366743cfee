"""AWS CDK apps as data: which Lambda handlers API Gateway validates, and how.

A CDK app (TypeScript or Python, found by its ``cdk.json``) declares API methods with
``resource.addMethod(METHOD, integration, {requestValidator, requestModels,
requestParameters, authorizer})`` (``add_method(..., request_validator=...)`` in Python) on a
``LambdaIntegration`` of a function construct whose code lives in a folder (``entry:`` of a
``PythonFunction``, ``Code.fromAsset(...)`` with ``handler: 'index.handler'``). When such a
method has a request model and a validator, API Gateway answers 400 to a body that is not JSON
or misses a required field before the handler runs; ``method.request.querystring.x: true``
makes ``?x`` required the same way. Only literal text is read, never executed: a function,
integration or construct reached through anything but a variable, a ``this.`` member or a
construct instance's member is not followed, and its handler gets no claim. Authorizers declared
in CDK are not read yet: such a handler's authentication stays unseen (no DG203 claim).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dynaguard.model import ScanWarning
from dynaguard.static.source.discover import discover as find_files
from dynaguard.static.source.discover import is_folder, regular, relative, upward, walk

CONFIG = "cdk.json"
MAX_BYTES = 512 * 1024
"""A CDK source larger than this is skipped (with a warning)."""
_SKIP = ("node_modules", "cdk.out")


@dataclass(frozen=True, slots=True)
class Gateway:
    """What API Gateway checks before a Lambda handler runs."""

    path: str
    """The handler's Python file, relative to the scan root."""
    function: str
    body: bool
    """A request model with a validator: the body is JSON of the model's shape."""
    query: frozenset[str]
    """Query-string parameters the method requires."""


def discover(paths: Sequence[Path], root: Path) -> list[tuple[Path, str]]:
    """The CDK app sources of each ``cdk.json`` under ``paths`` or above them up to ``root``."""
    base = root.resolve()
    apps: set[Path] = set()
    for path in paths:
        start = path.resolve() if is_folder(path) else path.resolve().parent
        apps.update(f for f in upward(start, base) if regular(f / CONFIG))
    for path, _ in find_files(paths, root, wanted=CONFIG.__eq__):
        if path.name == CONFIG:  # where the file is, not where a link leads: cdk synth runs there
            apps.add(path.parent.resolve())
    out: dict[str, Path] = {}
    for app in sorted(apps):
        for found, rel in _sources(app, relative(app, root)):
            out[rel] = found
    return [(path, rel) for rel, path in sorted(out.items())]


def _sources(app: Path, rel: str) -> Iterator[tuple[Path, str]]:
    """The app's ``.ts`` and ``.py`` files, relative to the scan root; ``node_modules``,
    ``cdk.out`` and hidden folders are not entered (they can hold a hundred thousand files)."""
    for folder, here, names in walk(app, rel, _skipped):
        prefix = "" if here == "." else here + "/"
        for name in names:
            if name.endswith((".ts", ".py")) and not name.endswith(".d.ts"):
                path = folder / name
                if regular(path) and not path.is_symlink():
                    yield path, prefix + name


def _skipped(rel: str) -> bool:
    name = rel.rpartition("/")[2]
    return name in _SKIP or name.startswith(".")


def read(files: Sequence[tuple[Path, str]]) -> tuple[list[Gateway], list[ScanWarning]]:
    """The validated handlers the CDK sources declare (CDK paths are relative to the app)."""
    texts: list[tuple[str, str]] = []
    warnings: list[ScanWarning] = []
    for path, rel in files:
        try:
            if path.stat().st_size > MAX_BYTES:
                warnings.append(ScanWarning("skipped, a CDK source larger than 512 KB", path=rel))
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(ScanWarning(f"CDK source not read ({type(exc).__name__})", path=rel))
            continue
        if "aws-cdk" in text or "aws_cdk" in text:  # a CDK source, not a vendored package
            texts.append((_app_base(path, rel), text))
    if not texts:
        return [], warnings
    return _gateways(texts), warnings


def _app_base(path: Path, rel: str) -> str:
    """The folder of the source's app (where its ``cdk.json`` is), relative to the scan root:
    CDK code paths are relative to it, as ``cdk synth`` runs there."""
    folder = path.parent
    depth = 0
    while not regular(folder / CONFIG) and folder != folder.parent:
        folder, depth = folder.parent, depth + 1
    return "/".join(rel.split("/")[: -(depth + 1)])


# -- reading the text ------------------------------------------------------------------------------

_NAME = r"[A-Za-z_$][\w$]*"
_FUNCTION = re.compile(
    rf"(?:this\.({_NAME})|self\.({_NAME})|(?:const|let|var)\s+({_NAME})|^\s*({_NAME}))"
    rf"\s*=\s*(?:new\s+)?[\w.]*Function\(",
    re.MULTILINE,
)
_CLASS = re.compile(rf"\bclass\s+({_NAME})")
_INSTANCE = re.compile(
    rf"(?:this\.|self\.|(?:const|let|var)\s+|^\s*)({_NAME})\s*=\s*(?:new\s+)?({_NAME})\(",
    re.MULTILINE,
)
_INTEGRATION = re.compile(
    rf"(?:this\.|self\.|(?:const|let|var)\s+|^\s*)({_NAME})\s*=\s*(?:new\s+)?[\w.]*"
    rf"LambdaIntegration\(\s*([\w.$]+)",
    re.MULTILINE,
)
_METHOD = re.compile(r"\.(?:addMethod|add_method)\(")
_ENTRY = re.compile(r"\bentry\s*[:=]\s*['\"]([^'\"]+)['\"]")
_ASSET = re.compile(r"\bfrom_?[Aa]sset\(\s*['\"]([^'\"]+)['\"]")
_HANDLER = re.compile(r"\bhandler\s*[:=]\s*['\"]([^'\"]+)['\"]")
_INDEX = re.compile(r"\bindex\s*[:=]\s*['\"]([^'\"]+)['\"]")
_REQUIRED_QUERY = re.compile(
    r"['\"]method\.request\.querystring\.([\w-]+)['\"]\s*[:=]\s*(?:true|True)\b"
)
_MODELS = re.compile(r"\brequest_?[Mm]odels\s*[:=]")
_VALIDATOR = re.compile(r"\brequest_?[Vv]alidator(?:_?[Oo]ptions)?\s*[:=]")


@dataclass(frozen=True, slots=True)
class _Function:
    owner: str | None
    """The class whose body declares it (``None`` at the top level)."""
    path: str
    function: str


def _gateways(texts: list[tuple[str, str]]) -> list[Gateway]:
    """``texts``: (app folder, source) of each CDK source."""
    functions: dict[tuple[str | None, str], _Function] = {}
    for base, text in texts:
        classes = [(m.start(), m.group(1)) for m in _CLASS.finditer(text)]
        closers = _closers(text)
        for match in _FUNCTION.finditer(text):
            name = next(g for g in match.groups() if g)
            # The call's arguments: TypeScript's props object, or Python's keywords.
            arguments = _balanced(text, match.end(), closers)
            found = _code(arguments, base) if arguments is not None else None
            if found is not None:
                owner = _owner(classes, match.start())
                functions[(owner, name)] = _Function(owner, *found)
    merged: dict[tuple[str, str], Gateway] = {}
    for _, text in texts:
        # Names are local: the same ``getIntegration`` is declared in many constructs, so each
        # use takes the nearest declaration before it in the same file.
        instances = [(m.start(), m.group(1), m.group(2)) for m in _INSTANCE.finditer(text)]
        integrations = [(m.start(), m.group(1), m.group(2)) for m in _INTEGRATION.finditer(text)]
        for at, target, options in _methods(text):
            expression = _nearest(integrations, target, at) or target
            function = _resolve(expression, at, instances, functions)
            if function is None:
                continue
            key = (function.path, function.function)
            old = merged.get(key)
            new = Gateway(
                function.path,
                function.function,
                bool(_MODELS.search(options) and _VALIDATOR.search(options)),
                frozenset(_REQUIRED_QUERY.findall(options)),
            )
            merged[key] = new if old is None else _both(old, new)
    return sorted(merged.values(), key=lambda g: (g.path, g.function))


def _nearest(declared: list[tuple[int, str, str]], name: str, at: int) -> str | None:
    found = [value for start, key, value in declared if key == name and start < at]
    return found[-1] if found else None


def _both(a: Gateway, b: Gateway) -> Gateway:
    """One handler behind two methods: only what both guarantee holds for it."""
    return Gateway(a.path, a.function, a.body and b.body, a.query & b.query)


def _owner(classes: list[tuple[int, str]], at: int) -> str | None:
    before = [name for start, name in classes if start < at]
    return before[-1] if before else None


def _code(options: str, base: str) -> tuple[str, str] | None:
    """(handler file relative to the scan root, function) of a function construct's props."""
    entry = _ENTRY.search(options)
    handler = _HANDLER.search(options)
    if entry is not None:  # PythonFunction: index.py and handler() unless said otherwise
        index = _INDEX.search(options)
        file = posixpath.join(entry.group(1), index.group(1) if index else "index.py")
        function = handler.group(1) if handler else "handler"
    else:
        asset = _ASSET.search(options)
        if asset is None or handler is None or "." not in handler.group(1):
            return None
        module, _, function = handler.group(1).rpartition(".")
        file = posixpath.join(asset.group(1), module.replace(".", "/") + ".py")
    if not file.endswith(".py"):
        return None
    path = posixpath.normpath(posixpath.join(base, file))
    return (path, function) if not path.startswith("..") else None


def _methods(text: str) -> Iterator[tuple[int, str, str]]:
    """(position, integration expression, options text) of each ``addMethod`` call."""
    closers = _closers(text)
    for match in _METHOD.finditer(text):
        inside = _balanced(text, match.end(), closers)
        if inside is None:
            continue  # an unclosed call: nothing to read
        args = _split(inside)
        if len(args) < 2:
            continue
        target = args[1].strip()
        inline = re.match(r"(?:new\s+)?[\w.]*LambdaIntegration\(\s*([\w.$]+)", target)
        if inline is not None:
            target = inline.group(1)
        options = ",".join(args[2:])
        yield match.start(), target, options


def _resolve(
    expression: str,
    at: int,
    instances: list[tuple[int, str, str]],
    functions: dict[tuple[str | None, str], _Function],
) -> _Function | None:
    """``fns.getFunction`` (a construct instance's member), ``this.fn`` or ``fn``."""
    parts = [p for p in expression.split(".") if p not in ("this", "self", "props")]
    if not parts:
        return None
    name = parts[-1]
    if len(parts) >= 2:
        owner = _nearest(instances, parts[-2], at)
        if owner is not None and (owner, name) in functions:
            return functions[(owner, name)]
    candidates = [f for (_, n), f in functions.items() if n == name]
    return candidates[0] if len(candidates) == 1 else None


def _closers(text: str) -> dict[int, int]:
    """Each opening bracket's position -> its closing bracket's, in one pass (strings and
    comments are not parsed: CDK props rarely hold brackets in strings). Unclosed ones are
    left out: a file of unclosed brackets costs one pass, not one per call."""
    out: dict[int, int] = {}
    stack: list[int] = []
    for index, char in enumerate(text):
        if char in "({[":
            stack.append(index)
        elif char in ")}]" and stack:
            out[stack.pop()] = index
    return out


_SPAN = 20_000
"""The longest call arguments read: CDK props are short, and a file of deeply nested calls must
not have each of them read (and split) whole, which is quadratic."""


def _balanced(text: str, start: int, closers: dict[int, int]) -> str | None:
    """The text inside the bracket that opens just before ``start`` (None when unclosed or
    longer than ``_SPAN``)."""
    end = closers.get(start - 1)
    if end is None or end - start > _SPAN:
        return None
    return text[start:end]


def _split(args: str) -> list[str]:
    """Top-level comma-separated parts of an argument list."""
    out: list[str] = []
    current: list[str] = []
    depth = 0
    for char in args:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        out.append("".join(current))
    return out
