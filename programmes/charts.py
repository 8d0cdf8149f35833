"""Charts as SVG, drawn on the server so that the browser and the PDF show the same picture
(pygal does the geometry). Each comes with a text alternative for screen readers."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from datetime import date

import pygal
from django.core.cache import cache
from pygal.style import Style

CACHE_SECONDS = 60 * 60 * 24 * 7
BLUE = "#1d70b8"
DARK_GREY = "#505a5f"

_SCRIPT = re.compile(r"<script.*?</script>", re.DOTALL)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
_OVERLAYS = re.compile(
    r'<g transform="[^"]*" class="plot (?:overlay|text-overlay|tooltip-overlay)">.*?</g></g>',
    re.DOTALL,
)
# pygal's own stylesheet is 8 KB per chart; a sparkline needs only its lines, which matters
# when a dashboard or a report carries fifty of them.
SPARKLINE_STYLE = (
    "<style>.line{fill:none;stroke-width:2}"
    ".serie-0 .line{stroke:{actual}}"
    ".serie-1 .line{stroke:{target};stroke-width:1.5;stroke-dasharray:4,3}"
    ".background{fill:none}</style>"
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _clean(svg: str) -> str:
    """Drop pygal's script and comments: pictures here never run code."""
    return _COMMENT.sub("", _SCRIPT.sub("", svg))


def sparkline(
    actuals: Sequence[float | None],
    targets: Sequence[float | None] | None = None,
    *,
    width: int = 160,
    height: int = 40,
) -> str:
    """A small trend line of actuals (solid), with the target (dashed) where there is one:
    the dash, not only the colour, tells them apart in black and white.

    Drawing one takes pygal a few milliseconds and a dashboard shows dozens, so each picture
    is kept in the shared cache, keyed by exactly what it shows.
    """
    key = (
        "sparkline:"
        + hashlib.sha256(
            repr(
                ([str(v) for v in actuals], [str(t) for t in targets or []], width, height)
            ).encode()
        ).hexdigest()
    )
    svg = cache.get(key)
    if svg is None:
        svg = _draw_sparkline(actuals, targets, width=width, height=height)
        cache.set(key, svg, timeout=CACHE_SECONDS)
    return svg


def _draw_sparkline(actuals, targets, *, width: int, height: int) -> str:
    style = Style(
        background="transparent",
        plot_background="transparent",
        colors=(BLUE, DARK_GREY),
        stroke_width="2",
        stroke_opacity="1",
    )
    chart = pygal.Line(style=style, js=[], show_dots=False, stroke_style={"width": 2})
    chart.add("Actual", [float(v) if v is not None else None for v in actuals])
    if targets and any(t is not None for t in targets):
        chart.add(
            "Target",
            [float(t) if t is not None else None for t in targets],
            stroke_style={"width": 1.5, "dasharray": "4,3"},
        )
    svg = chart.render_sparkline(width=width, height=height, interpolate=None)
    svg = _clean(svg.decode("utf-8") if isinstance(svg, bytes) else svg)
    style = SPARKLINE_STYLE.replace("{actual}", BLUE).replace("{target}", DARK_GREY)
    return _OVERLAYS.sub("", _STYLE.sub(style, svg, count=1))


