"""The highlight report's charts, drawn for speed without losing what they show (issue 17):
the trend chart without pygal's tooltips and most of its stylesheet, but with each line's
colour and dash; at most seven lines in the report, those whose date moved first, and the
note saying which; the Gantt's areas as pictures with their names as text."""

import base64
import re
from datetime import date

from programmes.charts import TREND_DASHES, forecast_trend
from programmes.dates import PlanDate
from reporting.reports import TREND_LINES, trend_chart
from reporting.trend import MilestoneTrend, TrendLine
from workstreams.models import Milestone

LABELS = ["Aug 2026", "Sep 2026", "Oct 2026", "Now"]
MOMENTS = [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 15)]


def _steady(reference: str, day: date) -> TrendLine:
    return TrendLine(Milestone(reference=reference), [PlanDate.of_day(day)] * len(MOMENTS))


def _moving(reference: str, days: list[date]) -> TrendLine:
    return TrendLine(
        Milestone(reference=reference), [PlanDate.of_day(day) if day else None for day in days]
    )


def _decoded(src: str) -> str:
    return base64.b64decode(src.split(",", 1)[1]).decode()


def test_the_trend_svg_has_no_tooltips_or_pygal_stylesheet_but_each_lines_colour_and_dash():
    series = [
        (f"1.{n}", [date(2027, n, 1), date(2027, n, 1), date(2027, n + 1, 1)]) for n in range(1, 10)
    ]
    svg = forecast_trend(LABELS[:3], series)
    assert "<desc" not in svg  # pygal's tooltip data, never shown
    assert "#chart-" not in svg.split("</style>")[0]  # its rules, each behind the chart's id
    assert "tooltip-overlay" not in svg and "text-overlay" not in svg
    style = re.search(r"<style>(.*?)</style>", svg, re.DOTALL)[1]
    for index in range(9):  # beyond the seventh, pygal's darker colours and the dashes again
        assert re.search(rf"\.color-{index}\{{stroke:#[0-9a-f]{{6}};fill:#[0-9a-f]{{6}}\}}", style)
        dash = TREND_DASHES[index % len(TREND_DASHES)]
        assert (
            f".series.serie-{index}{{stroke-width:2"
            + (f";stroke-dasharray:{dash}}}" if dash else "}")
            in style
        )
    assert svg.count('class="dot reactive tooltip-trigger"') == 27  # every point still drawn
    assert svg.count("<text") >= 9 + 3  # the legend and the axes


def test_a_report_draws_at_most_seven_lines_those_that_moved_first_and_says_so():
    lines = [_steady(f"1.{n}", date(2027, 1, n)) for n in range(1, 11)]  # due 1 to 10 January
    lines.insert(5, _moving("9.9", [date(2027, 3, 1), date(2027, 3, 1), date(2027, 5, 1), None]))
    chart = trend_chart(MilestoneTrend(LABELS, MOMENTS, lines))
    assert (chart.drawn, chart.total, chart.moved_drawn, chart.moved_left) == (7, 11, 1, 0)
    assert (chart.steady_drawn, chart.steady_left) == (6, 4)
    legend = re.findall(r"<text[^>]*>([0-9.]+)</text>", _decoded(chart.src))
    # The moved one and the six due soonest, in the trend's own order.
    assert legend == ["1.1", "1.2", "1.3", "1.4", "1.5", "9.9", "1.6"]


def test_when_more_lines_moved_than_the_chart_draws_it_draws_those_that_moved_furthest():
    lines = [
        _moving(f"2.{n}", [date(2027, 1, 1), date(2027, 1, 1 + n), date(2027, 1, 1 + n), None])
        for n in range(1, 10)
    ] + [_steady("3.1", date(2027, 1, 1))]
    chart = trend_chart(MilestoneTrend(LABELS, MOMENTS, lines))
    assert (chart.drawn, chart.moved_drawn, chart.moved_left, chart.steady_left) == (7, 7, 2, 1)
    legend = re.findall(r"<text[^>]*>([0-9.]+)</text>", _decoded(chart.src))
    assert legend == [f"2.{n}" for n in range(3, 10)]


def test_a_trend_of_seven_lines_or_fewer_is_drawn_whole():
    lines = [_steady(f"1.{n}", date(2027, 1, n)) for n in range(1, TREND_LINES + 1)]
    chart = trend_chart(MilestoneTrend(LABELS, MOMENTS, lines))
    assert (chart.drawn, chart.total, chart.steady_left, chart.moved_left) == (7, 7, 0, 0)
