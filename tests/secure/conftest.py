"""Shared fixtures: one embedded DynamoDB for the package, a fresh table per use.

moto keeps its state per process, so every table gets a unique name.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask

from dynaguard.lab import Lab, TableSpec, create_tables

from .secure_support import MakeTable, make_app

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    with Lab(embedded=True) as running:
        yield running


@pytest.fixture(scope="session")
def make_table(lab: Lab) -> MakeTable:
    resource = lab.resource()

    def make(hash_key: str, range_key: str | None = None, **spec: Any) -> Table:
        name = f"secure_{uuid.uuid4().hex[:12]}"
        create_tables(lab.client(), [TableSpec(name, hash_key, range_key, **spec)])
        return resource.Table(name)

    return make


@pytest.fixture
def app() -> Flask:
    return make_app()
