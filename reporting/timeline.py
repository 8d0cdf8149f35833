"""The timeline as a Gantt chart: one row per workstream, grouped by area, a bar from its first
to its last milestone, each milestone and key decision a marker at its date, the baseline a
ghost where the forecast moved, today's line and the dependencies between milestones.

Two steps, as the reports are made (STYLE.md): `load_timeline` reads only what the chart
shows (the plan and its dependencies, now or as at the end of a closed period, DOMAIN.md
section 4), and `gantt` turns it into positions in pixels, a plain structure that a template
draws as SVG, so the same picture can go into a page or a report. Dates precise to a month
are drawn across their whole month (DOMAIN.md section 1: "Dates in plans are often months").
"""

from __future__ import annotations

import calendar
import html
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.urls import reverse
from django.utils.safestring import mark_safe

from programmes.choices import Rag
from programmes.dates import PlanDate, add_months, financial_year_label, month_label, month_start
from programmes.models import Programme, ReportingPeriod
from programmes.snapshots import Snapshot
from reporting.state import ProgrammeData, moment_of
from workstreams.assessment import ProgrammeRating, ProgrammeState, assessed
from workstreams.models import Milestone, MilestoneKind

DEFAULT_MONTHS = 12
MAX_MONTHS = 36
ROW_HEIGHT = 56  # pixels; the labels beside the chart are as tall (app.scss, .app-gantt__label)
AXIS_HEIGHT = 40
LABEL_LENGTH = 60  # characters of a workstream's name beside its row, cut at a word
SHORT_LABEL_LENGTH = 28  # on a phone
TITLE_LENGTH = 60  # characters of a milestone's title in its tooltip
TIP_HEIGHT = 40
REPORT_LABEL_WIDTH = 200  # the workstreams' names beside the chart in a report
REPORT_TITLE_HEIGHT = 28  # the area's name above its chart in a report

# Colours as SVG attributes, so that the picture needs no style sheet (a report's PDF).
RAG_COLOURS = {
    Rag.RED: "#d4351c",
    Rag.AMBER_RED: "#d53880",
    Rag.AMBER: "#f47738",
    Rag.AMBER_GREEN: "#ffdd00",
    Rag.GREEN: "#00703c",
    Rag.COMPLETE: "#1d70b8",
    Rag.NOT_STARTED: "#b1b4b6",
    Rag.NO_DATA: "#b1b4b6",
}
KIND_LABELS = dict(MilestoneKind.choices)


@dataclass(frozen=True)
class Zoom:
    """How much time a unit of the axis holds and how wide it is drawn, in pixels."""

    name: str
    label: str
    months_per_unit: int
    unit_width: int
    units_shown: int
    first_month: int  # units start in this month of the year (1: any month)

    @property
    def month_width(self) -> float:
        return self.unit_width / self.months_per_unit


ZOOMS = {
    "month": Zoom("month", "Month", 1, 120, DEFAULT_MONTHS, 1),
    # Quarters and years are the financial year's: April to March (DOMAIN.md section 1).
    "quarter": Zoom("quarter", "Quarter", 3, 150, 8, 4),
    "year": Zoom("year", "Financial year", 12, 240, 5, 4),
}


@dataclass(frozen=True)
class TimelineFilters:
    area_id: int | None = None
    workstream_id: int | None = None
    kind: str = ""
    rag: str = ""

    def keeps(self, workstream, milestone, result) -> bool:
        if self.area_id and workstream.area_id != self.area_id:
            return False
        if self.workstream_id and workstream.pk != self.workstream_id:
            return False
        if self.kind and milestone.kind != self.kind:
            return False
        return not (self.rag and result.rag != self.rag)


@dataclass
class TimelineData:
    """What the timeline shows, read now or as at the end of a closed period."""

    programme: Programme
    as_of: date
    snapshot: Snapshot
    period: ReportingPeriod | None
    periods: list[ReportingPeriod]
    state: ProgrammeState
    rating: ProgrammeRating
    dependencies: list[tuple[int, int]]  # (milestone, the milestone it depends on)


