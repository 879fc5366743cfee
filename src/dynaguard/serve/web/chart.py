"""The trend charts of a project page: findings per scan by severity or category, inline SVG.

Pure and server-rendered: no script, no library from a CDN. Only numbers and constant names
reach the SVG (no text from a report), and colours are presentation attributes, not ``style``,
so the page's CSP needs no inline styles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SEVERITIES = {
    "critical": "#7f1d1d",
    "high": "#dc2626",
    "medium": "#f59e0b",
    "low": "#3b82f6",
    "info": "#9ca3af",
}
"""Severity -> colour, most severe first (drawn at the bottom of a bar)."""
CATEGORY_COLOURS: tuple[str, ...] = (
    "#1d4ed8",
    "#047857",
    "#b45309",
    "#7c3aed",
    "#be123c",
    "#0e7490",
    "#4d7c0f",
    "#6b7280",
)
WIDTH, HEIGHT, MARGIN = 720, 220, 32


@dataclass(frozen=True, slots=True)
class Point:
    """One scan: its label on the x axis (the scan number) and its counts by severity."""

    label: str
    counts: dict[str, int]


def categories(names: Sequence[str]) -> dict[str, str]:
    """Category id -> colour, in the given order."""
    return {name: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, name in enumerate(names)}


def render(points: Sequence[Point], series: Mapping[str, str], what: str) -> Markup:
    """Stacked bars of ``series`` (key -> colour), one bar per scan, oldest left; ``what``
    names the chart for screen readers. An empty chart says so."""
    if not points:
        return Markup('<p class="empty">No scans yet.</p>')
    peak = max(1, *(sum(p.counts.values()) for p in points))
    step = (WIDTH - 2 * MARGIN) / len(points)
    bars = [_bar(i, point, step, peak, series) for i, point in enumerate(points)]
    legend = [_legend(i, key, colour) for i, (key, colour) in enumerate(series.items())]
    axis = (
        f'<text x="4" y="{MARGIN}" font-size="11">{peak}</text>'
        f'<text x="4" y="{HEIGHT - MARGIN}" font-size="11">0</text>'
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
        f'y2="{HEIGHT - MARGIN}" stroke="#555"/>'
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(what)}" class="chart">'
        f"{axis}{''.join(bars)}{''.join(legend)}</svg>"
    )


def _bar(index: int, point: Point, step: float, peak: int, series: Mapping[str, str]) -> str:
    x = MARGIN + index * step + step * 0.1
    width = max(step * 0.8, 1.0)
    bottom = float(HEIGHT - MARGIN)
    parts = []
    for key, colour in series.items():
        count = point.counts.get(key, 0)
        if not count:
            continue
        height = count / peak * (HEIGHT - 2 * MARGIN)
        bottom -= height
        title = escape(f"scan {point.label}: {count} {key}")
        parts.append(
            f'<rect x="{x:.1f}" y="{bottom:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="{colour}"><title>{title}</title></rect>'
        )
    return "".join(parts)


def _legend(index: int, key: str, colour: str) -> str:
    x = MARGIN + index * 80
    return (
        f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{colour}"/>'
        f'<text x="{x + 14}" y="{HEIGHT - 9}" font-size="11">{escape(key)}</text>'
    )
