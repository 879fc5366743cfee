"""Find and read the API description: a file or URL, JSON or YAML, at most MAX_SPEC_BYTES, its
bounds (bounds.py) and the shape of what the scanner reads (shape.py) checked before use."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dynaguard.dynamic.errors import SpecError
from dynaguard.dynamic.spec.bounds import check_bounds
from dynaguard.dynamic.spec.shape import check_shape

DEFAULT_SPEC_PATHS = ("/openapi.json", "/swagger.json", "/openapi.yaml", "/swagger.yaml")
"""Tried on the target, in order, when no ``--spec`` is given."""

MAX_SPEC_BYTES = 16 * 1024 * 1024
"""Larger descriptions are refused (a 50 MB spec of 60,000 paths would take minutes and a few
GB to read); fetchers read at most one byte more, never the whole of a huge body."""

Fetch = Callable[[str], tuple[int, bytes]]
"""GET a URL and return (status, body): at most MAX_SPEC_BYTES + 1 bytes of it; raises when
nothing answers."""


@dataclass(frozen=True, slots=True)
class SpecDocument:
    """A parsed API description and where it came from."""

    source: str
    """File path or URL it was read from."""
    document: Mapping[str, Any]
    """The parsed document (references not yet resolved)."""
    version: str
    """``2.0``, ``3.0`` or ``3.1``."""


def load_spec(spec: str | None, target: str, fetch: Fetch) -> SpecDocument:
    """The document named by ``spec``, or the first default path on the target that answers."""
    if spec is None:
        return _discover(target, fetch)
    if spec.startswith(("http://", "https://")):
        status, body = fetch(spec)
        if status != 200:
            raise SpecError(f"--spec {spec}: HTTP {status}")
        return parse_spec(body, spec, yaml_only=_named_yaml(spec))
    try:
        with Path(spec).open("rb") as handle:
            raw = handle.read(MAX_SPEC_BYTES + 1)
    except FileNotFoundError:
        raise SpecError(f"--spec {spec}: no such file") from None
    except OSError as exc:
        raise SpecError(f"--spec {spec}: cannot read: {exc.strerror or exc}") from None
    return parse_spec(raw, spec, yaml_only=_named_yaml(spec))


def _named_yaml(name: str) -> bool:
    """A file or URL named ``*.yaml`` / ``*.yml`` is read as YAML only (its errors are YAML's)."""
    return name.split("?", 1)[0].lower().endswith((".yaml", ".yml"))


def _discover(target: str, fetch: Fetch) -> SpecDocument:
    tried = []
    for suffix in DEFAULT_SPEC_PATHS:
        url = target.rstrip("/") + suffix
        status, body = fetch(url)
        if status == 200:
            return parse_spec(body, url, yaml_only=_named_yaml(url))
        tried.append(f"{suffix} ({status})")
    raise SpecError(
        f"no API description found on {target}: tried {', '.join(tried)}; pass --spec FILE|URL"
    )


def parse_spec(raw: bytes, source: str, *, yaml_only: bool = False) -> SpecDocument:
    """Parse and identify the document; any problem is a SpecError naming the source.

    JSON or YAML whatever the name (a spec served as ``/openapi`` may be either), JSON tried
    first as it is faster; ``yaml_only`` for a name that says YAML."""
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError(
            f"{source}: larger than {MAX_SPEC_BYTES // 2**20} MiB, the most dynaguard reads"
        )
    document = _decode(raw, source, yaml_only)
    if not isinstance(document, dict):
        raise SpecError(
            f"{source}: not an OpenAPI or Swagger document (top level is not an object)"
        )
    check_bounds(document, source)
    version = _version(document, source)
    if not isinstance(document.get("paths"), dict):
        raise SpecError(f"{source}: no 'paths' object")
    check_shape(document, version, source)
    return SpecDocument(source=source, document=document, version=version)


def _decode(raw: bytes, source: str, yaml_only: bool) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    if yaml_only:
        return _yaml(text, source, "invalid YAML: ")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return _yaml(text, source, f"neither JSON nor YAML: {exc}; ")
    except RecursionError:
        raise _too_deep(source) from None


def _yaml(text: str, source: str, prefix: str) -> Any:
    # libyaml's loader is fast and stops nesting at 1,000 levels; aliases are bounded later.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: {prefix}{_one_line(exc)}") from None
    except RecursionError:
        raise _too_deep(source) from None


def _too_deep(source: str) -> SpecError:
    return SpecError(f"{source}: nested too deeply to read; dynaguard refuses such a spec")


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _version(document: Mapping[str, Any], source: str) -> str:
    openapi = document.get("openapi")
    if isinstance(openapi, str) and openapi.startswith(("3.0", "3.1")):
        return openapi[:3]
    if document.get("swagger") == "2.0":
        return "2.0"
    found = openapi or document.get("swagger")
    if found is None:
        raise SpecError(f"{source}: no 'openapi' or 'swagger' version: not an API description")
    raise SpecError(
        f"{source}: unsupported version {found!r}; expected OpenAPI 3.0/3.1 or Swagger 2.0"
    )


__all__ = ["DEFAULT_SPEC_PATHS", "Fetch", "SpecDocument", "load_spec", "parse_spec"]
