"""Start-up: each subcommand imports only what it needs (no timing, only what gets imported).

``dynaguard --version`` and a one-file ``dynaguard code`` run from editors and pre-commit hooks;
the dynamic scanner's HTTP stack, moto, Flask, the twins and the HTML templates must not load
for them (docs/benchmarks.md, start-up).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Runs the CLI in a fresh interpreter, then prints which of the watched modules it imported.
_PROBE = """
import json, sys
from dynaguard.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in json.loads(sys.argv[1]) if m in sys.modules)))
"""

_WATCHED = [
    "boto3",
    "concurrent.futures",
    "dynaguard.demo",
    "dynaguard.dynamic",
    "dynaguard.static",
    "flask",
    "httpx",
    "jinja2",
    "moto",
    "multiprocessing",
    "pydantic",
    "rich",
    "werkzeug",
]


def _imported(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(_WATCHED), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_version_imports_nothing_heavy() -> None:
    assert _imported("--version") == []


def test_rules_listing_imports_nothing_heavy() -> None:
    assert _imported("rules") == []


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_code_imports_the_analyser_and_config_only(tmp_path: Path, fmt: str) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        "from flask import Flask, request\n"
        "app = Flask(__name__)\n"
        "@app.route('/x', methods=['POST'])\n"
        "def x():\n"
        "    return request.get_json()['a']\n",
        encoding="utf-8",
    )
    assert _imported("code", str(app), "--format", fmt, "--fail-on", "none") == [
        "dynaguard.static",
        "pydantic",
    ]


def test_html_format_loads_its_templates_when_asked(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text("x = 1\n", encoding="utf-8")
    assert "jinja2" in _imported("code", str(app), "--format", "html", "-o", str(tmp_path / "r"))
