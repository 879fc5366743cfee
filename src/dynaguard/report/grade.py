"""The report's grade: a score out of 100 and a letter, for the whole report and per category.

The formula, so anyone can recompute a grade by hand::

    score = max(0, 100 - ceil(sum(POINTS[severity] * WEIGHT[confidence] for each finding)))

    POINTS: critical 25, high 15, medium 8, low 3, info 1
    WEIGHT: confirmed 1.0, high 0.8, medium 0.5, low 0.25

    letter: A >= 90, B >= 80, C >= 70, D >= 60, F otherwise

Severity and confidence are the finding's effective ones. One confirmed critical finding gives
75 (C), one high-confidence high finding 88 (B), and a clean report 100 (A). A category's score
is the same formula over the findings of that category (the hundreds digit of the rule id).
The CLI may fix the grade itself in ``Report.extra["grade"]``/``["score"]``; the formatters
prefer those values and fall back to this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from dynaguard.model import Confidence, Finding, Severity

POINTS: Mapping[Severity, int] = MappingProxyType(
    {
        Severity.CRITICAL: 25,
        Severity.HIGH: 15,
        Severity.MEDIUM: 8,
        Severity.LOW: 3,
        Severity.INFO: 1,
    }
)
"""Points a finding of each severity costs when confirmed."""

WEIGHT_PERCENT: Mapping[Confidence, int] = MappingProxyType(
    {
        Confidence.CONFIRMED: 100,
        Confidence.HIGH: 80,
        Confidence.MEDIUM: 50,
        Confidence.LOW: 25,
    }
)
"""Share of the points charged at each confidence, in percent (integers keep it exact)."""

LETTER_FLOORS: tuple[tuple[str, int], ...] = (("A", 90), ("B", 80), ("C", 70), ("D", 60))
"""The lowest score of each letter; below the last one the letter is ``F``."""

CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "DG1": "Mass assignment",
        "DG2": "Authorization",
        "DG3": "Validation",
        "DG4": "Concurrency",
        "DG5": "Atomicity",
        "DG6": "Streams",
        "DG7": "Injection",
        "DG8": "Exposure",
    }
)
"""Rule categories (the hundreds digit of the id) and their names, in id order."""


@dataclass(frozen=True, slots=True)
class Grade:
    """A score and its letter."""

    score: int
    """0 to 100."""
    letter: str
    """``A`` to ``F``."""


@dataclass(frozen=True, slots=True)
class CategoryGrade:
    """The grade of one rule category."""

    category: str
    """``DG1``."""
    name: str
    """``Mass assignment``."""
    findings: int
    """Number of findings in the category."""
    grade: Grade
    """The formula applied to the category's findings alone."""


def penalty_percent(finding: Finding) -> int:
    """What one finding costs, in hundredths of a point."""
    return POINTS[finding.effective_severity] * WEIGHT_PERCENT[finding.effective_confidence]


def score(findings: Iterable[Finding]) -> int:
    """``max(0, 100 - ceil(total penalty))``."""
    total = sum(penalty_percent(f) for f in findings)
    return max(0, 100 - -(-total // 100))


def letter(value: int) -> str:
    """The letter of a score."""
    return next((name for name, floor in LETTER_FLOORS if value >= floor), "F")


def grade(findings: Iterable[Finding]) -> Grade:
    """The score and letter of these findings."""
    value = score(findings)
    return Grade(value, letter(value))


def category_grades(findings: Iterable[Finding]) -> tuple[CategoryGrade, ...]:
    """Every known category (clean ones included) in id order, then any unknown one found."""
    by_category: dict[str, list[Finding]] = {category: [] for category in CATEGORIES}
    unknown: dict[str, list[Finding]] = {}
    for finding in findings:
        category = finding.rule.category
        (by_category if category in CATEGORIES else unknown).setdefault(category, []).append(
            finding
        )
    return tuple(
        CategoryGrade(category, CATEGORIES.get(category, "Other"), len(found), grade(found))
        for category, found in [*by_category.items(), *sorted(unknown.items())]
    )


__all__ = [
    "CATEGORIES",
    "LETTER_FLOORS",
    "POINTS",
    "WEIGHT_PERCENT",
    "CategoryGrade",
    "Grade",
    "category_grades",
    "grade",
    "letter",
    "penalty_percent",
    "score",
]
