"""Score `dynaguard code` on the field corpus: recall and precision against the labels.

    python bench/field/score.py MIRRORS [--only owner/name] [--show fn,fp,unlabelled]
                                [--persona regular] [--json OUT] [--work DIR]
                                [--manifest manifest-chalice.toml]

MIRRORS holds the snapshots as the workplace `fetch` leaves them (`owner+name/repo/.git` or
`owner+name/repo`). Each repository's Python files are extracted at its pinned commit into
`--work` (default: a cache folder outside the project), `dynaguard code` runs on the label
file's `scan` paths from the repository root, and each finding is matched to a labelled handler
(README.md, "Scoring"). Nothing here tunes anything: it reads labels and findings and counts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.toml"
DESCRIPTORS = frozenset(
    {"serverless.yml", "serverless.yaml", "template.yaml", "template.yml", "cdk.json"}
)
"""Deployment descriptors (``dynaguard.static.source.deployment``): Lambda handlers' endpoints;
and ``cdk.json``, whose app's ``.ts`` sources (``dynaguard.static.source.cdk``) say what API
Gateway validates."""
CATEGORIES = {
    "DG1": "mass assignment",
    "DG2": "authorization",
    "DG3": "validation",
    "DG4": "concurrency",
    "DG5": "atomicity",
    "DG6": "streams",
    "DG7": "expressions",
    "DG8": "exposure",
}
_CONVERTER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TEMPLATES = (".yaml", ".yml", ".template", ".template.json")
"""Files that may be plain CloudFormation templates (``dynaguard.static.source.cloudformation``)."""


@dataclass
class Handler:
    repo: str
    path: str
    function: str
    endpoints: set[tuple[str, str]]
    present: dict[str, str]
    """rule -> why."""
    found: set[str] = field(default_factory=set)
    """Rules some finding matched here."""


@dataclass
class Repo:
    name: str
    commit: str
    scan: list[str]
    handlers: list[Handler]


def _endpoint(text: str) -> tuple[str, str]:
    method, _, path = text.strip().partition(" ")
    return method.upper(), _path(path)


def _path(path: str) -> str:
    path = _CONVERTER.sub(r"<\1>", path.strip())
    return path.rstrip("/") or "/"


def load_labels(only: set[str], manifest: Path = MANIFEST) -> list[Repo]:
    """The manifest's repositories with their labelled handlers."""
    repos = []
    for entry in tomllib.loads(manifest.read_text(encoding="utf-8"))["repo"]:
        if only and entry["name"] not in only:
            continue
        data = tomllib.loads((HERE / entry["labels"]).read_text(encoding="utf-8"))
        handlers = [
            Handler(
                data["repo"],
                h["path"],
                h["function"],
                {_endpoint(e) for e in h.get("endpoints", [])},
                {p["rule"]: p.get("why", "") for p in h.get("present", [])},
            )
            for h in data.get("handler", [])
        ]
        repos.append(Repo(entry["name"], entry["commit"], entry.get("scan", ["."]), handlers))
    return repos


def _git_dir(mirrors: Path, repo: str) -> Path:
    """``owner+name/repo`` as fetched here, or any clone at ``owner+name`` (bare or not)."""
    folder = mirrors / repo.replace("/", "+")
    for base in (folder / "repo", folder):
        if (base / ".git").is_dir():
            return base / ".git"
        if (base / "objects").is_dir():
            return base
    sys.exit(f"{repo}: no git snapshot under {folder} (clone or fetch it first)")