def as_data_uri(svg: str) -> str:
    """An SVG as an image source: styles inside it are its own, so the page's strict
    Content Security Policy applies unchanged, and WeasyPrint draws it the same way."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def score_history(
    points: Sequence[tuple[str, int]],
    *,
    amber_from: int,
    red_from: int,
    width: int = 560,
    height: int = 200,
) -> str:
    """A risk's current score at each change (likelihood x impact, 1-25), with the programme's
    Amber and Red thresholds as dashed lines, so the chart shows when it crossed a band."""
    style = Style(
        background="transparent",
        plot_background="transparent",
        colors=(BLUE, "#d4351c", "#f47738"),
        font_family="arial, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        stroke_width="2",
        stroke_opacity="1",
    )
    chart = pygal.Line(
        style=style,
        js=[],
        width=width,
        height=height,
        range=(0, 25),
        show_legend=True,
        legend_at_bottom=True,
        legend_box_size=10,
        x_label_rotation=0,
        show_minor_x_labels=False,
        x_labels_major_count=6,
        y_labels=[0, 5, 10, 15, 20, 25],
        dots_size=3,
        truncate_label=12,
    )
    chart.x_labels = [label for label, _ in points]
    chart.add("Score", [score for _, score in points])
    chart.add(
        f"Red from {red_from}",
        [red_from] * len(points),
        show_dots=False,
        stroke_style={"width": 1, "dasharray": "6,4"},
    )
    chart.add(
        f"Amber from {amber_from}",
        [amber_from] * len(points),
        show_dots=False,
        stroke_style={"width": 1, "dasharray": "2,4"},
    )
    svg = chart.render()
    return _clean(svg.decode("utf-8") if isinstance(svg, bytes) else svg)


# The GOV.UK tag colours of each rating, and its letter, so that the strip reads in black and
# white too (DOMAIN.md section 3: never colour alone).
RAG_CELLS = {
    "red": ("#d4351c", "#ffffff", "R"),
    "amber": ("#f47738", "#0b0c0c", "A"),
    "green": ("#00703c", "#ffffff", "G"),
    "complete": ("#1d70b8", "#ffffff", "C"),
}
NOT_RATED = ("#f3f2f1", "#505a5f", "\u2013")


def rag_strip(points: Sequence[tuple[str, object]], *, cell: int = 22, gap: int = 2) -> str:
    """A row of small squares, one per period, oldest first: each coloured as its rating with
    the rating's letter in it, and the period's name under the first, the middle and the last.
    `points` are (label, Rag or None). Drawn by hand: twelve squares need no charting library."""
    width = len(points) * (cell + gap)
    height = cell + 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="arial, sans-serif">'
    ]
    labelled = {0, len(points) // 2, len(points) - 1}
    for index, (label, rag) in enumerate(points):
        value = getattr(rag, "value", rag)
        fill, ink, letter = RAG_CELLS.get(value, NOT_RATED)
        x = index * (cell + gap)
        name = getattr(rag, "label", None) or "Not rated"
        parts.append(
            f"<g><title>{html.escape(str(label))}: {name}</title>"
            f'<rect x="{x}" y="0" width="{cell}" height="{cell}" fill="{fill}" stroke="#0b0c0c" '
            f'stroke-width="0.5"/>'
            f'<text x="{x + cell / 2}" y="{cell / 2 + 4}" font-size="11" font-weight="bold" '
            f'text-anchor="middle" fill="{ink}">{letter}</text></g>'
        )
        if index in labelled:
            anchor = "start" if index == 0 else ("end" if index == len(points) - 1 else "middle")
            tx = x if anchor == "start" else (x + cell if anchor == "end" else x + cell / 2)
            parts.append(
                f'<text x="{tx}" y="{height - 3}" font-size="10" text-anchor="{anchor}" '
                f'fill="#505a5f">{html.escape(str(label))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


# Lines told apart in black and white too: each series its own dash as well as its colour.
TREND_COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#505a5f", "#912b88")
TREND_DASHES = ("", "6,3", "2,3", "8,3,2,3", "4,4", "1,2", "10,4")


def _month_ticks(first: date, last: date, most: int = 7) -> list[date]:
    """Month starts from `first` to `last`, every n-th month so that there are at most `most`."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = max(1, -(-months // most))
    ticks = []
    year, month = first.year, first.month
    for index in range(0, months + 1, step):
        total = first.month - 1 + index
        year, month = first.year + total // 12, total % 12 + 1
        ticks.append(date(year, month, 1))
    return ticks


