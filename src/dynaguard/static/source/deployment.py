"""Deployment descriptors: which Python functions API Gateway calls, for which method and path.

Read from Serverless Framework files (``serverless.yml``: ``functions.<name>.handler`` and its
``http`` / ``httpApi`` events) and AWS SAM templates (``template.yaml``: each
``AWS::Serverless::Function``'s ``Handler`` and ``CodeUri`` and its ``Api`` / ``HttpApi``
events), so that a Lambda handler's findings name its endpoint, and an event with an authorizer
or an API key marks the handler authenticated. Plain CloudFormation templates of any name
(``infra/api.yaml``) are read too, for their API Gateway routes (``cloudformation.py``). Only
data is read: variables (``${self:...}``) and intrinsic functions (``!Sub``) are kept as text
or dropped, never resolved.
"""

from __future__ import annotations

__all__ = ["NAMES", "Handler", "Route", "discover", "read"]

import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from dynaguard.model import ScanWarning
from dynaguard.static.source import cloudformation
from dynaguard.static.source.descriptors import Handler, Route, authorizer, located, route
from dynaguard.static.source.discover import discover as find_files
from dynaguard.static.source.discover import regular, upward

NAMES = frozenset({"serverless.yml", "serverless.yaml", "template.yaml", "template.yml"})
MAX_BYTES = 1024 * 1024
"""A descriptor larger than this is skipped (with a warning)."""


def discover(
    paths: Sequence[Path], root: Path, exclude: Sequence[str] = ()
) -> list[tuple[Path, str]]:
    """The descriptor files under ``paths``, and beside them up to ``root`` (``dynaguard code
    src`` in a SAM project reads the ``template.yaml`` at its top), as sorted ``(file, path
    relative to root)``."""
    found = find_files(paths, root, exclude, wanted=_template_name)
    by_rel = {rel: path for path, rel in _above(paths, root, exclude)}
    by_rel |= {rel: path for path, rel in found if _template_name(path.name)}
    return sorted((path, rel) for rel, path in by_rel.items())


_SUFFIXES = (".yaml", ".yml", ".template", ".template.json")
_INFRA = frozenset({"infra", "infrastructure", "cloudformation", "cfn", "deploy", "deployment",
                    "templates", "template", "iac", "stack", "stacks", "aws"})  # fmt: skip
"""Folders beside the code that hold a project's plain CloudFormation templates."""


def _template_name(name: str) -> bool:
    """A Serverless or SAM descriptor, or a file that may be a CloudFormation template (read
    only when its text declares API Gateway routes: ``cloudformation.MARKERS``)."""
    return name in NAMES or name.endswith(_SUFFIXES)


def _above(paths: Sequence[Path], root: Path, exclude: Sequence[str]) -> list[tuple[Path, str]]:
    """Descriptors in the folders from each scanned path's parent up to ``root``, and the
    templates in infrastructure folders beside them (``infra/api.yaml`` for ``src/``)."""
    out = []
    base = root.resolve()
    folders: set[Path] = set()
    for path in paths:
        folders.update(upward(path.resolve().parent, base))
    infra: list[Path] = []
    for folder in sorted(folders):
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for candidate in entries:
            if candidate.name.lower() in _INFRA and candidate.is_dir():
                infra.append(candidate)
            elif _template_name(candidate.name) and regular(candidate):
                out.append((candidate, candidate.relative_to(base).as_posix()))
    out += find_files(infra, base, exclude, wanted=_template_name)
    return out