def checkout(mirrors: Path, work: Path, repo: Repo) -> Path:
    """The repository's Python and TypeScript files and deployment descriptors at the pinned
    commit (blobs over 4 MiB are not in the snapshots, so files are read one by one rather than
    with `git archive`)."""
    target = work / repo.name.replace("/", "+") / repo.commit
    # 2: deployment descriptors; 3: CDK apps; 4: plain CloudFormation templates of any name
    done = target / ".complete-4"
    if done.exists():
        return target
    git = ["git", "--git-dir", str(_git_dir(mirrors, repo.name))]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "-z", repo.commit], capture_output=True, check=True
    ).stdout.decode("utf-8", "surrogateescape")
    for entry in filter(None, listing.split("\0")):
        meta, _, path = entry.partition("\t")
        mode, kind, sha = meta.split()
        wanted = path.endswith((".py", ".ts", *TEMPLATES)) or path.rpartition("/")[2] in DESCRIPTORS
        if kind != "blob" or not wanted or mode == "120000":
            continue
        blob = subprocess.run([*git, "cat-file", "blob", sha], capture_output=True, check=False)
        if blob.returncode != 0:
            continue  # absent from the snapshot: the analyser would skip it anyway
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(blob.stdout)
    target.mkdir(parents=True, exist_ok=True)
    done.write_text(repo.commit)
    return target


