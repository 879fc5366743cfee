"""The analyser end to end: modules, flows, suppressions, warnings, parallelism, fingerprints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from dynaguard.catalogue import CATALOGUE
from dynaguard.static import DEFAULT_EXCLUDES, analyse, analyse_source
from dynaguard.static.source.discover import discover
from dynaguard.static.source.parse import MAX_BYTES
from tests.static.conftest import PRELUDE, Project
from tests.static.fixtures import FIXTURES, rule_dirs

ROUTE = """
from flask import Flask, request
app = Flask(__name__)
"""


def test_flow_across_three_modules_with_absolute_and_relative_imports(project: Project) -> None:
    analysis = project(
        {
            "svc/aws.py": "import boto3\nresource = boto3.resource('dynamodb')\n",
            "svc/db.py": "from .aws import resource\n\ndef table():\n    return resource.Table('t')\n",
            "svc/store.py": "import svc.db as db\n\ndef save(doc):\n    db.table().put_item(Item=doc)\n",
            "web/views.py": ROUTE
            + "from svc.store import save\n\n@app.post('/docs')\ndef create():\n    save(request.get_json())\n",
        }
    )
    # The anonymous put is also DG203's finding: not this test's subject.
    [finding] = [f for f in analysis.findings if f.rule.id != "DG203"]
    assert finding.rule.id == "DG101"
    assert (finding.location.path, finding.location.line) == ("svc/store.py", 4)  # type: ignore[union-attr]
    assert finding.location.function == "save"  # type: ignore[union-attr]
    assert finding.endpoint is not None and finding.endpoint.path == "/docs"


def test_table_as_class_attribute_set_in_init(project: Project) -> None:
    analysis = project(
        {
            "repo.py": "import boto3\n\nclass Repo:\n    def __init__(self):\n        self.table = boto3.resource('dynamodb').Table('t')\n\n    def add(self, item):\n        self.table.put_item(Item=item)\n\nrepo = Repo()\n",
            "views.py": ROUTE
            + "from repo import repo\n\n@app.post('/x')\ndef x():\n    repo.add(request.json)\n",
        }
    )
    found = [(f.rule.id, f.location.path) for f in analysis.findings if f.rule.id != "DG203"]  # type: ignore[union-attr]
    assert found == [("DG101", "repo.py")]


def test_flow_steps_go_from_source_through_variables_to_sink() -> None:
    source = PRELUDE + (
        "\n@app.post('/x')\ndef create():\n    body = request.get_json()\n    item = dict(body)\n"
        "    save(item)\n\ndef save(record):\n    table.put_item(Item=record)\n"
    )
    [finding] = analyse_source(source, rules=[CATALOGUE["DG101"]])
    notes = [(s.location.line, s.note) for s in finding.flow]
    assert notes == [
        (9, "request.get_json()"),
        (9, "body"),
        (10, "item"),
        (13, "parameter record"),
        (14, "Table.put_item(...)"),
    ]
    assert all(s.location.snippet for s in finding.flow)


def test_inline_suppression_names_the_rule(project: Project) -> None:
    analysis = project(
        {
            "app.py": PRELUDE
            + "\n@app.post('/a')\ndef a():\n    table.put_item(Item=request.json)  # dynaguard: ignore[DG101]\n"
            "\n@app.post('/b')\ndef b():\n    # dynaguard: ignore[DG102, DG101]\n    table.put_item(Item=request.json)\n"
            "\n@app.post('/c')\ndef c():\n    table.put_item(Item=request.json)  # dynaguard: ignore[DG103]\n"
            "\n@app.post('/d')\ndef d():\n    table.put_item(Item=request.json)  # dynaguard: ignore\n"
            "\nDOC = '# dynaguard: ignore'  # in a string: not a comment\n"
        }
    )
    assert analysis.suppressed == 2
    # DG203 (anonymous puts) is reported on each route's def line, which no comment names.
    found = [f.location.function for f in analysis.findings if f.rule.id != "DG203"]  # type: ignore[union-attr]
    assert sorted(found) == ["c", "d"]
    [warning] = analysis.warnings
    assert warning.path == "app.py" and "names no rule" in warning.message


def test_unreadable_files_become_warnings_and_the_scan_goes_on(project: Project) -> None:
    analysis = project(
        {
            "broken.py": "def oops(:\n",
            "latin.py": "# caf\xe9\n".encode("latin-1"),
            "huge.py": b"x = 1\n" * (MAX_BYTES // 6 + 1),
            "ok.py": PRELUDE
            + "\n@app.post('/a')\ndef a():\n    table.put_item(Item=request.json)\n",
        }
    )
    reasons = {w.path: w.message for w in analysis.warnings}
    assert "does not parse" in reasons["broken.py"]
    assert "not UTF-8" in reasons["latin.py"]
    assert "larger than 2 MB" in reasons["huge.py"]
    assert analysis.files_scanned == 1
    assert {f.location.path for f in analysis.findings} == {"ok.py"}  # type: ignore[union-attr]


def test_parallel_scan_equals_serial_scan() -> None:
    for rule_dir in rule_dirs():
        root = FIXTURES / rule_dir
        serial = analyse([root], root=root, rules=list(CATALOGUE), jobs=1)
        parallel = analyse([root], root=root, rules=list(CATALOGUE), jobs=2)
        assert parallel == serial


def test_values_never_write_into_the_shared_empty_mappings() -> None:
    from dynaguard.static.flow import values

    for rule_dir in rule_dirs():
        root = FIXTURES / rule_dir
        analyse([root], root=root, rules=list(CATALOGUE))
    assert values._NO_LABELS == {} and values._NO_FIELDS == {}


def test_fingerprints_ignore_line_moves() -> None:
    body = "\n@app.post('/a')\ndef a():\n    table.put_item(Item=request.json)\n    table.put_item(Item=request.json)\n"
    rules = [CATALOGUE["DG101"]]  # two writes are also DG501's finding: not this test's subject
    before = analyse_source(PRELUDE + body, rules=rules)
    after = analyse_source(PRELUDE + "\n\n# a new comment\n" + body, rules=rules)
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
    assert len({f.fingerprint for f in before}) == 2  # the same line twice: occurrence index


def test_excluded_directories_are_not_scanned(tmp_path: Path) -> None:
    vulnerable = PRELUDE + "\n@app.post('/a')\ndef a():\n    table.put_item(Item=request.json)\n"
    for rel in (
        ".venv/lib/x.py",
        "vendor/y.py",
        "node_modules/z.py",
        "app/migrations/m.py",
        "app/main.py",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(vulnerable, encoding="utf-8")
    analysis = analyse([tmp_path], root=tmp_path, rules=list(CATALOGUE), exclude=["migrations"])
    assert {f.location.path for f in analysis.findings} == {"app/main.py"}  # type: ignore[union-attr]
    assert ".venv" in DEFAULT_EXCLUDES and "third_party" in DEFAULT_EXCLUDES


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    # A FIFO named like a module would block the scan for ever; a link to a device never ends.
    # (Listed, not analysed: a regression must fail here, not hang.)
    (tmp_path / "main.py").write_text("x = 1\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "alias.py").symlink_to(tmp_path / "main.py")
    assert [rel for _, rel in discover([tmp_path], tmp_path)] == ["alias.py", "main.py"]


def test_rule_selection_limits_findings() -> None:
    source = PRELUDE + "\n@app.post('/a')\ndef a():\n    table.put_item(Item=request.json)\n"
    dg102 = [r for r in CATALOGUE if r.id == "DG102"]
    assert analyse_source(source, rules=dg102) == ()
    assert analyse_source("def broken(:\n") == ()


def test_a_folder_name_that_is_not_utf8_is_reported_with_escapes(tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"bad\xff")
    folder.mkdir()
    vulnerable = PRELUDE + "\n@app.post('/a')\ndef a():\n    table.put_item(Item=request.json)\n"
    (folder / "m.py").write_text(vulnerable, encoding="utf-8")
    analysis = analyse([tmp_path], root=tmp_path, rules=list(CATALOGUE))
    paths = {f.location.path for f in analysis.findings if f.location}
    assert paths == {"bad\\xff/m.py"}
    for path in paths:
        path.encode("utf-8")  # what JSON, SARIF and HTML writers need


def test_jobs_2_survives_a_module_too_deep_to_send_between_processes(tmp_path: Path) -> None:
    depth = 200  # nested lists: the lowered module is deeper than pickle's recursion limit
    (tmp_path / "deep.py").write_text("x = " + "[" * depth + "1" + "]" * depth + "\n")
    vulnerable = PRELUDE + "\n@app.post('/a')\ndef a():\n    table.put_item(Item=request.json)\n"
    (tmp_path / "main.py").write_text(vulnerable, encoding="utf-8")
    parallel = analyse([tmp_path], root=tmp_path, rules=list(CATALOGUE), jobs=2)
    serial = analyse([tmp_path], root=tmp_path, rules=list(CATALOGUE), jobs=1)
    assert [f.fingerprint for f in parallel.findings] == [f.fingerprint for f in serial.findings]
    assert {f.location.path for f in parallel.findings if f.location} == {"main.py"}


def test_a_tree_1100_folders_deep_is_walked(tmp_path: Path) -> None:
    # os.walk recursed once per level (a RecursionError from about 990), and resolving each
    # folder for its relative path cost a stat per level (500 levels: over 30 s).
    folders = [tmp_path]
    for _ in range(1100):
        folders.append(folders[-1] / "d")
        folders[-1].mkdir()  # not makedirs, nor rmtree below: they recurse too
    vulnerable = PRELUDE + "\n@app.post('/a')\ndef a():\n    table.put_item(Item=request.json)\n"
    (folders[-1] / "m.py").write_text(vulnerable, encoding="utf-8")
    try:
        analysis = analyse([tmp_path], root=tmp_path, rules=list(CATALOGUE))
        paths = {f.location.path for f in analysis.findings if f.location}
        assert paths == {"d/" * 1100 + "m.py"}
    finally:
        (folders[-1] / "m.py").unlink()
        for folder in reversed(folders[1:]):
            folder.rmdir()


def test_what_cannot_be_listed_or_read_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root lists any folder: the OS saying no is simulated. A folder we may list but not
    # enter hides what its entries are; they are read, and their read says why it fails.
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "x.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "ok.py").write_text("x = 1\n", encoding="utf-8")
    scandir = os.scandir

    def refusing(path: Any) -> Any:
        if os.fspath(path).endswith("closed"):
            raise PermissionError(13, "Permission denied")
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    analysis = analyse([tmp_path, Path("/dev/null")], root=Path("/"), rules=list(CATALOGUE))
    root = tmp_path.relative_to("/").as_posix()
    assert {(w.path, w.message) for w in analysis.warnings} == {
        (f"{root}/closed", "could not be listed (Permission denied)"),
        ("dev/null", "skipped, not a regular file or folder"),
    }
    assert analysis.files_scanned == 1


def test_a_file_of_a_folder_that_cannot_be_entered_is_read_and_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shut").mkdir()
    (tmp_path / "shut" / "x.py").write_text("x = 1\n", encoding="utf-8")
    stat = Path.stat

    def refusing(path: Path, **kwargs: Any) -> Any:
        if path.parent.name == "shut":
            raise PermissionError(13, "Permission denied")
        return stat(path, **kwargs)

    monkeypatch.setattr(Path, "stat", refusing)
    assert [rel for _, rel in discover([tmp_path], tmp_path)] == ["shut/x.py"]
    analysis = analyse([tmp_path], root=tmp_path, rules=list(CATALOGUE))
    assert [(w.path, w.message) for w in analysis.warnings] == [
        ("shut/x.py", "could not be read (Permission denied)")
    ]
