"""The board's pages: the portfolio, a programme's dashboard and its timeline."""

from __future__ import annotations

import copy
import hashlib
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from programmes.as_at import as_at_period, chosen_period
from programmes.caching import keep, keep_closed, keep_in_process, known_changes, with_changes
from programmes.dates import add_months, month_end, month_start, months_between
from programmes.lists import programme_for
from programmes.models import Programme, ReportingPeriod
from programmes.params import read_choice, read_id, read_int, read_month
from programmes.permissions import Action, may
from programmes.snapshots import Snapshot, end_of_day
from reporting.dashboard import (
    STATUSES,
    Dashboard,
    DashboardFilters,
    build_dashboard,
    filter_choices,
)
from reporting.exceptions import detect_exceptions
from reporting.models import ReportKind, ReportRun
from reporting.portfolio import build_portfolio
from reporting.rag_history import rag_history
from reporting.state import closed_periods, load_programme_data
from reporting.timeline import (
    DEFAULT_MONTHS,
    ZOOMS,
    Gantt,
    TimelineData,
    TimelineFilters,
    Zoom,
    default_start,
    gantt,
    load_timeline,
)
from reporting.trend import key_decisions_trend
from workstreams.models import MilestoneKind

TREND_CHART_SECONDS = 7 * 24 * 60 * 60

RAG_FILTERS = [
    ("red", "Red"),
    ("amber", "Amber"),
    ("green", "Green"),
    ("complete", "Complete"),
    ("not_started", "Not started"),
    ("no_data", "No data"),
]


def _chosen_period(request, programme: Programme) -> ReportingPeriod | None:
    """The period asked for with `?period=`, read as every page reads it
    (`programmes.as_at`), and remembered so that this page's links keep it."""
    period = chosen_period(request, programme)
    request.as_at = as_at_period(period)
    return period


