"""The README's code runs: its `dynaguard.secure` example works against the embedded DynamoDB."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask, g

from dynaguard.lab import Lab, TableSpec, create_tables

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_block_after(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, f"no python block after {heading}"
    return found.group(1)


def test_secure_example_creates_an_owned_record_and_refuses_extra_fields() -> None:
    code = _python_block_after("## `dynaguard.secure`")
    with Lab(embedded=True) as lab:
        create_tables(lab.client(), [TableSpec("readme_records", "owner", "record_id")])
        app = Flask(__name__)

        @app.before_request
        def _login() -> None:
            g.user_id = "alice"

        namespace: dict[str, Any] = {"app": app, "table": lab.resource().Table("readme_records")}
        exec(compile(code, str(README), "exec"), namespace)
        client = app.test_client()
        created = client.post("/records", json={"title": "rent", "amount": 3})
        assert created.status_code == 201
        assert created.get_json()["owner"] == "alice"
        refused = client.post("/records", json={"title": "x", "amount": 1, "owner": "bob"})
        assert refused.status_code == 400
        assert "owner" in str(refused.get_json()["details"])