def load_timeline(programme: Programme, *, period: ReportingPeriod | None = None) -> TimelineData:
    """The plan and its milestones' dependencies, rated, in a fixed number of queries. No
    measures, readings or status updates: a milestone's rating needs none of them. Loaded and
    rated once per change of the programme (`workstreams.assessment.assessed`, issue 17)."""
    as_of, snapshot, period, periods = moment_of(programme, period)
    state, rating = assessed(programme, as_of, snapshot, plan_only=True)
    return TimelineData(
        programme=state.programme,
        as_of=as_of,
        snapshot=snapshot,
        period=period,
        periods=periods,
        state=state,
        rating=rating,
        dependencies=milestone_dependencies(programme, snapshot),
    )


def timeline_of(data: ProgrammeData, rating: ProgrammeRating) -> TimelineData:
    """The timeline of a programme a report has already loaded and rated (one more query,
    for the dependencies), so that the report draws the chart the page shows."""
    return TimelineData(
        programme=data.programme,
        as_of=data.as_of,
        snapshot=data.snapshot,
        period=data.period,
        periods=data.periods,
        state=data.rating_state,
        rating=rating,
        dependencies=milestone_dependencies(data.programme, data.snapshot),
    )


def milestone_dependencies(programme: Programme, snapshot: Snapshot) -> list[tuple[int, int]]:
    """Pairs (milestone, the milestone it depends on) in a programme, in one query; as at a
    moment, those recorded with each milestone's latest history record by then."""
    if not snapshot.is_historical:
        through = Milestone.depends_on.through.objects.filter(
            from_milestone__workstream__programme_id=programme.pk
        )
    else:
        recorded = snapshot.rows(Milestone, workstream__programme_id=programme.pk)
        recorded_through = Milestone.history.model._meta.get_field(
            "historicalmilestone_depends_on"
        ).related_model
        through = recorded_through.objects.filter(history_id__in=recorded.values("history_id"))
    return list(through.values_list("from_milestone_id", "to_milestone_id"))


def default_start(programme: Programme, as_of: date) -> date:
    """Three months before the date shown, within the programme."""
    start = add_months(month_start(as_of), -3)
    return max(start, month_start(programme.starts_on))


@dataclass
class Tick:
    x: float
    width: float
    label: str
    shaded: bool

    @property
    def text_x(self) -> float:
        return self.x + 6


