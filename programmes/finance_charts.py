"""The finance page's charts as SVG (issue 16): money by financial year and by workstream, and
the whole-life cost's baseline against its forecast. Drawn on the server by pygal, without its
script, its 8 KB stylesheet and its hover overlays (as `programmes.charts` draws a sparkline),
so that the browser and a PDF show the same picture and the page's Content Security Policy is
unchanged. Each series has its own shade as well as its colour, so that the bars read in black
and white; the page gives the same figures in a table beside each chart.

Fed plain numbers: nothing here knows a model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

import pygal
from pygal.style import Style

from programmes.charts import as_data_uri

# Allocated light grey, spent blue, forecast near-black: three shades apart in grey too.
SERIES_FILLS = ("#b1b4b6", "#1d70b8", "#0b0c0c")
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
_SCRIPT = re.compile(r"<script.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_OVERLAYS = re.compile(
    r'<g transform="[^"]*" class="plot (?:overlay|text-overlay|tooltip-overlay)">.*?</g></g>',
    re.DOTALL,
)


def _own_style(fills: Sequence[str]) -> str:
    """The little a bar chart needs: text, guides, and each series' fill and outline."""
    series = "".join(
        f".color-{index} .rect,.legend .color-{index}{{fill:{fill};stroke:#0b0c0c;"
        "stroke-width:0.5}"
        for index, fill in enumerate(fills)
    )
    return (
        "<style>text{font-family:arial,sans-serif;font-size:12px;fill:#0b0c0c}"
        ".axis.y text{text-anchor:end}.axis.x text{text-anchor:middle}"
        ".background{fill:none}.axis .line{stroke:#0b0c0c;stroke-width:1}"
        ".guide.line{stroke:#b1b4b6;stroke-width:0.5;stroke-dasharray:2,3}"
        ".axis.x .guide.line{stroke:none}" + series + "</style>"
    )


def _strip(svg: str | bytes, fills: Sequence[str]) -> str:
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    text = _COMMENT.sub("", _SCRIPT.sub("", text))
    text = _STYLE.sub(_own_style(fills), text, count=1)
    return _OVERLAYS.sub("", text)


def _thousands(value: float) -> str:
    return f"£{value / 1000:,.0f}k" if abs(value) >= 1000 else f"£{value:,.0f}"


def _bars(
    chart_class,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal]]],
    *,
    width: int,
    height: int,
    fills: Sequence[str] = SERIES_FILLS,
    truncate_label: int = 12,
) -> str:
    fills = tuple(fills[: len(series)])
    style = Style(
        background="transparent",
        plot_background="transparent",
        colors=fills,
        # The sizes of `_own_style`, so that pygal leaves room for the labels it draws.
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
    )
    chart = chart_class(
        style=style,
        js=[],
        width=width,
        height=height,
        legend_at_bottom=True,
        legend_at_bottom_columns=len(series),
        legend_box_size=12,
        show_minor_y_labels=True,
        truncate_label=truncate_label,
        print_values=False,
        spacing=6,
    )
    chart.value_formatter = _thousands
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, [float(value) for value in values])
    return _strip(chart.render(is_unicode=True), fills)


def money_by_year(
    years: Sequence[str],
    allocated: Sequence[Decimal],
    spent: Sequence[Decimal],
    forecast: Sequence[Decimal],
    *,
    width: int = 640,
    height: int = 300,
) -> str:
    """Allocated, spent and forecast outturn for each financial year, side by side."""
    return _bars(
        pygal.Bar,
        years,
        [("Allocated", allocated), ("Spent", spent), ("Forecast", forecast)],
        width=width,
        height=height,
    )


def money_by_workstream(
    workstreams: Sequence[str],
    allocated: Sequence[Decimal],
    forecast: Sequence[Decimal],
    *,
    width: int = 640,
    height: int = 300,
) -> str:
    """Allocated against forecast outturn for each workstream over the programme's life, named
    by reference (the table beside it gives the names)."""
    return _bars(
        pygal.Bar,
        workstreams,
        [("Allocated", allocated), ("Forecast", forecast)],
        width=width,
        height=height,
        fills=(SERIES_FILLS[0], SERIES_FILLS[2]),
    )


def whole_life_cost(
    baseline: Decimal, forecast: Decimal, *, width: int = 640, height: int = 220
) -> str:
    """The whole-life cost the programme was approved at against its forecast."""
    return _bars(
        pygal.Bar,
        ["Whole-life cost"],
        [("Baseline", [baseline]), ("Forecast", [forecast])],
        width=width,
        height=height,
        fills=(SERIES_FILLS[0], SERIES_FILLS[2]),
        truncate_label=20,
    )


__all__ = ["as_data_uri", "money_by_workstream", "money_by_year", "whole_life_cost"]
