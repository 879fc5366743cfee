"""Helpers to analyse small in-test projects."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from dynaguard.catalogue import CATALOGUE
from dynaguard.static import Analysis, analyse

Project = Callable[..., Analysis]

PRELUDE = """\
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("items")
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """Write ``{relative path: source}`` under a temporary root and analyse it."""

    def run(files: dict[str, str], jobs: int = 1, **kwargs: object) -> Analysis:
        for rel, source in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            data = source if isinstance(source, bytes) else textwrap.dedent(source).encode("utf-8")
            path.write_bytes(data)
        return analyse([tmp_path], root=tmp_path, rules=list(CATALOGUE), jobs=jobs, **kwargs)  # type: ignore[arg-type]

    return run
