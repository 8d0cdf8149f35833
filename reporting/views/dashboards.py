"""The board's pages: the portfolio, a programme's dashboard and its timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from programmes.as_at import as_at_period, chosen_period
from programmes.dates import add_months, month_end, month_start, months_between
from programmes.lists import programme_for
from programmes.models import Programme, ReportingPeriod
from programmes.params import read_choice, read_id, read_int, read_month
from programmes.permissions import Action, may
from programmes.snapshots import Snapshot, end_of_day
from reporting.dashboard import (
    STATUSES,
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
    TimelineFilters,
    default_start,
    gantt,
    load_timeline,
)
from reporting.trend import key_decisions_trend
from workstreams.models import MilestoneKind

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
    chart = gantt(data, zoom=zoom, start=start, months=months, filters=filters)
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
        Programme.objects.visible_to(request.user)
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


def _dashboard_filters(request) -> DashboardFilters:
    return DashboardFilters(
        area_id=read_id(request.GET.get("area")),
        lead_id=read_id(request.GET.get("lead")),
        sponsor_id=read_id(request.GET.get("sponsor")),
        status=read_choice(request.GET.get("status"), [value for value, _ in STATUSES]) or None,
    )


@login_required
@require_safe
def programme_detail(request, programme_id: int):
    """The programme dashboard, now or as at the end of a chosen reporting period, of the
    workstreams the filters keep (area, lead, sponsor, status)."""
    programme = programme_for(request, programme_id)
    period = _chosen_period(request, programme)
    data = load_programme_data(programme, period=period)
    filters = _dashboard_filters(request)
    dashboard = build_dashboard(data, filters)
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
    decisions_trend = key_decisions_trend(dashboard)
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
            "exceptions": detect_exceptions(data, dashboard),
            "choices": filter_choices(data),
            "filters": filters,
            "rag_history": rag_history(data, dashboard.rating),
            "latest_report": latest_report,
            "decisions_trend": decisions_trend,
            "decisions_trend_chart": decisions_trend.chart() if decisions_trend.has_points else "",
        },
    )
