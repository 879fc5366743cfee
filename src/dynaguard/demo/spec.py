"""The one OpenAPI 3.0 document both twins serve at ``/openapi.json``."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from flask import Blueprint
from flask.typing import ResponseReturnValue

bp = Blueprint("openapi", __name__)


@functools.cache
def _spec_text() -> str:
    return resources.files("dynaguard.demo").joinpath("openapi.json").read_text(encoding="utf-8")


def load_spec() -> dict[str, Any]:
    """A fresh copy of the twins' OpenAPI document."""
    spec: dict[str, Any] = json.loads(_spec_text())
    return spec


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return load_spec()