def run_dynaguard(root: Path, scan: list[str], persona: str) -> list[dict[str, object]]:
    paths = [p for p in scan if (root / p).exists()]
    if not paths:
        return []
    done = subprocess.run(
        [sys.executable, "-m", "dynaguard", "code", *paths, "--format", "json",
         "--fail-on", "none", "--persona", persona, "--no-cache"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"{root}: dynaguard exited {done.returncode}\n{done.stderr}")
    report = json.loads(done.stdout)
    findings: list[dict[str, object]] = report["findings"]
    return findings


def _places(finding: dict[str, object]) -> set[tuple[str, str]]:
    """(path, function) of the finding's location and of every step of its flow."""
    out = set()
    location = finding.get("location")
    if isinstance(location, dict) and location.get("function"):
        out.add((str(location["path"]), str(location["function"])))
    for step in finding.get("flow", []) or []:  # type: ignore[union-attr]
        if step.get("function"):  # flow steps are flat: path, line, function, note
            out.add((str(step["path"]), str(step["function"])))
    return out


def _matches(handler: Handler, finding: dict[str, object]) -> bool:
    for path, function in _places(finding):
        if path == handler.path and (
            function == handler.function or function.endswith("." + handler.function)
        ):
            return True
    endpoint = finding.get("endpoint")
    if isinstance(endpoint, dict):
        method, path = str(endpoint["method"]).upper(), _path(str(endpoint["path"]))
        # A prefix dynaguard could not read (``{API_PREFIX}/users``) matches any text; a
        # variable further on (Chalice's ``/tasks/{uuid}``) matches one path segment.
        parts = _PLACEHOLDER.split(path)
        pattern = re.compile(
            "".join(
                re.escape(part)
                + ("" if i == len(parts) - 1 else (".*" if i == 0 and not part else "[^/]+"))
                for i, part in enumerate(parts)
            )
        )
        return any(m == method and pattern.fullmatch(p) for m, p in handler.endpoints)
    return False


@dataclass
class Score:
    tp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    unlabelled: Counter[str] = field(default_factory=Counter)
    false: set[tuple[str, str, str]] = field(default_factory=set)
    lines: dict[str, list[str]] = field(
        default_factory=lambda: {"fn": [], "fp": [], "unlabelled": [], "tp": []}
    )


def score_repo(repo: Repo, findings: list[dict[str, object]], score: Score) -> None:
    for finding in findings:
        rule = str(finding["rule"])
        where = _describe(finding)
        handlers = [h for h in repo.handlers if _matches(h, finding)]
        if not handlers:
            score.unlabelled[rule] += 1
            score.lines["unlabelled"].append(f"{repo.name} {rule} {where}")
            continue
        hits = [h for h in handlers if rule in h.present]
        if hits:
            for handler in hits:
                handler.found.add(rule)
            continue
        names = ", ".join(sorted({h.function for h in handlers}))
        # By file too: Lambda projects name every handler ``lambda_handler``.
        key = (repo.name, rule, ", ".join(sorted({f"{h.path}:{h.function}" for h in handlers})))
        if key not in score.false:  # one false positive per handler and rule, as labels count
            score.false.add(key)
            score.fp[rule] += 1
        score.lines["fp"].append(f"{repo.name} {rule} {where} (labelled handler: {names})")
    for handler in repo.handlers:
        for rule, why in sorted(handler.present.items()):
            if rule in handler.found:
                score.tp[rule] += 1
                score.lines["tp"].append(f"{repo.name} {rule} {handler.path}:{handler.function}")
            else:
                score.fn[rule] += 1
                score.lines["fn"].append(
                    f"{repo.name} {rule} {handler.path}:{handler.function}: {why}"
                )


def _describe(finding: dict[str, object]) -> str:
    loc = finding.get("location") or {}
    assert isinstance(loc, dict)
    endpoint = finding.get("endpoint")
    route = f" [{endpoint['method']} {endpoint['path']}]" if isinstance(endpoint, dict) else ""
    return f"{loc.get('path')}:{loc.get('line')} {loc.get('function')}{route}: {finding.get('message')}"


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "  - "


def report(score: Score) -> str:
    rows = ["category           labels  found  recall  false+  precision  unlabelled"]
    keys = sorted(set(score.tp) | set(score.fn) | set(score.fp) | set(score.unlabelled))
    for cat, title in CATEGORIES.items():
        sel = [k for k in keys if k.startswith(cat)]
        tp, fn, fp = (sum(c[k] for k in sel) for c in (score.tp, score.fn, score.fp))
        un = sum(score.unlabelled[k] for k in sel)
        if tp + fn + fp + un == 0:
            continue
        rows.append(
            f"{cat} {title:15s} {tp + fn:6d} {tp:6d}  {_ratio(tp, tp + fn):>6s}  {fp:6d}"
            f"  {_ratio(tp, tp + fp):>9s}  {un:10d}"
        )
    tp, fn, fp = (sum(c.values()) for c in (score.tp, score.fn, score.fp))
    un = sum(score.unlabelled.values())
    rows.append(
        f"{'overall':19s} {tp + fn:6d} {tp:6d}  {_ratio(tp, tp + fn):>6s}  {fp:6d}"
        f"  {_ratio(tp, tp + fp):>9s}  {un:10d}"
    )
    rows.append(
        f"strict precision (unlabelled findings counted as false): {_ratio(tp, tp + fp + un)}"
    )
    by_rule = ", ".join(
        f"{k} {score.tp[k]}/{score.tp[k] + score.fn[k]}" for k in keys if score.tp[k] + score.fn[k]
    )
    rows.append(f"recall by rule: {by_rule}")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mirrors", type=Path)
    parser.add_argument("--only", action="append", default=[], help="owner/name (repeatable)")
    parser.add_argument("--show", default="", help="comma list of fn, fp, unlabelled, tp")
    parser.add_argument("--persona", default="regular")
    parser.add_argument("--json", type=Path, help="write every finding and verdict here")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dynaguard-field"
    parser.add_argument("--work", type=Path, default=cache)
    parser.add_argument(
        "--manifest",
        type=Path,
        default=MANIFEST,
        help="another part of the corpus, scored apart (manifest-chalice.toml, manifest-lambda.toml)",
    )
    args = parser.parse_args(argv)
    manifest = args.manifest if args.manifest.is_absolute() else HERE / args.manifest
    repos = load_labels(set(args.only), manifest)
    score = Score()
    everything: dict[str, list[dict[str, object]]] = {}
    for repo in repos:
        root = checkout(args.mirrors, args.work, repo)
        findings = run_dynaguard(root, repo.scan, args.persona)
        everything[repo.name] = findings
        score_repo(repo, findings, score)
    handlers = sum(len(r.handlers) for r in repos)
    print(f"{len(repos)} repositories, {handlers} labelled handlers, persona {args.persona}")
    print(report(score))
    for kind in filter(None, args.show.split(",")):
        print(f"\n== {kind} ({len(score.lines[kind])})")
        print("\n".join(sorted(score.lines[kind])))
    if args.json:
        args.json.write_text(json.dumps({"findings": everything, **score.lines}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
