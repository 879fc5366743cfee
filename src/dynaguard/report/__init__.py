"""Report formatters: pure functions ``render(report) -> str``, one module per format.

Only the CLI writes what they return. This package imports nothing from the project but
``dynaguard.model`` and ``dynaguard.catalogue`` (ARCHITECTURE.md, checked by a test).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from types import MappingProxyType

from dynaguard.model import Report
from dynaguard.report import html, json, junit, markdown, sarif, text


class OutputFormat(enum.Enum):
    """The choices of ``--format``."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    HTML = "html"


Formatter = Callable[[Report], str]

FORMATTERS: Mapping[OutputFormat, Formatter] = MappingProxyType(
    {
        OutputFormat.TEXT: text.render,
        OutputFormat.JSON: json.render,
        OutputFormat.SARIF: sarif.render,
        OutputFormat.JUNIT: junit.render,
        OutputFormat.MARKDOWN: markdown.render,
        OutputFormat.HTML: html.render,
    }
)
"""Every output format's formatter (a test checks that no format is missing)."""


def render(report: Report, fmt: OutputFormat) -> str:
    """The report in the given format."""
    return FORMATTERS[fmt](report)


__all__ = ["FORMATTERS", "Formatter", "OutputFormat", "render"]
