"""Report formatters: pure functions ``render(report) -> str``, one module per format.

Only the CLI writes what they return. This package imports nothing from the project but
``dynaguard.model`` and ``dynaguard.catalogue`` (ARCHITECTURE.md, checked by a test).
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterator, Mapping

from dynaguard.model import Report


class OutputFormat(enum.Enum):
    """The choices of ``--format``."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    HTML = "html"
    GITLAB_SAST = "gitlab-sast"
    GITHUB_SUMMARY = "github-summary"


Formatter = Callable[[Report], str]


class _Formatters(Mapping[OutputFormat, Formatter]):
    """Each format's ``render``, its module imported when first asked for.

    NOTE: lazily, because the HTML formatter pulls in jinja2 and a one-file ``dynaguard code``
    run printing text must start fast (docs/benchmarks.md, start-up).
    """

    def __getitem__(self, fmt: OutputFormat) -> Formatter:
        module = importlib.import_module(f"dynaguard.report.{fmt.value.replace('-', '_')}")
        formatter: Formatter = module.render
        return formatter

    def __iter__(self) -> Iterator[OutputFormat]:
        return iter(OutputFormat)

    def __len__(self) -> int:
        return len(OutputFormat)


FORMATTERS: Mapping[OutputFormat, Formatter] = _Formatters()
"""Every output format's formatter (a test checks that each format's module exists)."""


def render(report: Report, fmt: OutputFormat) -> str:
    """The report in the given format."""
    return FORMATTERS[fmt](report)


__all__ = ["FORMATTERS", "Formatter", "OutputFormat", "render"]
