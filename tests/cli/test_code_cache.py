"""The analysis cache of `dynaguard code`: correctness, never timing.

An entry must give exactly what a cold scan of the same files gives; anything that could make
it differ (an edit, another dynaguard, other rules or models, another machine's entry, a damaged
file) must be a miss.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import dynaguard.cli.cache as disk
import dynaguard.cli.code as code_cli
from dynaguard.cli import main
from dynaguard.model import Coverage, ScanWarning
from dynaguard.static import Analysis, analyse_source
from dynaguard.static import cache as codec

VULNERABLE = """\
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("users")


@app.post("/users")
def create_user():
    table.put_item(Item=request.get_json())
    return {"ok": True}, 201
"""

HELPER = """\
def label(value):
    return str(value)
"""

SAVE = """\
import boto3

table = boto3.resource("dynamodb").Table("orders")


def save(order):
    table.put_item(Item=order)
"""

ROUTE_THROUGH_WRAPPER = """\
from flask import Flask, request
from shop.repo import save

app = Flask(__name__)


@app.post("/orders")
def create_order():
    save(request.get_json())
    return {"ok": True}, 201
"""


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times `dynaguard code` really analysed (a cache hit does not)."""
    seen: list[int] = []
    real = code_cli.analyse

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(code_cli, "analyse", counting)
    yield seen


def _scan(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["code", *args, "--format", "json"], catch_exceptions=False)
    report = json.loads(result.stdout)
    report.pop("generated_at", None)
    return result.exit_code, json.dumps(report, sort_keys=True)


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _entries() -> list[Path]:
    """The finished entries (a killed run's temporary file is not one)."""
    found = Path(os.environ[disk.ENV]).glob("*.json")
    return sorted(p for p in found if not p.name.startswith("tmp-"))


def test_an_unchanged_project_is_read_from_the_cache(tmp_path: Path, calls: list[int]) -> None:
    project = _project(tmp_path / "p", {"app.py": VULNERABLE, "util.py": HELPER})
    first = _scan(str(project))
    second = _scan(str(project))
    assert first == second
    assert first[0] == 1 and "DG101" in first[1]
    assert len(calls) == 1
    assert len(_entries()) == 1


def test_an_edit_gives_what_a_cold_scan_gives(tmp_path: Path, calls: list[int]) -> None:
    project = _project(tmp_path / "p", {"app.py": HELPER, "util.py": HELPER})
    before = _scan(str(project))
    (project / "app.py").write_text(VULNERABLE, encoding="utf-8")
    after = _scan(str(project))
    assert after != before
    assert after == _scan(str(project), "--no-cache")
    assert len(calls) == 3
    (project / "app.py").write_text(HELPER, encoding="utf-8")
    assert _scan(str(project)) == before  # the first entry again: no analysis
    assert len(calls) == 3


ALLOWLISTED_SAVE = """\
import boto3

table = boto3.resource("dynamodb").Table("orders")
ALLOWED = ("sku", "quantity")


def save(order):
    item = {k: order[k] for k in ALLOWED if k in order}
    table.put_item(Item=item)
"""


def _findings_in(report: str, path: str) -> list[tuple[str, list[str]]]:
    """(rule, the flow's notes) of the findings located in ``path``."""
    found = json.loads(report)["findings"]
    return [
        (f["rule"], [step["note"] for step in f["flow"]])
        for f in found
        if f["location"]["path"].endswith(path)
    ]


def test_an_edit_of_a_helper_changes_its_callers_as_a_cold_scan_does(
    tmp_path: Path, calls: list[int]
) -> None:
    """The route in api.py is judged through save()'s summary: editing repo.py alone must
    change api.py's findings exactly as a cold scan of the edited project does."""
    project = _project(
        tmp_path / "p",
        {"shop/__init__.py": "", "shop/repo.py": SAVE, "shop/api.py": ROUTE_THROUGH_WRAPPER},
    )
    before = _scan(str(project))
    (project / "shop" / "repo.py").write_text(ALLOWLISTED_SAVE, encoding="utf-8")
    after = _scan(str(project))
    cold = _scan(str(project), "--no-cache")
    assert after == cold
    assert len(calls) == 3
    assert [r for r, _ in _findings_in(before[1], "repo.py")] == ["DG101"]
    assert _findings_in(after[1], "repo.py") == []
    api_before, api_after = _findings_in(before[1], "api.py"), _findings_in(after[1], "api.py")
    assert [r for r, _ in api_after] == ["DG203"]
    assert api_after != api_before  # its flow now passes through the allowlist
    assert "item" in api_after[0][1]


def test_a_killed_scan_leaves_no_entry_and_the_next_scan_is_cold(tmp_path: Path) -> None:
    """A scan killed while storing its entry (SIGKILL between writing the temporary file and
    renaming it, the worst moment) leaves nothing a later scan reads."""
    project = _project(tmp_path / "p", {"app.py": VULNERABLE, "util.py": HELPER})
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_WHILE_STORING, str(project)],
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr
    cache = Path(os.environ[disk.ENV])
    assert _entries() == []
    assert len(list(cache.glob("tmp-*.json"))) == 1
    first = _scan(str(project))
    assert first == _scan(str(project), "--no-cache")
    (entry,) = _entries()
    assert codec.decode(entry.read_text(encoding="utf-8")) is not None
    assert _scan(str(project)) == first