@dataclass
class Marker:
    """A milestone, key decision or deliverable where it is due (or was completed)."""

    milestone_id: int
    reference: str
    title: str
    kind: str
    kind_label: str
    url: str
    rag: str
    rag_label: str
    colour: str
    x: float  # the day's left edge, or the month's for a date precise to a month
    width: float  # 0 for a day; the month's width for a month
    y: float
    date_label: str
    baseline_label: str
    forecast_label: str
    completed_label: str
    explanation: str  # the rating with its reasons
    depends_on: list[str] = field(default_factory=list)
    ghost_x: float | None = None  # the baseline, where the forecast moved from it
    ghost_width: float = 0
    due: date | None = None
    tip_x: float = 0  # where its details show when it has focus, within the chart
    tip_y: float = 0

    @property
    def top(self) -> float:
        return self.y - 10

    @property
    def shape_x(self) -> float:
        return self.centre - 6

    @property
    def shape_y(self) -> float:
        return self.y - 6

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def ghost_centre(self) -> float | None:
        return None if self.ghost_x is None else self.ghost_x + self.ghost_width / 2

    @property
    def is_month(self) -> bool:
        return self.width > 0

    @property
    def label(self) -> str:
        """Its details in words: the accessible name and tooltip of the marker."""
        parts = [f"{self.reference} {self.title}", self.kind_label]
        if self.completed_label:
            parts.append(f"completed {self.completed_label}")
        elif self.forecast_label:
            parts.append(f"forecast {self.forecast_label}")
        if self.baseline_label:
            parts.append(f"baseline {self.baseline_label}")
        parts.append(self.explanation)
        if self.depends_on:
            parts.append("depends on " + ", ".join(self.depends_on))
        return ", ".join(parts)

    @property
    def tip_title(self) -> str:
        return f"{self.reference} {shorten(self.title, TITLE_LENGTH)}"

    @property
    def tip_details(self) -> str:
        parts = []
        if self.completed_label:
            parts.append(f"Completed {self.completed_label}")
        elif self.forecast_label:
            parts.append(f"Forecast {self.forecast_label}")
        if self.baseline_label:
            parts.append(
                f"baseline {self.baseline_label}" if parts else f"Baseline {self.baseline_label}"
            )
        parts.append(self.rag_label)
        return ", ".join(parts)

    @property
    def tip_width(self) -> float:
        return round(16 + 6.6 * max(len(self.tip_title), len(self.tip_details)), 1)

    @property
    def tip_text_x(self) -> float:
        return self.tip_x + 8

    @property
    def diamond(self) -> str:
        cx, cy = self.centre, self.y
        return f"{cx:.1f},{cy - 8:.1f} {cx + 8:.1f},{cy:.1f} {cx:.1f},{cy + 8:.1f} {cx - 8:.1f},{cy:.1f}"

    # The page's markup of a marker, written here once rather than by the template for each of
    # a thousand markers (issue 17: the template's cost grew with the markers; the same markup
    # as the template wrote). Chart's tip height is the constant TIP_HEIGHT.
    @cached_property
    def svg(self) -> str:
        label = _e(self.label)
        colour = self.colour
        parts = [
            f'<a class="app-gantt__marker" href="{_e(self.url)}" aria-label="{label}">'
            f"<title>{label}</title>"
        ]
        if self.width:
            parts.append(
                f'<rect x="{_n(self.x)}" y="{_n(self.top)}" width="{_n(self.width)}" '
                f'height="20" fill="{colour}" fill-opacity="0.3" stroke="{colour}"/>'
            )
        if self.kind == "key_decision":
            parts.append(
                f'<polygon class="app-gantt__shape" points="{self.diamond}" fill="{colour}" '
                'stroke="#0b0c0c"/>'
            )
        elif self.kind == "deliverable":
            parts.append(
                f'<rect class="app-gantt__shape" x="{_n(self.shape_x)}" y="{_n(self.shape_y)}" '
                f'width="12" height="12" fill="{colour}" stroke="#0b0c0c"/>'
            )
        else:
            parts.append(
                f'<circle class="app-gantt__shape" cx="{_n(self.centre)}" cy="{_n(self.y)}" '
                f'r="6" fill="{colour}" stroke="#0b0c0c"/>'
            )
        text_x = _n(self.tip_text_x)
        parts.append(
            '<g class="app-gantt__tip" visibility="hidden" aria-hidden="true">'
            f'<rect x="{_n(self.tip_x)}" y="{_n(self.tip_y)}" width="{_n(self.tip_width)}" '
            f'height="{TIP_HEIGHT}" rx="3" fill="#0b0c0c"/>'
            f'<text x="{text_x}" y="{_n(self.tip_y)}" font-size="12" fill="#ffffff">'
            f'<tspan x="{text_x}" dy="16" font-weight="bold">{_e(self.tip_title)}</tspan>'
            f'<tspan x="{text_x}" dy="16">{_e(self.tip_details)}</tspan></text></g></a>'
        )
        return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)

    @cached_property
    def ghost_svg(self) -> str:
        """The baseline's ghost, where the forecast moved from it ("" if it did not)."""
        if self.ghost_x is None:
            return ""
        shape = (
            f'<rect x="{_n(self.ghost_x)}" y="{_n(self.top)}" width="{_n(self.ghost_width)}" '
            'height="20" fill="none" stroke="#505a5f" stroke-dasharray="4 3"/>'
            if self.ghost_width
            else f'<circle cx="{_n(self.ghost_x)}" cy="{_n(self.y)}" r="6" fill="#ffffff" '
            'stroke="#505a5f" stroke-dasharray="2 2"/>'
        )
        return mark_safe(  # noqa: S308 (numbers only)
            f'<g class="app-gantt__ghost"><line x1="{_n(self.ghost_centre)}" y1="{_n(self.y)}" '
            f'x2="{_n(self.centre)}" y2="{_n(self.y)}" stroke="#505a5f" '
            f'stroke-dasharray="3 3"/>{shape}</g>'
        )


def _e(value) -> str:
    """Escaped as the template escapes it (django.utils.html.escape is html.escape)."""
    return html.escape(str(value))


def _n(value) -> str:
    """A number as the template writes it (no thousands separator here)."""
    return str(value)


