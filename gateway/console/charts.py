"""Small charts drawn on the server as inline SVG (no JavaScript, no library): a run's cumulative progress lines.

Colours are SVG presentation attributes and CSS classes from console.css, so the page's Content-Security-Policy
(no inline style) holds. The chart carries a text alternative (`<title>` and `<desc>`) for screen readers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP, FONT = 400, 180, 40, 24, 10, 14
SERIES = (("sent", "#2563eb"), ("delivered", "#16a34a"), ("confirmed", "#d97706"))
DASHES = {"sent": ' stroke-dasharray="6 4"'}  # drawn last, dashed: "delivered" shows through where they are equal


def _points(values: list[int], top: int) -> str:
    width, height = WIDTH - PAD_LEFT - 4, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{PAD_LEFT + index * step:.1f},{PAD_TOP + height - (value / top) * height:.1f}"
        for index, value in enumerate(values)
    )


def _clock(iso: str, seconds: bool, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(iso).astimezone(zone).strftime("%H:%M:%S" if seconds else "%H:%M")


def progress_chart(timeline: dict[str, Any], labels: dict[str, str], title: str, zone: ZoneInfo) -> Markup:
    """The timeline (`campaigns.runs.run_timeline`) as an SVG line chart, one line per series, its time axis on the
    clock of `zone`; empty without data."""
    if not timeline["times"]:
        return Markup("")
    top = max(timeline["total"], 1)
    first, last = timeline["times"][0], timeline["times"][-1]
    seconds = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds() < 600
    base = HEIGHT - PAD_BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        f'data-testid="progress-chart" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<desc id="chart-desc">'
        + escape(", ".join(f"{labels[name]} {timeline[name][-1]}/{timeline['total']}" for name, _ in SERIES))
        + "</desc>",
        f'<line x1="{PAD_LEFT}" y1="{base}" x2="{WIDTH - 4}" y2="{base}" stroke="#888"/>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{base}" stroke="#888"/>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + FONT}" text-anchor="end" font-size="{FONT}">{top}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{base}" text-anchor="end" font-size="{FONT}">0</text>',
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 6}" font-size="{FONT}">{_clock(first, seconds, zone)}</text>',
        f'<text x="{WIDTH - 4}" y="{HEIGHT - 6}" text-anchor="end" font-size="{FONT}">'
        f"{_clock(last, seconds, zone)}</text>",
    ]
    for name, colour in reversed(SERIES):
        if any(timeline[name]):
            dash = DASHES.get(name, "")
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} data-series="{name}" '
                         f'points="{_points(timeline[name], top)}"/>')  # fmt: skip
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg width="14" height="4" aria-hidden="true"><rect width="14" height="4" fill="{colour}"/></svg> '
        f"{escape(labels[name])} {timeline[name][-1]}</li>"
        for name, colour in SERIES
    )
    return Markup("".join(parts) + f'<ul class="legend">{legend}</ul>')
