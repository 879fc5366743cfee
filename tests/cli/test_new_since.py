"""`dynaguard code --new-since REF`: only what is not at REF is reported and gated."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dynaguard.cli import code as code_module
from dynaguard.cli import gitref, main
from tests.gitrepo import BASE, SECOND_COPY, SUPPRESSED, commit, git, make_repo

TWICE = BASE.replace(
    "    table.put_item(Item=data)\n",
    "    table.put_item(Item=data)\n    table.put_item(Item=data)\n",
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    made = make_repo(tmp_path)
    monkeypatch.chdir(made)
    monkeypatch.setenv("DYNAGUARD_CACHE_DIR", str(tmp_path / "cache"))
    # Temporary worktrees go here, so a test can see that none is left behind.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return made


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["code", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    code, out, _ = _run("--format", "json", *args)
    return code, json.loads(out)["findings"]


def _left_behind(repo: Path) -> list[str]:
    scratch = repo.parent / "scratch"
    worktrees = git(repo, "worktree", "list", "--porcelain").count("worktree ")
    return [p.name for p in scratch.iterdir()] + (["worktree"] * (worktrees - 1))


def test_only_findings_added_since_the_ref_are_reported(repo: Path) -> None:
    commit(repo, BASE + SECOND_COPY)
    code, everything = _json("app")
    assert {f["location"]["function"] for f in everything} == {"create_user", "create_user_again"}
    code, new = _json("--new-since", "base", "app")
    assert code == 1
    assert new and {f["location"]["function"] for f in new} == {"create_user_again"}
    assert _left_behind(repo) == []


def test_nothing_new_exits_0_though_old_findings_remain(repo: Path) -> None:
    code, new = _json("--new-since", "base", "app")
    assert (code, new) == (0, [])
    code, old = _json("app")
    assert code == 1 and old


def test_a_second_copy_in_the_same_function_is_new(repo: Path) -> None:
    commit(repo, TWICE)
    _, new = _json("--new-since", "base", "app")
    dg101 = [f for f in new if f["rule"] == "DG101"]
    assert [f["location"]["line"] for f in dg101] == [12]
    assert dg101[0]["location"]["function"] == "create_user"


def test_fail_on_applies_to_what_is_new(repo: Path) -> None:
    # The base's findings are high; the copy adds high ones too, so --fail-on decides on new.
    commit(repo, BASE + SECOND_COPY)
    assert _run("--new-since", "base", "--fail-on", "critical", "app")[0] == 0
    assert _run("--new-since", "base", "--fail-on", "high", "app")[0] == 1


def test_uncommitted_changes_are_compared_with_head(repo: Path) -> None:
    (repo / "app" / "api.py").write_text(BASE + SECOND_COPY, encoding="utf-8")
    _, new = _json("--new-since", "HEAD", "app")
    assert new and {f["location"]["function"] for f in new} == {"create_user_again"}


def test_a_folder_added_since_the_ref_is_all_new(repo: Path) -> None:
    (repo / "svc").mkdir()
    (repo / "svc" / "api.py").write_text(BASE, encoding="utf-8")
    code, new = _json("--new-since", "base", "svc")
    assert code == 1 and new


def test_combined_with_a_baseline(repo: Path) -> None:
    commit(repo, BASE + SECOND_COPY)
    baseline = repo.parent / "baseline.json"
    assert _run("--write-baseline", str(baseline), "app")[0] == 0
    code, new = _json("--new-since", "base", "--baseline", str(baseline), "app")
    assert (code, new) == (0, [])


def test_the_refs_analysis_is_cached(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(repo, BASE + SECOND_COPY)
    analysed: list[tuple[Path, ...]] = []
    real = code_module.analyse

    def counting(paths: Any, **kwargs: Any) -> Any:
        analysed.append(tuple(paths))
        return real(paths, **kwargs)

    monkeypatch.setattr(code_module, "analyse", counting)
    first = _json("--new-since", "base", "app")
    assert len(analysed) == 2
    assert _json("--new-since", "base", "app") == first
    assert len(analysed) == 2  # both trees read back from the cache


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("no-such-branch", "--new-since no-such-branch: no such commit, branch or tag"),
        ("--upload-pack=x", "not a git ref"),
    ],
)
def test_a_ref_that_does_not_exist_is_exit_2(repo: Path, ref: str, expected: str) -> None:
    code, out, err = _run("--new-since", ref, "app")
    assert (code, out) == (2, "")
    assert expected in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_shallow_clone_says_how_to_fetch(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = git(repo, "rev-parse", "base")
    commit(repo, BASE + SECOND_COPY)
    shallow = repo.parent / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)],
        check=True,
        capture_output=True,
    )
    monkeypatch.chdir(shallow)
    code, out, err = _run("--new-since", base, "app")
    assert (code, out) == (2, "")
    assert "shallow clone" in err and "git fetch --unshallow" in err
    assert f"git fetch origin {base}" in err
    assert len(err.strip().splitlines()) == 1


def test_outside_a_git_repository_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "api.py").write_text(BASE, encoding="utf-8")
    monkeypatch.chdir(plain)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, out, err = _run("--new-since", "main", ".")
    assert (code, out) == (2, "")
    assert "needs a git repository" in err and len(err.strip().splitlines()) == 1


def test_a_baseline_from_another_version_is_exit_2(repo: Path) -> None:
    baseline = repo.parent / "old.json"
    baseline.write_text('{"version": 7, "fingerprints": []}', encoding="utf-8")
    code, out, err = _run("--new-since", "base", "--baseline", str(baseline), "app")
    assert (code, out) == (2, "")
    assert "version 7 is not supported" in err and len(err.strip().splitlines()) == 1
    assert _left_behind(repo) == []


def test_the_worktree_is_removed_when_the_analysis_fails(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []

    def interrupted(paths: Any, **_: Any) -> Any:
        seen.extend(paths)
        raise KeyboardInterrupt

    monkeypatch.setattr(code_module, "analyse", interrupted)
    result = CliRunner().invoke(main, ["code", "--no-cache", "--new-since", "base", "app"])
    assert result.exit_code != 0
    assert seen and "dynaguard-ref-" in str(seen[0])  # it was the REF's tree that failed
    assert not seen[0].exists()
    assert _left_behind(repo) == []


def test_sigterm_in_the_worktree_becomes_an_interrupt(repo: Path) -> None:
    import os
    import signal

    with pytest.raises(KeyboardInterrupt), gitref.checkout(repo, "base") as tree:
        assert (tree.tree / "app" / "api.py").read_text(encoding="utf-8") == BASE
        os.kill(os.getpid(), signal.SIGTERM)
    assert _left_behind(repo) == []


def test_sarif_marks_every_result_against_the_ref(repo: Path, sarif_validator: Any) -> None:
    commit(repo, BASE + SECOND_COPY + SUPPRESSED)
    _, out, _ = _run("--new-since", "base", "--format", "sarif", "app")
    log = json.loads(out)
    errors = list(sarif_validator.iter_errors(log))
    assert not errors, errors[0].message
    results = log["runs"][0]["results"]
    states = {r["baselineState"] for r in results}
    assert states == {"new", "unchanged"}
    new = [r for r in results if r["baselineState"] == "new" and "suppressions" not in r]
    functions = {r["locations"][0]["logicalLocations"][0]["name"] for r in new}
    assert functions == {"create_user_again", "quiet"}
    old = [r for r in results if r["baselineState"] == "unchanged"]
    assert {r["locations"][0]["logicalLocations"][0]["name"] for r in old} == {"create_user"}
    quiet = [r for r in results if "suppressions" in r]
    assert [r["suppressions"][0]["kind"] for r in quiet] == ["inSource"]
    assert quiet[0]["suppressions"][0]["justification"].startswith("# dynaguard: ignore[DG101]")
    assert log["runs"][0]["properties"]["comparedWith"].startswith("git ref base (")


def test_sarif_shows_baselined_findings_as_external_suppressions(
    repo: Path, sarif_validator: Any
) -> None:
    baseline = repo.parent / "baseline.json"
    assert _run("--write-baseline", str(baseline), "app")[0] == 0
    code, out, _ = _run("--baseline", str(baseline), "--format", "sarif", "app")
    assert code == 0
    log = json.loads(out)
    assert not list(sarif_validator.iter_errors(log))
    results = log["runs"][0]["results"]
    assert results and all(r["baselineState"] == "unchanged" for r in results)
    kinds = {s["kind"] for r in results for s in r["suppressions"]}
    assert kinds == {"external"}
    assert str(baseline) in results[0]["suppressions"][0]["justification"]
    # Other formats keep their behaviour: baselined findings are not listed.
    assert _json("--baseline", str(baseline), "app") == (0, [])


def test_the_text_report_says_what_it_compared_with(repo: Path) -> None:
    commit(repo, BASE + SECOND_COPY)
    code, out, _ = _run("--new-since", "base", "app")
    assert code == 1
    (line,) = [line for line in out.splitlines() if line.startswith("compared with ")]
    assert line.startswith("compared with git ref base (")
    assert line.endswith(": 1 new, 1 unchanged, 0 updated, 0 gone")