@dataclass
class Bar:
    x: float
    width: float


@dataclass
class Link:
    """A dependency: from the milestone depended on to the one that depends on it. A
    conflict when the dependent milestone is due before the one it waits for."""

    upstream: str
    downstream: str
    path: str
    is_conflict: bool


@dataclass
class GanttRow:
    workstream_id: int
    reference: str
    name: str
    label: str
    short_label: str
    url: str
    y: float
    bar: Bar | None
    markers: list[Marker]
    earlier: int = 0
    later: int = 0

    @property
    def top(self) -> float:
        return self.y - ROW_HEIGHT / 2

    @property
    def label_y(self) -> float:
        return self.y + 4

    @property
    def bar_y(self) -> float:
        return self.y - 5

    @property
    def note_y(self) -> float:
        """The baseline of the row's "2 earlier" and "1 later", above its markers."""
        return self.top + 13


@dataclass
class GanttArea:
    area_id: int
    reference: str
    name: str
    rows: list[GanttRow]
    links: list[Link]

    @property
    def height(self) -> int:
        return len(self.rows) * ROW_HEIGHT

    @property
    def report_height(self) -> int:
        return REPORT_TITLE_HEIGHT + AXIS_HEIGHT + self.height


@dataclass
class TableRow:
    area: str
    workstream: str
    reference: str
    title: str
    url: str
    kind_label: str
    baseline_label: str
    forecast_label: str
    completed_label: str
    rag: str
    rag_label: str
    explanation: str
    depends_on: list[str]

    @cached_property
    def html(self) -> str:
        """The row of the page's table, written once here rather than by the template."""
        cell = '<td class="govuk-table__cell">'
        return mark_safe(  # noqa: S308 (every value escaped)
            '<tr class="govuk-table__row">'
            f"{cell}{_e(self.workstream)}</td>"
            f'{cell}<a class="govuk-link" href="{_e(self.url)}">{_e(self.reference)} '
            f"{_e(self.title)}</a></td>"
            f"{cell}{_e(self.kind_label)}</td>"
            f"{cell}{_e(self.baseline_label or 'Not set')}</td>"
            f"{cell}{_e(self.forecast_label or 'Not set')}</td>"
            f"{cell}{_e(self.completed_label)}</td>"
            f"{cell}{_e(self.explanation)}</td>"
            f"{cell}{', '.join(_e(item) for item in self.depends_on)}</td>"
            "</tr>"
        )


@dataclass
class Gantt:
    zoom: Zoom
    start: date
    end: date  # the first day after the chart
    width: int
    ticks: list[Tick]
    today_x: float | None
    areas: list[GanttArea]
    table: list[TableRow]
    shown: int = 0
    undated: int = 0

    @property
    def axis_height(self) -> int:
        return AXIS_HEIGHT

    @property
    def tip_height(self) -> int:
        return TIP_HEIGHT

    # A report draws each area as one picture: its name, the axis, then the rows with
    # their names on the left (reports/_gantt.html).
    @property
    def report_label_width(self) -> int:
        return REPORT_LABEL_WIDTH

    @property
    def report_width(self) -> int:
        return REPORT_LABEL_WIDTH + self.width

    @property
    def report_rows_top(self) -> int:
        return REPORT_TITLE_HEIGHT + AXIS_HEIGHT

    @property
    def report_today_x(self) -> float | None:
        return None if self.today_x is None else REPORT_LABEL_WIDTH + self.today_x


