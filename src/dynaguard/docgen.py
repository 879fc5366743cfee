"""Generate docs/rules/DGxxx.md from the catalogue: ``python -m dynaguard.docgen docs/rules``.

The "Example output" section is produced by running the analyser on the rule's own example, so a
page cannot claim what the analyser does not do.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from dynaguard.catalogue import CATALOGUE
from dynaguard.catalogue.docs import rule_markdown
from dynaguard.catalogue.prelude import with_prelude
from dynaguard.model import Finding, FlowStep, Location, Report, Rule
from dynaguard.report import OutputFormat, render
from dynaguard.static import analyse_source, implemented_rules

# The prelude is not shown in the docs, so line numbers are shifted to match the example as shown.
_OFFSET = with_prelude("").count("\n")


def _shift(location: Location) -> Location:
    return replace(location, line=max(1, location.line - _OFFSET))


def _unprelude(finding: Finding) -> Finding:
    flow = tuple(FlowStep(_shift(step.location), step.note) for step in finding.flow)
    location = _shift(finding.location) if finding.location else None
    return replace(finding, location=location, flow=flow)


def example_output(rule: Rule) -> str:
    """The text report of ``dynaguard code`` on the rule's example (prelude hidden)."""
    found = analyse_source(with_prelude(rule.doc.example), path="example.py", rules=[rule])
    findings = tuple(_unprelude(f) for f in found)
    return render(
        Report(findings=findings, files_scanned=1, target="example.py"), OutputFormat.TEXT
    )


def rule_page(rule: Rule) -> str:
    static = rule in implemented_rules()
    return rule_markdown(rule, example_output(rule) if static else None)


def generate(directory: Path) -> list[Path]:
    """Write one page per rule; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for rule in CATALOGUE:
        path = directory / f"{rule.id}.md"
        path.write_text(rule_page(rule), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("docs/rules")
    for path in generate(target):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