def read(files: Sequence[tuple[Path, str]]) -> tuple[list[Handler], list[ScanWarning]]:
    handlers: list[Handler] = []
    warnings: list[ScanWarning] = []
    for path, rel in files:
        named = path.name in NAMES
        try:
            if path.stat().st_size > MAX_BYTES:
                if named:
                    warnings.append(ScanWarning("skipped, a descriptor larger than 1 MB", path=rel))
                continue
            text = path.read_text(encoding="utf-8")
            if not named and not any(m in text for m in cloudformation.MARKERS):
                continue  # some other YAML: configuration, a workflow, a spec
            document = yaml.load(text, Loader=_Loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
            reason = getattr(exc, "problem", None) or type(exc).__name__
            warnings.append(ScanWarning(f"deployment descriptor not read ({reason})", path=rel))
            continue
        if isinstance(document, dict):
            base = posixpath.dirname(rel)
            if path.name.startswith("serverless"):
                handlers += _serverless(document, base)
            else:
                handlers += _sam(document, base)
                handlers += cloudformation.handlers(document)
    return handlers, warnings


class _Loader(yaml.SafeLoader):
    """Safe YAML that accepts CloudFormation's tags: ``!Ref X`` is ``{"Ref": "X"}``, any other
    tag's value is kept as plain data (``!Sub`` strings stay text)."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        value = None
    return {"Ref": value} if suffix == "Ref" else value


_Loader.add_multi_constructor("!", _tagged)


# -- Serverless Framework ------------------------------------------------------------------------


def _serverless(document: Mapping[str, Any], base: str) -> list[Handler]:
    functions = document.get("functions")
    out: list[Handler] = []
    if not isinstance(functions, dict):
        return out
    for spec in functions.values():
        if not isinstance(spec, dict) or not isinstance(spec.get("handler"), str):
            continue
        place = located(base, spec["handler"])
        if place is None:
            continue
        routes = tuple(r for e in spec.get("events") or () if (r := _serverless_event(e)))
        out.append(Handler(*place, routes))
    return out


def _serverless_event(event: object) -> Route | None:
    if not isinstance(event, dict):
        return None
    for kind in ("http", "httpApi"):
        spec = event.get(kind)
        if isinstance(spec, str):  # ``GET users/{id}``, or ``*`` for an HTTP API catch-all
            method, _, path = spec.partition(" ")
            return route(method, path or "/*", False)
        if isinstance(spec, dict):
            guarded = (
                spec.get("authorizer") not in (None, "", "NONE") or spec.get("private") is True
            )
            return route(str(spec.get("method", "ANY")), str(spec.get("path", "/")), guarded)
    return None


# -- AWS SAM ----------------------------------------------------------------------------------------


def _sam(document: Mapping[str, Any], base: str) -> list[Handler]:
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        return []
    globals_ = _dict(document.get("Globals"))
    defaults = _dict(globals_.get("Function"))
    default_auth = authorizer(
        _dict(_dict(globals_.get("Api")).get("Auth")).get("DefaultAuthorizer")
    )
    apis = {
        name: authorizer(
            _dict(_dict(_dict(r).get("Properties")).get("Auth")).get("DefaultAuthorizer")
        )
        for name, r in resources.items()
        if _dict(r).get("Type") in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")
    }
    out = []
    for resource in resources.values():
        if _dict(resource).get("Type") != "AWS::Serverless::Function":
            continue
        props = _dict(resource.get("Properties"))
        handler = props.get("Handler", defaults.get("Handler"))
        code = props.get("CodeUri", defaults.get("CodeUri", ""))
        if not isinstance(handler, str):
            continue
        place = located(posixpath.join(base, code if isinstance(code, str) else ""), handler)
        if place is None:
            continue
        routes = []
        for declared in _dict(props.get("Events")).values():
            event = _dict(declared)
            if event.get("Type") not in ("Api", "HttpApi"):
                continue
            spec = _dict(event.get("Properties"))
            api = _dict(spec.get("RestApiId") or spec.get("ApiId")).get("Ref")
            inherited = apis.get(api, default_auth) if isinstance(api, str) else default_auth
            auth = _dict(spec.get("Auth"))
            guarded = authorizer(auth.get("Authorizer")) if "Authorizer" in auth else inherited
            guarded = guarded or auth.get("ApiKeyRequired") is True
            found = route(str(spec.get("Method", "ANY")), str(spec.get("Path", "/")), guarded)
            if found is not None:
                routes.append(found)
        out.append(Handler(*place, tuple(routes)))
    return out


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