def shorten(text: str, limit: int) -> str:
    """The text whole if it fits, else cut at a word with an ellipsis (never mid-word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    short = textwrap.shorten(text, width=limit, placeholder="…")
    if short == "…":  # one long first word: keep it whole
        return text.split(" ", 1)[0] + "…"
    return short


def window_start(start: date, zoom: Zoom) -> date:
    """The start of the axis unit holding `start` (a financial quarter or year from April)."""
    first = month_start(start)
    if zoom.months_per_unit == 1:
        return first
    offset = (first.month - zoom.first_month) % zoom.months_per_unit
    return add_months(first, -offset)


def _url_pattern(name: str) -> str:
    """One reverse() for every link of a kind: the URL with {} for the id."""
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def _unit_label(start: date, zoom: Zoom) -> str:
    if zoom.months_per_unit == 1:
        return month_label(start)
    if zoom.months_per_unit == 3:
        last = add_months(start, 2)
        return f"{start:%b}–{last:%b %Y}"
    return financial_year_label(start.year)


def gantt(
    data: TimelineData,
    *,
    zoom: Zoom = ZOOMS["month"],
    start: date | None = None,
    months: int | None = None,
    units: int | None = None,
    filters: TimelineFilters | None = None,
    links: bool = True,
) -> Gantt:
    """The chart's drawing, in pixels from the chart's left edge: one unit of `zoom` is
    `zoom.unit_width` wide. A day is placed at its share of its month, so that months line
    up with the axis whatever their length. `links=False` (a report, which has none) leaves
    every url empty: the first reverse() in a process imports every view, a quarter of a
    second of a worker's report."""
    filters = filters or TimelineFilters()
    first = window_start(start or default_start(data.programme, data.as_of), zoom)
    if zoom.months_per_unit == 1:
        span = max(3, min(months or zoom.units_shown, MAX_MONTHS))
    else:
        span = (units or zoom.units_shown) * zoom.months_per_unit
    end = add_months(first, span)
    per_month = zoom.month_width

    def x_of(day: date) -> float:
        months_in = (day.year - first.year) * 12 + day.month - first.month
        days = calendar.monthrange(day.year, day.month)[1]
        return round((months_in + (day.day - 1) / days) * per_month, 1)

    def place(when: PlanDate) -> tuple[float, float]:
        if when.is_month:
            return x_of(month_start(when.value)), round(per_month, 1)
        return x_of(when.value), 0.0

    def shown(day: date) -> bool:
        return first <= day < end

    ticks = []
    unit = first
    index = 0
    while unit < end:
        ticks.append(Tick(x_of(unit), zoom.unit_width, _unit_label(unit, zoom), index % 2 == 1))
        unit = add_months(unit, zoom.months_per_unit)
        index += 1

    milestone_url = _url_pattern("milestone_detail") if links else ""
    workstream_url = _url_pattern("workstream_detail") if links else ""
    references = {m.pk: m.reference for m in data.state.milestones}
    depends_on = defaultdict(list)
    for milestone_id, upstream_id in data.dependencies:
        if upstream_id in references:
            depends_on[milestone_id].append(upstream_id)

    chart = Gantt(zoom, first, end, span * round(per_month), ticks, None, [], [])
    if shown(data.as_of):
        chart.today_x = x_of(data.as_of)

    for area_rating in data.rating.areas:
        area = area_rating.area
        if filters.area_id and area.pk != filters.area_id:
            continue
        area_label = f"{area.reference} {area.name}"
        rows: list[GanttRow] = []
        placed: dict[int, Marker] = {}
        for workstream_rating in area_rating.workstreams:
            workstream = workstream_rating.workstream
            if filters.workstream_id and workstream.pk != filters.workstream_id:
                continue
            y = len(rows) * ROW_HEIGHT + ROW_HEIGHT / 2
            name = f"{workstream.reference} {workstream.name}"
            row = GanttRow(
                workstream.pk,
                workstream.reference,
                workstream.name,
                shorten(name, LABEL_LENGTH),
                shorten(name, SHORT_LABEL_LENGTH),
                workstream_url.format(workstream.pk),
                y,
                None,
                [],
            )
            spans = []
            kept = 0
            for item in workstream_rating.milestones:
                milestone, result = item.milestone, item.result
                complete = result.rag == Rag.COMPLETE
                when = (
                    PlanDate.of_day(milestone.actual_date)
                    if complete and milestone.actual_date
                    else milestone.due
                )
                if when is not None:
                    spans.append(when)
                if not filters.keeps(workstream, milestone, result):
                    continue
                kept += 1
                upstream = [references[pk] for pk in depends_on[milestone.pk]]
                url = milestone_url.format(milestone.pk)
                chart.table.append(
                    _table_row(area_label, name, milestone, result, when, url, upstream)
                )
                if when is None:
                    chart.undated += 1
                    continue
                if not shown(when.value if not when.is_month else month_start(when.value)):
                    if when.value < first:
                        row.earlier += 1
                    else:
                        row.later += 1
                    continue
                marker = _marker(milestone, result, when, url, upstream, place, y)
                if marker.ghost_x is not None and not shown(month_start(milestone.baseline.value)):
                    marker.ghost_x = None  # moved from a month outside the chart
                # From the marker rightwards (the labels cover the chart's left on a phone).
                marker.tip_x = max(0.0, min(marker.centre - 12, chart.width - marker.tip_width))
                # Above the marker, or below it in an area's first row.
                marker.tip_y = y - 14 - TIP_HEIGHT if rows else y + 14
                row.markers.append(marker)
                placed[milestone.pk] = marker
                chart.shown += 1
            if spans:
                row.bar = _bar(min(spans), max(spans), place, first, end, chart.width)
            if kept or not (filters.kind or filters.rag):
                rows.append(row)
        if not rows:
            continue
        links = [
            _link(placed[upstream_id], placed[milestone_id])
            for milestone_id, upstream_id in data.dependencies
            if milestone_id in placed and upstream_id in placed
        ]
        chart.areas.append(GanttArea(area.pk, area.reference, area.name, rows, links))
    return chart