def forecast_trend(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[date | None]]],
    *,
    width: int = 640,
    height: int = 320,
) -> str:
    """Milestone trend analysis: x the periods' ends, y a date, one line per milestone
    (`series`: its reference and its date at each x, None before it was planned). A line that
    rises is a milestone whose date moved later."""
    known = [day for _, days in series for day in days if day is not None]
    style = Style(
        background="transparent",
        plot_background="transparent",
        colors=TREND_COLOURS,
        font_family="arial, sans-serif",
        label_font_size=11,
        major_label_font_size=11,
        legend_font_size=11,
        stroke_width="2",
        stroke_opacity="1",
    )
    chart = pygal.Line(
        style=style,
        js=[],
        width=width,
        height=height,
        show_legend=bool(series),
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(series), 6) or 1,
        legend_box_size=10,
        x_label_rotation=0,
        show_minor_x_labels=False,
        x_labels_major_count=7,
        dots_size=3,
        truncate_label=10,
        truncate_legend=14,
        allow_interruptions=True,
        print_values=False,
    )
    chart.x_labels = list(labels)
    if known:
        low, high = min(known), max(known)
        ticks = _month_ticks(low.replace(day=1), high)
        chart.y_labels = [{"label": f"{tick:%b %Y}", "value": tick.toordinal()} for tick in ticks]
        chart.range = (ticks[0].toordinal(), max(high.toordinal(), ticks[-1].toordinal()))
    chart.value_formatter = lambda value: date.fromordinal(int(value)).strftime("%-d %b %Y")
    for index, (name, days) in enumerate(series):
        dash = TREND_DASHES[index % len(TREND_DASHES)]
        chart.add(
            name,
            [day.toordinal() if day is not None else None for day in days],
            stroke_style={"width": 2, "dasharray": dash} if dash else {"width": 2},
        )
    svg = chart.render()
    return _compact_trend(_clean(svg.decode("utf-8") if isinstance(svg, bytes) else svg))


# What of pygal's stylesheet a trend chart uses, without the chart's id before every rule: its
# 18.6 KB carry hover, tooltip, gauge and map rules for nothing. The series' colours and dashes
# are pygal's own (it darkens the palette for lines beyond the seventh), kept from its rules.
TREND_STYLE = (
    "text{font-family:arial,sans-serif;font-size:11px;fill:#0b0c0c;stroke:none}"
    ".background{fill:none}.nofill{fill:none}"
    ".axis .line{stroke:#0b0c0c}"
    ".axis .guide.line{fill:none;stroke:#0b0c0c;stroke-dasharray:4,4}"
    ".axis .major.guide.line{stroke-dasharray:6,6}"
    ".axis.x text{text-anchor:middle}.axis.y text{text-anchor:end}"
    ".reactive{fill-opacity:.7;stroke-opacity:1;stroke-width:2}"
    ".dot{stroke-width:1px;fill-opacity:1;stroke-opacity:1}"
)
_ID_PREFIX = re.compile(r"#chart-[0-9a-f-]+ ")
_SERIES_RULE = re.compile(r"\.(color-\d+|series\.serie-\d+)(?:,[^{]*)?(\{[^}]*\})")
_TOOLTIP_DATA = re.compile(r"<desc [^>]*>[^<]*</desc>")
_EMPTY_OVERLAYS = re.compile(
    r'<g transform="[^"]*" class="plot (?:text-overlay|tooltip-overlay)">.*?</g></g>',
    re.DOTALL,
)
# The x axis's guides are drawn with opacity 0 (a vertical line chart shows only the y's).
_HIDDEN_GUIDES = re.compile(r'<path d="[^"]*" class="major guide line" />')


def _compact_trend(svg: str) -> str:
    """The trend chart as it looks, without what never shows: the tooltips' data (a `<desc>`
    for each dot's value, x, y and label: 1,820 of them for 35 lines), the empty overlays, the
    hidden guides, and most of pygal's stylesheet. WeasyPrint styles and walks every element
    of an SVG, so a report draws the chart in a fraction of the time; a browser too."""
    style = _STYLE.search(svg)
    rules = (
        [f".{name}{body}" for name, body in _SERIES_RULE.findall(_ID_PREFIX.sub("", style[0]))]
        if style
        else []
    )
    svg = _STYLE.sub(lambda _: f"<style>{TREND_STYLE}{''.join(rules)}</style>", svg, count=1)
    svg = _TOOLTIP_DATA.sub("", svg)
    svg = _EMPTY_OVERLAYS.sub("", svg)
    axis_x = svg.find('<g class="axis x">')
    if axis_x >= 0:
        svg = svg[:axis_x] + _HIDDEN_GUIDES.sub("", svg[axis_x:])
    return svg
