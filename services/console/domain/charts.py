"""Numbers as pictures, drawn on the server as SVG: the seats bar and the per-agency bars.

Colours differ in lightness as well as hue (and the waitlist is hatched), so the charts read in
grayscale; every chart carries its numbers as text and an aria-label for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

TAKEN = "#1d70b8"
FREE = "#f3f2f1"
OUTLINE = "#0b0c0c"
WAITLIST = "#f47738"
SERIES_COLOURS = {"registered": "#b1b4b6", "confirmed": "#1d70b8", "checked_in": "#00703c", "joined_online": "#f47738"}
SERIES = tuple(SERIES_COLOURS)

BAR_WIDTH = 300
WAITLIST_MAX_WIDTH = 90
BAR_HEIGHT = 24


@dataclass(frozen=True)
class SeatsFigure:
    """The segment widths of a seats bar, computed apart from the drawing so they can be checked."""

    taken_width: float
    free_width: float
    waitlist_width: float


def seats_figure(taken: int, capacity: int, waitlisted: int) -> SeatsFigure:
    """Widths for `taken` of `capacity` seats and the waitlist beside them (scaled like seats, capped)."""
    taken, capacity, waitlisted = max(taken, 0), max(capacity, 0), max(waitlisted, 0)
    if capacity == 0:
        taken_width = 0.0
    else:
        taken_width = BAR_WIDTH * min(taken, capacity) / capacity
    if waitlisted == 0:
        waitlist_width = 0.0
    else:
        per_seat = BAR_WIDTH / capacity if capacity else BAR_WIDTH
        # A waitlist is always visible (at least 6 px) and never wider than the space beside the bar.
        waitlist_width = min(WAITLIST_MAX_WIDTH, max(6.0, per_seat * waitlisted))
    return SeatsFigure(round(taken_width, 2), round(BAR_WIDTH - taken_width, 2), round(waitlist_width, 2))


def _hatch(pattern_id: str) -> str:
    return (
        f'<defs><pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{WAITLIST}"/><rect width="2" height="6" fill="{OUTLINE}"/></pattern></defs>'
    )


def seats_bar(taken: int, capacity: int, waitlisted: int, label: str, uid: str = "s") -> str:
    """An SVG bar: taken seats dark, free seats light, the waitlist hatched beside it; `label` is its accessible text."""
    figure = seats_figure(taken, capacity, waitlisted)
    width = BAR_WIDTH + 10 + WAITLIST_MAX_WIDTH
    pattern_id = f"wl-{escape(uid, quote=True)}"
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {BAR_HEIGHT + 2}" width="{width}" height="{BAR_HEIGHT + 2}" role="img" aria-label="{escape(label, quote=True)}">',
        f"<title>{escape(label)}</title>",
        _hatch(pattern_id),
        f'<rect x="1" y="1" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" fill="{FREE}" stroke="{OUTLINE}" stroke-width="1"/>',
    ]
    if figure.taken_width:
        parts.append(f'<rect class="taken" x="1" y="1" width="{figure.taken_width}" height="{BAR_HEIGHT}" fill="{TAKEN}"/>')
    if figure.waitlist_width:
        parts.append(
            f'<rect class="waitlist" x="{BAR_WIDTH + 11}" y="1" width="{figure.waitlist_width}" height="{BAR_HEIGHT}" fill="url(#{pattern_id})" stroke="{OUTLINE}" stroke-width="1"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def agency_bars(rows: Sequence[dict], series_labels: dict[str, str], label: str) -> str:
    """Per agency, one bar per series (registered, confirmed, checked in, joined online) with its number."""
    scale_max = max([max(int(row.get(key) or 0) for key in SERIES) for row in rows] + [1])
    # Narrow enough to stay legible when a phone scales it down; the stylesheet widens it on a desk.
    name_height, bar_height, gap, width, bar_area = 20, 11, 12, 400, 340
    group_height = name_height + len(SERIES) * (bar_height + 2) + gap
    height = max(group_height * len(rows), 1)
    parts = [
        f'<svg class="chart chart--agencies" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{escape(label, quote=True)}">',
        f"<title>{escape(label)}</title>",
    ]
    for index, row in enumerate(rows):
        top = index * group_height
        name = str(row.get("agency_name") or "")
        shown = name if len(name) <= 52 else name[:51] + "…"
        parts.append(
            f'<text x="0" y="{top + 15}" font-size="13" font-weight="700" fill="{OUTLINE}" font-family="sans-serif">{escape(shown)}</text>'
        )
        for number, key in enumerate(SERIES):
            value = int(row.get(key) or 0)
            y = top + name_height + number * (bar_height + 2)
            bar = round(bar_area * value / scale_max, 2)
            parts.append(
                f'<rect class="{key}" x="0" y="{y}" width="{max(bar, 1)}" height="{bar_height}" fill="{SERIES_COLOURS[key]}"><title>{escape(series_labels[key])}: {value}</title></rect>'
            )
            parts.append(
                f'<text x="{bar + 6}" y="{y + bar_height - 1}" font-size="12" fill="{OUTLINE}" font-family="sans-serif">{value}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
