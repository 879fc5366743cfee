"""action.yml has the structure GitHub requires of a composite action.

The facts are those of the published schema for action metadata
(https://json.schemastore.org/github-action.json): ``name``, ``description`` and ``runs`` are
required; input and output ids match ``^[_a-zA-Z][a-zA-Z0-9_-]*$``; an input has a
``description``; a composite action's output has ``description`` and ``value``; ``runs`` of a
composite action has ``using: composite`` and ``steps``, each step either ``run`` with ``shell``
or ``uses``.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from dynaguard.ci.github import Inputs

ACTION = Path(__file__).resolve().parents[2] / "action.yml"
ID = re.compile(r"^[_a-zA-Z][a-zA-Z0-9_-]*$")
SHELLS = {"bash", "pwsh", "python", "sh", "cmd", "powershell"}


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return loaded


def test_required_top_level_keys(action: dict[str, Any]) -> None:
    assert {"name", "description", "runs"} <= set(action)
    assert isinstance(action["name"], str) and isinstance(action["description"], str)
    assert set(action) <= {"name", "author", "description", "inputs", "outputs", "runs", "branding"}


def test_inputs_and_outputs(action: dict[str, Any]) -> None:
    for name, spec in action["inputs"].items():
        assert ID.match(name), name
        assert isinstance(spec["description"], str) and spec["description"]
        assert spec.get("required", False) in (True, False)
        assert "default" not in spec or isinstance(spec["default"], str), name
    for name, spec in action["outputs"].items():
        assert ID.match(name), name
        assert isinstance(spec["description"], str) and isinstance(spec["value"], str)


def test_composite_steps(action: dict[str, Any]) -> None:
    runs = action["runs"]
    assert runs["using"] == "composite"
    assert runs["steps"]
    for step in runs["steps"]:
        if "run" in step:
            assert step["shell"] in SHELLS and "uses" not in step
            # Inputs reach scripts through env only: ${{ }} inside a script can inject code.
            assert "${{" not in step["run"], step["run"]
        else:
            assert isinstance(step["uses"], str) and "@" in step["uses"]


def test_the_issue_inputs_and_the_script_agree(action: dict[str, Any]) -> None:
    inputs = set(action["inputs"])
    assert {"path", "fail-on", "new-since", "config", "format", "upload-sarif"} <= inputs
    assert {"scan-url", "scan-spec"} <= inputs
    gate = next(s for s in action["runs"]["steps"] if s.get("id") == "gate")
    assert gate["run"].startswith("dynaguard github-action")
    # Every field the script reads is passed, under the name it reads.
    expected = {f"INPUT_{f.name.upper()}" for f in fields(Inputs)}
    assert set(gate["env"]) == expected
    for name in inputs - {"upload-sarif", "python-version"}:
        assert gate["env"][f"INPUT_{name.upper().replace('-', '_')}"] == f"${{{{ inputs.{name} }}}}"


def test_sarif_upload_and_the_gate(action: dict[str, Any]) -> None:
    steps = action["runs"]["steps"]
    uploads = [
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    ]
    assert len(uploads) == 2 and all("always()" in s["if"] for s in uploads)
    assert all("inputs.upload-sarif == 'true'" in s["if"] for s in uploads)
    assert {s["with"]["category"] for s in uploads} == {"dynaguard-code", "dynaguard-scan"}
    last = steps[-1]
    assert last["run"] == 'exit "$GATE"' and "steps.gate.outputs.exit-code" in last["env"]["GATE"]
