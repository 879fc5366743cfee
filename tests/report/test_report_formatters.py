"""Every format: registered, deterministic and snapshot-stable (layering: tests/test_layering.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from dynaguard.model import Report
from dynaguard.report import FORMATTERS, OutputFormat, render

SUFFIX = {
    OutputFormat.TEXT: "txt",
    OutputFormat.JSON: "json",
    OutputFormat.SARIF: "sarif",
    OutputFormat.JUNIT: "xml",
    # Not ".md": ruff formats Python code blocks inside .md files, which would edit the snapshot.
    OutputFormat.MARKDOWN: "markdown",
    OutputFormat.HTML: "html",
    OutputFormat.GITLAB_SAST: "gitlab-sast.json",
    OutputFormat.GITHUB_SUMMARY: "github-summary.markdown",
}


def test_every_output_format_has_a_formatter() -> None:
    # Each format's module is imported on first use: every one must exist and render.
    assert all(callable(FORMATTERS[fmt]) for fmt in FORMATTERS)
    assert set(FORMATTERS) == set(OutputFormat)
    assert set(SUFFIX) == set(OutputFormat)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_render_dispatches_to_the_formatter(fmt: OutputFormat, full_report: Report) -> None:
    assert render(full_report, fmt) == FORMATTERS[fmt](full_report)


@pytest.mark.parametrize("fmt", list(OutputFormat))
@pytest.mark.parametrize("name", ["full", "empty"])
def test_output_matches_snapshot(
    fmt: OutputFormat,
    name: str,
    request: pytest.FixtureRequest,
    snapshot: Callable[[str, str], None],
) -> None:
    report: Report = request.getfixturevalue(f"{name}_report")
    snapshot(f"{name}.{SUFFIX[fmt]}", render(report, fmt))


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_output_does_not_depend_on_finding_order(fmt: OutputFormat, full_report: Report) -> None:
    reversed_report = replace(full_report, findings=tuple(reversed(full_report.findings)))
    assert render(reversed_report, fmt) == render(full_report, fmt)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_output_ends_with_one_newline(fmt: OutputFormat, full_report: Report) -> None:
    out = render(full_report, fmt)
    assert out.endswith("\n")
    assert not out.endswith("\n\n")
