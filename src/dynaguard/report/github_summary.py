"""``--format github-summary`` and the Action's job summary (``$GITHUB_STEP_SUMMARY``): counts
and the new findings, linked to their lines when the commit's place on GitHub is known.

Pure: built from the SARIF log of the report (every result with its baseline state and
suppressions); ``ci/github.py`` writes it with links, ``--format github-summary`` prints it
without (a merge request's note, a job summary on any CI).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from dynaguard.model import Report
from dynaguard.report import sarif
from dynaguard.report.markdown import text

ENDPOINT_PREFIX = "endpoints/"
"""SARIF's synthetic path for a finding with no source file (``report/sarif.py``): no line to
link or annotate."""

MAX_ROWS = 200
"""New findings listed at most; GitHub caps a summary at 1 MiB and a reader much sooner."""

Result = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Links:
    """Where the scanned commit is browsed (``https://github.com``, ``owner/name``, sha)."""

    server: str
    repository: str
    commit: str

    def line(self, path: str, line: int) -> str | None:
        if not (self.server and self.repository and self.commit):
            return None
        return f"{self.server}/{self.repository}/blob/{self.commit}/{quote(path)}#L{line}"


def gated(log: dict[str, Any]) -> list[Result]:
    """The results the gate counts: not suppressed, and new (or not compared at all)."""
    return [
        r
        for r in _results(log)
        if "suppressions" not in r and r.get("baselineState", "new") == "new"
    ]


def counts(log: dict[str, Any]) -> dict[str, int]:
    """new, unchanged, updated, fixed (absent), suppressed inline, baselined."""
    results = _results(log)
    quiet = [s["kind"] for r in results for s in r.get("suppressions", [])[:1]]
    shown = [r.get("baselineState", "new") for r in results if "suppressions" not in r]
    properties = log["runs"][0].get("properties", {})
    return {
        "new": shown.count("new"),
        "unchanged": shown.count("unchanged"),
        "updated": shown.count("updated"),
        "fixed": int(properties.get("absent", 0)),
        "suppressed": quiet.count("inSource"),
        "baselined": quiet.count("external"),
    }


def render(report: Report) -> str:
    """``--format github-summary``: the report's summary, its findings as plain locations."""
    log = json.loads(sarif.render(report))
    return summary(log, Links("", "", ""), title=f"dynaguard: {report.target}", failed=None)


def location(result: dict[str, Any]) -> tuple[str, int] | None:
    """The file and line of a SARIF result, when it has a real source location."""
    physical = result["locations"][0]["physicalLocation"]
    uri: str = physical["artifactLocation"]["uri"]
    if uri.startswith(ENDPOINT_PREFIX) and "uriBaseId" not in physical["artifactLocation"]:
        return None
    return unquote(uri), int(physical["region"]["startLine"])


def summary(log: dict[str, Any], links: Links, *, title: str, failed: bool | None) -> str:
    """The summary of one SARIF log, as markdown (``failed``: the gate's verdict, if known)."""
    new = gated(log)
    verdict = "" if failed is None else f" (gate {'failed' if failed else 'passed'})"
    lines = [f"## {text(title)}: {len(new)} new finding{'s' * (len(new) != 1)}{verdict}"]
    compared = log["runs"][0].get("properties", {}).get("comparedWith")
    lines.append(f"Compared with {text(compared)}." if compared else "Every finding counts.")
    numbers = counts(log)
    lines += ["", "| " + " | ".join(numbers) + " |", "|" + "---|" * len(numbers)]
    lines.append("| " + " | ".join(str(n) for n in numbers.values()) + " |")
    if new:
        lines += ["", "| severity | rule | where | message |", "|---|---|---|---|"]
        lines += [_row(log, result, links) for result in new[:MAX_ROWS]]
    if len(new) > MAX_ROWS:
        lines += ["", f"... and {len(new) - MAX_ROWS} more (see the SARIF file)."]
    return "\n".join(lines) + "\n"


def _row(log: dict[str, Any], result: Result, links: Links) -> str:
    rule = log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    severity = result.get("properties", {}).get("severity", result["level"])
    rule_cell = f"[{text(rule['id'])}]({rule['helpUri']}) {text(rule['shortDescription']['text'])}"
    found = location(result)
    if found is None:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        method, _, path = unquote(uri.removeprefix(ENDPOINT_PREFIX)).partition("/")
        where = text(f"{method} /{path}")  # an endpoint, not a file: endpoints/GET/users/...
    else:
        path, line = found
        url = links.line(path, line)
        label = text(f"{path}:{line}")
        where = f"[{label}]({url})" if url else label
    return f"| {text(severity)} | {rule_cell} | {where} | {text(result['message']['text'])} |"


def _results(log: dict[str, Any]) -> list[Result]:
    results: list[Result] = log["runs"][0]["results"]
    return results