@login_required
@require_safe
def programme_timeline(request, programme_id: int):
    """The Gantt chart of a programme's plan, now or as at the end of a closed period, at a
    zoom of months, quarters or financial years, with the same data as a table."""
    programme = programme_for(request, programme_id)
    period = _chosen_period(request, programme)
    data = load_timeline(programme, period=period)
    filters = TimelineFilters(
        area_id=read_id(request.GET.get("area")),
        workstream_id=read_id(request.GET.get("workstream")),
        kind=read_choice(request.GET.get("kind"), MilestoneKind.values),
        rag=read_choice(request.GET.get("rag"), [value for value, _ in RAG_FILTERS]),
    )
    zoom = ZOOMS[read_choice(request.GET.get("zoom"), list(ZOOMS)) or "month"]
    start = read_month(request.GET.get("start")) or default_start(programme, data.as_of)
    # Any positive number of months: the chart keeps it within the widths it draws.
    months = read_int(request.GET.get("months"), minimum=1, maximum=9999) or DEFAULT_MONTHS
    chart, gantt_html = drawn_gantt(data, zoom=zoom, start=start, months=months, filters=filters)
    step = max(1, months_between(chart.start, chart.end) // 2)
    query = request.GET.copy()
    query.pop("start", None)
    return render(
        request,
        "reporting/timeline.html",
        {
            "programme": programme,
            "data": data,
            "chart": chart,
            "gantt_html": gantt_html,
            "filters": filters,
            "as_at": data.snapshot.is_historical,
            "past_periods": closed_periods(data),
            "areas": data.state.areas,
            "workstreams": data.state.workstreams,
            "kinds": MilestoneKind.choices,
            "rags": RAG_FILTERS,
            "zooms": ZOOMS.values(),
            "earlier": add_months(chart.start, -step).strftime("%Y-%m"),
            "later": add_months(chart.start, step).strftime("%Y-%m"),
            "query": query.urlencode(),
            "header_organisation": programme.organisation,
        },
    )


@login_required
@require_safe
def portfolio(request):
    """Every programme the user may see, now or as at the end of a chosen month."""
    today = timezone.localdate()
    as_at = read_month(request.GET.get("as_at"))
    snapshot = Snapshot()
    as_of = today
    if as_at is not None and month_end(as_at) < today:
        as_of = month_end(as_at)
        snapshot = Snapshot(end_of_day(as_of))
    programmes = list(
        with_changes(Programme.objects.visible_to(request.user))
        .select_related("organisation")
        .order_by("organisation__name", "sort_key")
    )
    rows = build_portfolio(programmes, as_of, snapshot)
    months = [add_months(month_start(today), -n) for n in range(1, 13)]
    return render(
        request,
        "reporting/portfolio.html",
        {
            "rows": rows,
            "as_of": as_of,
            "as_at": snapshot.is_historical,
            "months": months,
            "chosen": as_at,
        },
    )


def drawn_gantt(data: TimelineData, *, zoom: Zoom, start: date, months: int, filters):
    """The Gantt chart, and its markup with its table's, drawn once per change of the
    programme (or for good, as at a period that has ended) for each view of it, kept in the
    cache (issue 17): a programme's thousand milestones made ten thousand template variables
    on every request."""

    def draw() -> tuple[Gantt, str]:
        chart = gantt(data, zoom=zoom, start=start, months=months, filters=filters)
        context = {"chart": chart, "data": data, "as_at": data.snapshot.is_historical}
        markup = render_to_string("reporting/_gantt.html", context) + render_to_string(
            "reporting/_gantt_table.html", context
        )
        return chart, markup

    shown = f"{filters.area_id}-{filters.workstream_id}-{filters.kind}-{filters.rag}"
    name = f"timeline:{zoom.name}:{start:%Y-%m}:{months}:{shown}"
    if data.snapshot.is_historical:
        name = f"{name}:at-{data.snapshot.at.isoformat()}"
        return keep_closed(name, data.programme.pk, data.as_of, draw)
    return keep(name, data.programme.pk, data.as_of, draw, changes=known_changes(data.programme))


def trend_chart(trend) -> str:
    """The key decisions' trend chart, drawn by pygal (a tenth of a second for 35 decisions)
    only when what it shows has changed: kept in the shared cache under what it shows."""
    if not trend.has_points:
        return ""
    shown = repr((trend.labels, [(line.milestone.reference, line.dates) for line in trend.lines]))
    key = "decisions-trend:v1:" + hashlib.sha256(shown.encode()).hexdigest()
    chart = cache.get(key)
    if chart is None:
        chart = trend.chart()
        cache.set(key, chart, TREND_CHART_SECONDS)
    return chart


def _dashboard_filters(request) -> DashboardFilters:
    return DashboardFilters(
        area_id=read_id(request.GET.get("area")),
        lead_id=read_id(request.GET.get("lead")),
        sponsor_id=read_id(request.GET.get("sponsor")),
        status=read_choice(request.GET.get("status"), [value for value, _ in STATUSES]) or None,
    )


def _dashboard(
    programme: Programme, period: ReportingPeriod | None, filters
) -> tuple[Dashboard, int]:
    """The programme's data and dashboard, and how many exceptions it has, built once per
    change of the programme (and per day, period and filters) in each process: everything
    they read raises the change counter (`programmes.signals.CHANGES_PROGRAMME`), and
    nothing in them depends on who looks. (The exceptions' narratives do not raise it, but
    the count does not depend on them.) Each request has its own copy of the dashboard, so
    that what it works out only when shown (the benefits, whose changes the counter does not
    follow) is worked out for that request."""

    def build() -> tuple[Dashboard, int]:
        data = load_programme_data(programme, period=period)
        dashboard = build_dashboard(data, filters)
        return dashboard, len(detect_exceptions(data, dashboard))

    shown = f"{period.pk if period else 'now'}:{filters.area_id}-{filters.lead_id}-"
    shown += f"{filters.sponsor_id}-{filters.status}"
    dashboard, exceptions = keep_in_process(
        f"dashboard:{shown}",
        programme.pk,
        timezone.localdate(),
        build,
        changes=known_changes(programme),
    )
    return copy.copy(dashboard), exceptions


@login_required
@require_safe
def programme_detail(request, programme_id: int):
    """The programme dashboard, now or as at the end of a chosen reporting period, of the
    workstreams the filters keep (area, lead, sponsor, status)."""
    programme = programme_for(request, programme_id)
    period = _chosen_period(request, programme)
    filters = _dashboard_filters(request)
    dashboard, exceptions = _dashboard(programme, period, filters)
    data = dashboard.data
    heat = (
        dashboard.heat_inherent if request.GET.get("heat") == "inherent" else dashboard.heat_current
    )
    latest_report = (
        ReportRun.objects.visible_to(request.user)
        .filter(programme=programme, kind=ReportKind.HIGHLIGHT, approved_at__isnull=False)
        .select_related("period")
        .order_by("-period__month", "-version")
        .first()
    )
    # Worked out only when the template draws them, which it does not while their fragment
    # is kept (the trend reads the milestones' history: a query and a chart).
    decisions_trend = SimpleLazyObject(lambda: key_decisions_trend(dashboard))
    # What the grid and the measures show is kept, drawn, until the programme changes (or for
    # good, as at a period that has ended): their fragments' key (issue 17).
    changes = "closed" if data.snapshot.is_historical else known_changes(programme)
    fragments = (
        f"{changes}:{data.as_of}:{data.period.pk if data.period else ''}:"
        f"{filters.area_id}-{filters.lead_id}-{filters.sponsor_id}-{filters.status}"
    )
    return render(
        request,
        "reporting/programme_detail.html",
        {
            "programme": programme,
            "dashboard": dashboard,
            "heat": heat,
            "as_at": data.snapshot.is_historical,
            "past_periods": closed_periods(data),
            "header_organisation": programme.organisation,
            "can_manage": may(request.user, Action.MANAGE_PROGRAMME, programme),
            "exceptions": exceptions,
            # Only for the filters, drawn with the grid in its kept fragment.
            "choices": SimpleLazyObject(lambda: filter_choices(data)),
            "filters": filters,
            "rag_history": rag_history(data, dashboard.rating),
            "latest_report": latest_report,
            "decisions_trend": decisions_trend,
            "decisions_trend_chart": SimpleLazyObject(lambda: trend_chart(decisions_trend)),
            "fragments": fragments,
        },
    )
