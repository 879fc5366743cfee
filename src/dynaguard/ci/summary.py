"""The job summary (``$GITHUB_STEP_SUMMARY``): counts and the new findings, linked to their lines.

Pure: built from the SARIF log ``dynaguard code`` wrote (every result with its baseline state and
suppressions) and where the commit lives on GitHub; ``ci/github.py`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from dynaguard.ci.annotate import location
from dynaguard.report.markdown import text

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


def render(log: dict[str, Any], links: Links, *, title: str, failed: bool) -> str:
    """The summary of one SARIF log, as markdown."""
    new = gated(log)
    verdict = "failed" if failed else "passed"
    lines = [f"## {text(title)}: {len(new)} new finding{'s' * (len(new) != 1)} (gate {verdict})"]
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
        where = text(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
    else:
        path, line = found
        url = links.line(path, line)
        label = text(f"{path}:{line}")
        where = f"[{label}]({url})" if url else label
    return f"| {text(severity)} | {rule_cell} | {where} | {text(result['message']['text'])} |"


def _results(log: dict[str, Any]) -> list[Result]:
    results: list[Result] = log["runs"][0]["results"]
    return results
