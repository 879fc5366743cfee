"""The GitHub Action's script in a simulated GitHub environment (event, summary, output files)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dynaguard.ci import annotate, github
from dynaguard.cli import main
from tests.gitrepo import BASE, SECOND_COPY, commit, git, make_repo


class Runner:
    """A pull request from ``base`` to ``head`` as GitHub Actions presents it to a step."""

    def __init__(self, root: Path, repo: Path, base: str, head: str) -> None:
        self.root, self.repo = root, repo
        self.event: dict[str, Any] = {
            "pull_request": {"base": {"sha": base}, "head": {"sha": head}, "number": 7}
        }
        self.summary = root / "summary.md"
        self.output = root / "output.txt"
        self.inputs: dict[str, str] = {"INPUT_PATH": "app", "INPUT_NEW_SINCE": ""}

    def run(self, *args: str) -> tuple[int, str]:
        event = self.root / "event.json"
        event.write_text(json.dumps(self.event), encoding="utf-8")
        env = {
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_SHA": "0" * 40,
            "INPUT_OUTPUT_DIR": str(self.root / "results"),
            **self.inputs,
        }
        result = CliRunner().invoke(main, ["github-action", *args], env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        return result.exit_code, result.stdout

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines)


@pytest.fixture
def pr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runner:
    repo = make_repo(tmp_path)
    base = git(repo, "rev-parse", "HEAD")
    head = commit(repo, BASE + SECOND_COPY)
    monkeypatch.chdir(repo)
    return Runner(tmp_path, repo, base, head)


def test_a_pull_request_fails_on_what_it_adds_with_annotations_and_a_summary(pr: Runner) -> None:
    code, out = pr.run()
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert errors and all(e.startswith("::error file=app/api.py,line=") for e in errors)
    lines = {int(e.split("line=")[1].split(",")[0]) for e in errors}
    assert min(lines) > BASE.count("\n")  # only the added route's lines
    assert any(",title=DG101::" in e for e in errors)
    text = pr.summary.read_text(encoding="utf-8")
    head = pr.event["pull_request"]["head"]["sha"]
    assert f"## dynaguard code: {len(errors)} new finding" in text and "(gate failed)" in text
    assert f"https://github.com/acme/shop/blob/{head}/app/api.py#L" in text
    assert "Compared with git ref" in text
    assert "| new | unchanged | updated | fixed | suppressed | baselined |" in text
    outputs = pr.outputs()
    assert outputs["exit-code"] == "1" and outputs["new-findings"] == str(len(errors))
    sarif = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert {r["baselineState"] for r in sarif["runs"][0]["results"]} == {"new", "unchanged"}
    assert "DG101" in out  # the text report of the format input is in the log too


def test_defer_exit_leaves_the_gate_to_the_last_step(pr: Runner) -> None:
    code, _ = pr.run("--defer-exit")
    assert code == 0
    assert pr.outputs()["exit-code"] == "1"


def test_fail_on_and_new_since_inputs(pr: Runner) -> None:
    pr.inputs |= {"INPUT_FAIL_ON": "critical"}
    code, out = pr.run()
    assert code == 0
    assert "::warning file=app/api.py" in out and "::error " not in out
    assert "(gate passed)" in pr.summary.read_text(encoding="utf-8")
    pr.inputs |= {"INPUT_FAIL_ON": "high", "INPUT_NEW_SINCE": "HEAD"}
    assert pr.run()[0] == 0  # nothing is new since the head itself
    assert pr.outputs()["new-findings"] == "0"


def test_a_push_without_a_pull_request_counts_every_finding(pr: Runner) -> None:
    pr.event = {"ref": "refs/heads/main"}
    code, out = pr.run()
    assert code == 1
    assert "Every finding counts." in pr.summary.read_text(encoding="utf-8")
    assert any(line.startswith("::error file=app/api.py,line=11,") for line in out.splitlines())


def test_a_shallow_checkout_fetches_the_base(pr: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    clone = pr.root / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{pr.repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    base = pr.event["pull_request"]["base"]["sha"]
    with pytest.raises(subprocess.CalledProcessError):
        git(clone, "cat-file", "-e", f"{base}^{{commit}}")
    monkeypatch.chdir(clone)
    code, _ = pr.run()
    assert code == 1
    assert pr.outputs()["exit-code"] == "1"
    git(clone, "cat-file", "-e", f"{base}^{{commit}}")


def test_a_bad_ref_is_exit_2_and_no_summary(pr: Runner) -> None:
    pr.inputs |= {"INPUT_NEW_SINCE": "no-such-ref"}
    code, _ = pr.run("--defer-exit")
    assert code == 0
    assert pr.outputs()["exit-code"] == "2"
    assert pr.outputs()["sarif-file"] == ""
    assert not pr.summary.exists()


def test_annotation_escaping() -> None:
    line = annotate.annotation("error", "a,b:c.py", 3, "DG101", "50%\nof it")
    assert line == "::error file=a%2Cb%3Ac.py,line=3,title=DG101::50%25%0Aof it"


@pytest.mark.parametrize(
    ("statuses", "expected"), [([0], 0), ([1, 0], 1), ([1, 3], 3), ([2, 1], 2), ([], 0)]
)
def test_gate_code(statuses: list[int], expected: int) -> None:
    assert github.gate_code(statuses) == expected


def test_scan_arguments() -> None:
    inputs = github.Inputs(scan_url="http://127.0.0.1:8000", scan_spec="openapi.json")
    args = github.scan_args(inputs, Path("s.sarif"))
    assert args[:2] == ["scan", "--format"]
    assert args[-2:] == ["--", "http://127.0.0.1:8000"]
    assert args[args.index("--spec") + 1] == "openapi.json"
