"""The OpenAPI description the code implies: written by ``dynaguard code --emit-openapi FILE``,
scanned by ``dynaguard scan URL --source PATH`` when no spec is given."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from dynaguard.static import Analysis
from dynaguard.static.openapi import document
from dynaguard.static.source.discover import printable


def openapi_document(analysis: Analysis, paths: Sequence[Path]) -> dict[str, Any]:
    """The description of the routes of ``analysis`` (made with ``surface=True``)."""
    title = "API of " + " ".join(printable(str(p)) for p in paths)
    return document(analysis.routes, title=title)


def openapi_text(analysis: Analysis, paths: Sequence[Path], target: Path) -> str:
    """The description as YAML when ``target`` ends in ``.yaml``/``.yml``, else as JSON."""
    doc = openapi_document(analysis, paths)
    if target.suffix.lower() in (".yaml", ".yml"):
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


__all__ = ["openapi_document", "openapi_text"]
