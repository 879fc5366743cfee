"""GitHub Actions workflow commands (``::error file=...,line=...::message``) for findings.

They show on the pull request's diff without code scanning. Pure: the caller prints them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

ENDPOINT_PREFIX = "endpoints/"
"""SARIF's synthetic path for a finding with no source file (``report/sarif.py``): no line to
annotate in the diff."""


def escape_data(value: str) -> str:
    """A command's message: ``%``, CR and LF escaped as the runner expects."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command's property value: the message's escapes plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, path: str, line: int, title: str, message: str) -> str:
    """One workflow command; ``level`` is error, warning or notice."""
    props = f"file={escape_property(path)},line={line},title={escape_property(title)}"
    return f"::{level} {props}::{escape_data(message)}"


def location(result: dict[str, Any]) -> tuple[str, int] | None:
    """The file and line of a SARIF result, when it has a real source location."""
    physical = result["locations"][0]["physicalLocation"]
    uri: str = physical["artifactLocation"]["uri"]
    if uri.startswith(ENDPOINT_PREFIX) and "uriBaseId" not in physical["artifactLocation"]:
        return None
    return unquote(uri), int(physical["region"]["startLine"])