def _table_row(
    area: str, workstream: str, milestone, result, when: PlanDate | None, url: str, upstream
) -> TableRow:
    complete = result.rag == Rag.COMPLETE
    baseline, forecast, rag = milestone.baseline, milestone.forecast, Rag(result.rag)
    return TableRow(
        area,
        workstream,
        milestone.reference,
        milestone.title,
        url,
        KIND_LABELS.get(milestone.kind, milestone.kind),
        str(baseline) if baseline else "",
        str(forecast) if forecast else "",
        str(when) if complete and when else "",
        rag.value,
        rag.label,
        result.explanation(),
        upstream,
    )


def _marker(milestone, result, when: PlanDate, url: str, upstream, place, y: float) -> Marker:
    """A milestone's marker where it is due, or was completed; with the ghost of its
    baseline when the forecast moved from it (DOMAIN.md section 3: the baseline changes only
    by re-baselining, the forecast as the owner expects)."""
    complete = result.rag == Rag.COMPLETE
    baseline, forecast, rag = milestone.baseline, milestone.forecast, Rag(result.rag)
    x, width = place(when)
    marker = Marker(
        milestone.pk,
        milestone.reference,
        milestone.title,
        milestone.kind,
        KIND_LABELS.get(milestone.kind, milestone.kind),
        url,
        rag.value,
        rag.label,
        RAG_COLOURS[rag],
        x,
        width,
        y,
        str(when),
        str(baseline) if baseline else "",
        str(forecast) if forecast else "",
        str(when) if complete else "",
        result.explanation(),
        upstream,
        due=when.value,
    )
    moved = (
        not complete
        and baseline is not None
        and forecast is not None
        and baseline.value != forecast.value
    )
    if moved:
        marker.ghost_x, marker.ghost_width = place(baseline)
    return marker


def _bar(first: PlanDate, last: PlanDate, place, start: date, end: date, width: int) -> Bar | None:
    """From the first milestone's left edge to the last's right edge, within the chart."""
    left, _ = place(first) if first.value >= start else (0.0, 0.0)
    if last.value >= end:
        right = float(width)
    else:
        x, w = place(last)
        right = x + w
    if last.value < start or first.value >= end or right <= left:
        return None
    return Bar(left, round(right - left, 1))


def _link(upstream: Marker, downstream: Marker) -> Link:
    """An elbow from the right of the marker depended on to the left of the dependent one."""
    start_x = upstream.right + 8
    end_x = downstream.x - 8
    bend = start_x + 8
    path = (
        f"M{start_x:.1f},{upstream.y:.1f} H{bend:.1f} V{downstream.y:.1f} H{end_x:.1f}"
        if end_x >= bend
        else f"M{start_x:.1f},{upstream.y:.1f} V{(upstream.y + downstream.y) / 2:.1f} "
        f"H{end_x:.1f} V{downstream.y:.1f}"
    )
    is_conflict = bool(upstream.due and downstream.due and downstream.due < upstream.due)
    return Link(upstream.reference, downstream.reference, path, is_conflict)
