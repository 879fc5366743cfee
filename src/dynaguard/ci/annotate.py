"""GitHub Actions workflow commands (``::error file=...,line=...::message``) for findings.

They show on the pull request's diff without code scanning. Pure: the caller prints them.
"""

from __future__ import annotations

from dynaguard.report.github_summary import location

__all__ = ["annotation", "escape_data", "escape_property", "location"]


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
