"""Find and read the API description: a file or URL, JSON (or YAML when PyYAML is installed)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dynaguard.dynamic.errors import SpecError

DEFAULT_SPEC_PATHS = ("/openapi.json", "/swagger.json")
"""Tried on the target, in order, when no ``--spec`` is given."""

Fetch = Callable[[str], tuple[int, bytes]]
"""GET a URL and return (status, body); raises when nothing answers."""


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
        return parse_spec(body, spec)
    path = Path(spec)
    try:
        return parse_spec(path.read_bytes(), spec)
    except FileNotFoundError:
        raise SpecError(f"--spec {spec}: no such file") from None
    except OSError as exc:
        raise SpecError(f"--spec {spec}: cannot read: {exc.strerror or exc}") from None


def _discover(target: str, fetch: Fetch) -> SpecDocument:
    tried = []
    for suffix in DEFAULT_SPEC_PATHS:
        url = target.rstrip("/") + suffix
        status, body = fetch(url)
        if status == 200:
            return parse_spec(body, url)
        tried.append(f"{suffix} ({status})")
    raise SpecError(
        f"no API description found on {target}: tried {', '.join(tried)}; pass --spec FILE|URL"
    )


def parse_spec(raw: bytes, source: str) -> SpecDocument:
    """Parse and identify the document; any problem is a SpecError naming the source."""
    document = _decode(raw, source)
    if not isinstance(document, dict):
        raise SpecError(
            f"{source}: not an OpenAPI or Swagger document (top level is not an object)"
        )
    version = _version(document, source)
    if not isinstance(document.get("paths"), dict):
        raise SpecError(f"{source}: no 'paths' object")
    return SpecDocument(source=source, document=document, version=version)


def _decode(raw: bytes, source: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{source}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        json_error = exc
    try:
        # NOTE: YAML is optional (PyYAML is not a dependency); JSON specs need nothing.
        yaml: Any = importlib.import_module("yaml")
    except ImportError:
        raise SpecError(f"{source}: invalid JSON: {json_error}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: neither JSON nor YAML: {json_error}; {exc}") from None


def _version(document: Mapping[str, Any], source: str) -> str:
    openapi = document.get("openapi")
    if isinstance(openapi, str) and openapi.startswith(("3.0", "3.1")):
        return openapi[:3]
    if document.get("swagger") == "2.0":
        return "2.0"
    found = openapi or document.get("swagger")
    raise SpecError(
        f"{source}: unsupported version {found!r}; expected OpenAPI 3.0/3.1 or Swagger 2.0"
    )


__all__ = ["DEFAULT_SPEC_PATHS", "Fetch", "SpecDocument", "load_spec", "parse_spec"]
