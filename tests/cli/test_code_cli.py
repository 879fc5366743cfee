"""`dynaguard code` end to end: exit codes, formats, config errors, baselines, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dynaguard.cli import main

VULNERABLE = """\
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("users")


@app.post("/users")
def create_user():
    data = request.get_json()
    table.put_item(Item=data)
    return {"ok": True}, 201
"""

SAFE = """\
import boto3
from flask import Flask, request

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("users")
ALLOWED = {"username", "email"}


@app.post("/users")
def create_user():
    data = request.get_json()
    item = {k: v for k, v in data.items() if k in ALLOWED}
    table.put_item(Item=item)
    return {"ok": True}, 201
"""


def _project(root: Path, source: str, name: str = "app.py") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(source, encoding="utf-8")
    return root


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_vulnerable_code_exits_1_and_names_the_rule(tmp_path: Path) -> None:
    code, out, _ = _run("code", str(_project(tmp_path, VULNERABLE)))
    assert code == 1
    assert "DG101" in out
    assert "app.py:11" in out
    assert "POST /users" in out


def test_safe_code_exits_0(tmp_path: Path) -> None:
    code, out, _ = _run("code", str(_project(tmp_path, SAFE)))
    assert code == 0, out
    assert "DG101" not in out


def test_fail_on_none_and_env_var(tmp_path: Path) -> None:
    root = str(_project(tmp_path, VULNERABLE))
    assert _run("code", "--fail-on", "none", root)[0] == 0
    assert _run("code", root, env={"DYNAGUARD_FAIL_ON": "none"})[0] == 0
    assert _run("code", "--fail-on", "critical", root)[0] == 0


def test_environment_variables_set_the_flags(tmp_path: Path) -> None:
    root = str(_project(tmp_path, VULNERABLE))
    env = {"DYNAGUARD_FORMAT": "json", "DYNAGUARD_JOBS": "2", "DYNAGUARD_PERSONA": "auditor"}
    code, out, _ = _run("code", root, env=env)
    assert code == 1
    assert "DG101" in {f["rule"] for f in json.loads(out)["findings"]}
    code, _, err = _run("code", root, env={"DYNAGUARD_JOBS": "0"})
    assert code == 2
    assert "DYNAGUARD_JOBS" in err or "--jobs" in err


def test_json_output_file_follows_the_contract(tmp_path: Path) -> None:
    root = _project(tmp_path / "src", VULNERABLE)
    out_file = tmp_path / "report.json"
    code, out, _ = _run("code", "--format", "json", "-o", str(out_file), str(root))
    assert code == 1
    assert out == ""
    report = json.loads(out_file.read_text(encoding="utf-8"))
    assert report["version"] == 1
    assert report["tool"]["name"] == "dynaguard"
    (finding,) = [f for f in report["findings"] if f["rule"] == "DG101"]
    assert finding["location"]["path"] == "app.py"
    assert finding["endpoint"] == {"method": "POST", "path": "/users"}
    assert finding["cwe"] == ["CWE-915"]
    assert "line" not in finding["fingerprint"]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _run("code", str(tmp_path / "nope"))
    assert code == 2
    assert "nope: no such file or directory" in err


def test_unreadable_path_cannot_be_scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CI runs as root, for whom chmod 000 still reads: simulate the OS saying no.
    monkeypatch.setattr("dynaguard.cli.code.readable", lambda _path: False)
    code, _, err = _run("code", str(_project(tmp_path, SAFE)))
    assert code == 3
    assert "permission denied" in err


def test_bad_config_key_is_exit_2_naming_the_key(tmp_path: Path) -> None:
    root = _project(tmp_path, SAFE)
    (root / "dynaguard.toml").write_text('fail-onn = "low"\n', encoding="utf-8")
    code, _, err = _run("code", str(root))
    assert code == 2
    assert "unknown key 'fail-onn'" in err
    assert "dynaguard.toml" in err
    assert "Traceback" not in err


def test_bad_select_on_the_command_line(tmp_path: Path) -> None:
    code, _, err = _run("code", "--select", "B101", str(_project(tmp_path, SAFE)))
    assert code == 2
    assert "B101" in err


def test_config_file_settings_apply(tmp_path: Path) -> None:
    root = _project(tmp_path, VULNERABLE)
    (root / "pyproject.toml").write_text('[tool.dynaguard]\nignore = ["DG1"]\n', encoding="utf-8")
    code, out, _ = _run("code", str(root))
    assert code == 0
    assert "DG101" not in out


def test_syntax_error_is_a_warning_and_the_scan_goes_on(tmp_path: Path) -> None:
    root = _project(tmp_path, VULNERABLE)
    (root / "broken.py").write_text("def oops(:\n", encoding="utf-8")
    (root / "latin.py").write_bytes(b"x = '\xe9'\n")
    code, out, _ = _run("code", str(root))
    assert code == 1
    assert "DG101" in out
    assert "broken.py" in out
    assert "latin.py" in out


def test_baseline_round_trip(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj", VULNERABLE)
    baseline = tmp_path / "baseline.json"
    code, _, err = _run("code", "--write-baseline", str(baseline), str(root))
    assert code == 0
    assert "wrote 1 fingerprints" in err
    code, out, _ = _run("code", "--baseline", str(baseline), "--format", "json", str(root))
    assert code == 0
    assert json.loads(out)["findings"] == []
    # A new finding is still reported.
    (root / "more.py").write_text(VULNERABLE.replace("/users", "/members"), encoding="utf-8")
    code, out, _ = _run("code", "--baseline", str(baseline), "--format", "json", str(root))
    assert code == 1
    assert [f["location"]["path"] for f in json.loads(out)["findings"]] == ["more.py"]


def test_malformed_baseline_is_exit_2(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text("{not json", encoding="utf-8")
    code, _, err = _run("code", "--baseline", str(baseline), str(_project(tmp_path, SAFE)))
    assert code == 2
    assert "baseline.json" in err


def test_inline_suppression_needs_the_rule_id(tmp_path: Path) -> None:
    suppressed = VULNERABLE.replace(
        "    table.put_item(Item=data)", "    table.put_item(Item=data)  # dynaguard: ignore[DG101]"
    )
    code, out, _ = _run("code", "--format", "json", str(_project(tmp_path, suppressed)))
    assert code == 0
    assert json.loads(out)["findings"] == []


def test_output_to_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "r.json"
    code, _, err = _run("code", "-o", str(target), str(_project(tmp_path, SAFE)))
    assert code == 2
    assert "does not exist" in err


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown"])
def test_every_format_renders(tmp_path: Path, fmt: str) -> None:
    code, out, _ = _run("code", "--format", fmt, str(_project(tmp_path, VULNERABLE)))
    assert code == 1
    assert "DG101" in out


def test_rules_lists_and_documents(tmp_path: Path) -> None:
    code, out, _ = _run("rules")
    assert code == 0
    assert "DG101" in out
    code, out, _ = _run("rules", "dg101")
    assert code == 0
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert f"## {heading}" in out
    code, _, err = _run("rules", "DG999")
    assert code == 2
    assert "DG999" in err


def test_output_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "latest.json"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    code, _, _ = _run("code", "--format", "json", "-o", str(link), str(_project(tmp_path, SAFE)))
    assert code == 0
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["findings"] == []


def test_output_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path, SAFE)
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run("code", "--format", "json", "-o", "-", str(project))
    assert code == 0
    assert json.loads(out)["findings"] == []
    assert not (tmp_path / "-").exists()


def test_output_into_a_fifo_writes_into_it_and_leaves_it_a_fifo(tmp_path: Path) -> None:
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(
        target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True
    )
    reader.start()
    code, _, _ = _run("code", "--format", "json", "-o", str(fifo), str(_project(tmp_path, SAFE)))
    reader.join(timeout=10)
    assert code == 0
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["findings"] == []


def test_output_onto_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _run("code", "-o", str(tmp_path), str(_project(tmp_path, SAFE)))
    assert code == 2
    assert "is a directory" in err


@pytest.mark.parametrize(
    ("name", "why"),
    [("loop.json", "a symbolic link loop"), ("x" * 300, "File name too long")],
)
@pytest.mark.parametrize("flag", ["-o", "--write-baseline"])
def test_output_onto_a_link_loop_or_a_name_too_long_is_a_usage_error(
    tmp_path: Path, flag: str, name: str, why: str
) -> None:
    # Both were tracebacks (found by the hostile-input campaign): Python 3.11's resolve() raises
    # RuntimeError on a link loop, and is_symlink() lets ENAMETOOLONG through.
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    target = tmp_path / name
    code, out, err = _run("code", flag, str(target), str(_project(tmp_path / "p", SAFE)))
    assert code == 2
    assert f"cannot write {target}: {why}" in err
    if flag == "-o":
        assert out == ""  # the report goes nowhere but to the file named
    assert loop.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop.json", "p"]


@pytest.mark.parametrize("flag", ["--config", "--baseline"])
def test_a_config_or_baseline_that_is_no_regular_file_is_refused(tmp_path: Path, flag: str) -> None:
    import os

    fifo = tmp_path / "input.toml"
    os.mkfifo(fifo)  # read, it would wait for a writer for ever (a device would never end)
    code, _, err = _run("code", flag, str(fifo), str(_project(tmp_path, SAFE)))
    assert code == 2
    assert "not a regular file" in err


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_folder_name_that_is_not_utf8_keeps_the_report_valid(tmp_path: Path, fmt: str) -> None:
    import os

    project = tmp_path / "p"
    folder = project / os.fsdecode(b"bad\xff")
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(VULNERABLE, encoding="utf-8")
    code, out, _ = _run("code", "--format", fmt, str(project))
    assert code == 1
    report = json.loads(out)
    if fmt == "json":
        assert report["findings"][0]["location"]["path"] == "bad\\xff/app.py"


def test_a_symlink_loop_among_the_paths_is_a_warning(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    project = _project(tmp_path, VULNERABLE)
    code, out, err = _run("code", str(loop), str(project))
    assert code == 1  # the project's finding: the loop was skipped, not fatal
    assert "DG101" in out
    assert "symbolic link loop, skipped" in err
    code, _, err = _run("code", str(loop))
    assert code == 2
    assert "nothing left to scan" in err


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "html"])
def test_a_path_given_that_is_not_utf8_is_printed_with_escapes(tmp_path: Path, fmt: str) -> None:
    # The report's target (the paths given) was printed as given: a UnicodeEncodeError
    # traceback on a UTF-8 stdout.
    import os

    named = tmp_path / os.fsdecode(b"bad\xff.py")
    named.write_text(VULNERABLE, encoding="utf-8")
    code, out, _ = _run("code", "--format", fmt, str(named))
    assert code == 1
    if fmt == "json":
        assert json.loads(out)["summary"]["target"].endswith("bad\\xff.py")
    elif fmt == "sarif":
        assert json.loads(out)["runs"][0]["properties"]["target"].endswith("bad\\xff.py")
    else:
        assert "bad\\xff.py" in out


def test_a_path_behind_a_folder_that_cannot_be_entered_cannot_be_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root enters any folder: the OS saying no (a folder without x) is simulated.
    def refused(path: Path) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "is_symlink", refused)
    code, out, err = _run("code", str(tmp_path / "shut" / "app.py"))
    assert code == 3
    assert "Permission denied, cannot be scanned" in err
    assert out == ""
