"""The benefits chart (issue 16): pounds planned against pounds realised by financial year,
as SVG drawn on the server with pygal and stripped as `programmes.charts` strips its
sparklines (no script, no tooltips, a small stylesheet of its own), so that the browser and
the PDF show the same picture. Planned is an outlined bar and realised a solid one, so the
two read apart in black and white too."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pygal
from django.core.cache import cache
from pygal.style import Style

from programmes.charts import _OVERLAYS, _STYLE, CACHE_SECONDS, _clean, as_data_uri

BLUE = "#1d70b8"
GREEN = "#00703c"
BLACK = "#0b0c0c"
GREY = "#b1b4b6"

# pygal's own stylesheet is 8 KB; the chart needs only its bars, axes and words.
CHART_STYLE = (
    "<style>"
    "text{font-family:arial,sans-serif;font-size:12px;fill:#0b0c0c}"
    ".axis.y text{text-anchor:end}.axis.x text{text-anchor:middle}"
    ".background,.plot .background{fill:none}"
    ".axis .line,.axis .guides .line{stroke:#0b0c0c;stroke-width:1}"
    ".axis .guide.line,.axis .guides .guide{stroke:#b1b4b6;stroke-dasharray:2,3}"
    ".axis.x .guide.line{stroke:none}"
    f".color-0,.color-0 rect{{fill:#ffffff;stroke:{BLUE};stroke-width:2}}"
    f".color-1,.color-1 rect{{fill:{GREEN};stroke:{GREEN};stroke-width:1}}"
    ".legends rect{stroke-width:2}"
    "</style>"
)


def _pounds(value: float) -> str:
    value = float(value)
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f}m"
    if abs(value) >= 10_000:
        return f"£{value / 1_000:,.0f}k"
    return f"£{value:,.0f}"


def _draw(years: Sequence, width: int, height: int) -> str:
    style = Style(
        background="transparent",
        plot_background="transparent",
        colors=("#ffffff", GREEN),
        font_family="arial, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
    )
    chart = pygal.Bar(
        style=style,
        js=[],
        width=width,
        height=height,
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        legend_box_size=12,
        x_label_rotation=0,
        truncate_label=-1,
        print_values=False,
        show_minor_x_labels=True,
        margin=8,
    )
    chart.x_labels = [year.label for year in years]
    chart.value_formatter = _pounds
    chart.add("Planned", [float(year.planned) for year in years])
    chart.add(
        "Realised",
        [float(year.realised) if year.realised is not None else None for year in years],
    )
    svg = chart.render()
    svg = _clean(svg.decode("utf-8") if isinstance(svg, bytes) else svg)
    return _OVERLAYS.sub("", _STYLE.sub(CHART_STYLE, svg, count=1))


def benefits_chart(years: Sequence, *, width: int = 640, height: int = 300) -> str:
    """The chart as an image source (a data: URI of the SVG). `years` are totals by year
    (`workstreams.benefits.YearTotals`: label, planned, realised or None). Kept in the shared
    cache, keyed by exactly what it shows."""
    key = (
        "benefits-chart:"
        + hashlib.sha256(
            repr(
                (
                    [(y.label, str(y.planned), str(y.realised)) for y in years],
                    width,
                    height,
                    CHART_STYLE,
                )
            ).encode()
        ).hexdigest()
    )
    uri = cache.get(key)
    if uri is None:
        uri = as_data_uri(_draw(years, width, height))
        cache.set(key, uri, timeout=CACHE_SECONDS)
    return uri


def chart_summary(years: Sequence) -> str:
    """The chart in words: "2026/27: planned £120,000, realised £100,000; ..."."""
    if not years:
        return "No benefits counted in pounds have a profile yet."
    parts = []
    for year in years:
        realised = (
            f"realised £{year.realised:,.0f}" if year.realised is not None else "nothing recorded"
        )
        parts.append(f"{year.label}: planned £{year.planned:,.0f}, {realised}")
    return "Benefits in pounds by financial year. " + "; ".join(parts) + "."