# Runs `dynaguard code` and kills itself where a kill hurts most: the entry written to its
# temporary file, not yet renamed.
_KILLED_WHILE_STORING = """
import os, signal, sys
import dynaguard.cli.cache as disk
from dynaguard.cli import main

def replace(src, dst):
    os.kill(os.getpid(), signal.SIGKILL)

disk.os.replace = replace
main(["code", sys.argv[1], "--fail-on", "none"])
"""


def test_another_dynaguard_version_does_not_read_the_entry(
    tmp_path: Path, calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "p", {"app.py": VULNERABLE})
    _scan(str(project))
    monkeypatch.setattr(disk, "__version__", "999.0")
    _scan(str(project))
    assert len(calls) == 2


def test_other_rules_or_models_are_other_entries(tmp_path: Path, calls: list[int]) -> None:
    project = _project(
        tmp_path / "p",
        {"shop/__init__.py": "", "shop/repo.py": SAVE, "shop/api.py": ROUTE_THROUGH_WRAPPER},
    )
    _scan(str(project))
    _scan(str(project), "--select", "DG1")
    assert len(calls) == 2
    (project / "dynaguard.toml").write_text(
        '[[models.wrappers]]\nfunction = "shop.repo.save"\noperation = "put"\nitem = 0\n',
        encoding="utf-8",
    )
    with_model = _scan(str(project))
    assert len(calls) == 3
    assert with_model == _scan(str(project), "--no-cache")


def test_a_damaged_entry_is_a_miss_and_is_replaced(tmp_path: Path, calls: list[int]) -> None:
    project = _project(tmp_path / "p", {"app.py": VULNERABLE})
    cold = _scan(str(project))
    (entry,) = _entries()
    entry.write_text(entry.read_text(encoding="utf-8")[:40], encoding="utf-8")
    assert _scan(str(project)) == cold
    assert codec.decode(entry.read_text(encoding="utf-8")) is not None
    assert len(calls) == 2


def test_an_entry_made_under_another_salt_is_never_used(
    tmp_path: Path, calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry copied from another machine, or committed to a repository, is not trusted."""
    project = _project(tmp_path / "p", {"app.py": VULNERABLE})
    _scan(str(project))
    other = tmp_path / "other-machine"
    other.mkdir()
    for path in _entries():
        (other / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv(disk.ENV, str(other))
    _scan(str(project))
    assert len(calls) == 2


def test_no_cache_reads_and_writes_nothing(tmp_path: Path, calls: list[int]) -> None:
    project = _project(tmp_path / "p", {"app.py": VULNERABLE})
    _scan(str(project), "--no-cache")
    _scan(str(project), "--no-cache")
    assert len(calls) == 2
    assert _entries() == []


def test_the_default_cache_sits_beside_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(disk.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = _project(tmp_path / "p", {"app.py": VULNERABLE, "dynaguard.toml": ""})
    _scan(str(project))
    folder = project / disk.DIRNAME
    assert len(list(folder.glob("*.json"))) == 1
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (tmp_path / "xdg" / "dynaguard" / "salt").stat().st_size == 32
    assert not (folder / "salt").exists()  # the secret never goes next to the code


def test_without_a_config_the_user_cache_directory_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(disk.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = _project(tmp_path / "p", {"app.py": VULNERABLE})
    _scan(str(project))
    assert len(list((tmp_path / "xdg" / "dynaguard" / "analyses").glob("*.json"))) == 1
    assert not (project / disk.DIRNAME).exists()


def test_an_unwritable_cache_warns_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(disk.ENV, str(blocker / "cache"))
    project = _project(tmp_path / "p", {"app.py": VULNERABLE})
    result = CliRunner().invoke(main, ["code", str(project)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "DG101" in result.stdout
    assert "analysis cache unavailable" in result.stderr and "not-a-dir" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_scans_at_once_leave_a_valid_cache(tmp_path: Path) -> None:
    project = _project(
        tmp_path / "p", {f"app{i}.py": VULNERABLE.replace("users", f"t{i}") for i in range(8)}
    )
    command = [sys.executable, "-m", "dynaguard", "code", str(project), "--format", "json"]
    running = [subprocess.Popen(command, stdout=subprocess.PIPE) for _ in range(3)]
    outputs = [process.communicate()[0] for process in running]
    assert [process.returncode for process in running] == [1, 1, 1]
    reports = [json.loads(out) for out in outputs]
    for report in reports:
        report.pop("generated_at", None)
    assert reports[0] == reports[1] == reports[2]
    entries = _entries()
    assert len(entries) == 1
    decoded = codec.decode(entries[0].read_text(encoding="utf-8"))
    assert decoded is not None
    assert sum(f.rule.id == "DG101" for f in decoded.findings) == 8
    assert not list(Path(os.environ[disk.ENV]).glob("tmp-*"))


def test_the_encoding_round_trips_every_field() -> None:
    findings = analyse_source(VULNERABLE, path="app.py")
    assert findings
    analysis = Analysis(
        findings=findings,
        warnings=(ScanWarning("skipped", "x.py", 3), ScanWarning("other")),
        files_scanned=4,
        suppressed=2,
        coverage=Coverage(1, 1, 1, 0, 0, 2, ("GET /a",)),
    )
    assert codec.decode(codec.encode(analysis)) == analysis


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.recursive(st.none() | st.integers() | st.text(),
       lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)).map(json.dumps)))  # fmt: skip
def test_decoding_anything_else_is_a_miss_never_an_error(text: str) -> None:
    assert codec.decode(text) is None
