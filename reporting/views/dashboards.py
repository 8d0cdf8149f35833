"""The board's pages: the portfolio, a programme's dashboard and its timeline."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from programmes.dates import add_months, month_end, month_start
from programmes.models import Programme, ReportingPeriod
from programmes.permissions import Action, may, require
from programmes.snapshots import Snapshot, end_of_day
from reporting.dashboard import build_dashboard
from reporting.portfolio import build_portfolio
from reporting.state import closed_periods, load_programme_data
from reporting.timeline import DEFAULT_MONTHS, TimelineFilters, build_timeline, default_start
from workstreams.models import MilestoneKind


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _month(value) -> date | None:
    try:
        return date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError):
        return None


@login_required
def programme_timeline(request, programme_id: int):
    programme = get_object_or_404(Programme.objects.select_related("organisation"), pk=programme_id)
    require(request.user, Action.VIEW, programme)
    period = None
    if request.GET.get("period"):
        period = ReportingPeriod.objects.filter(
            programme=programme, pk=_int(request.GET["period"])
        ).first()
    data = load_programme_data(programme, period=period)
    filters = TimelineFilters(
        area_id=_int(request.GET.get("area")),
        workstream_id=_int(request.GET.get("workstream")),
        kind=request.GET.get("kind", "") if request.GET.get("kind") in MilestoneKind.values else "",
        rag=request.GET.get("rag", ""),
    )
    start = _month(request.GET.get("start")) or default_start(data)
    months = _int(request.GET.get("months")) or DEFAULT_MONTHS
    timeline = build_timeline(data, start=start, months=months, filters=filters)
    query = request.GET.copy()
    query.pop("start", None)
    return render(
        request,
        "reporting/timeline.html",
        {
            "programme": programme,
            "data": data,
            "timeline": timeline,
            "filters": filters,
            "as_at": data.snapshot.is_historical,
            "past_periods": closed_periods(data),
            "areas": data.rating_state.areas,
            "workstreams": data.rating_state.workstreams,
            "kinds": MilestoneKind.choices,
            "rags": [
                ("red", "Red"),
                ("amber", "Amber"),
                ("green", "Green"),
                ("complete", "Complete"),
                ("not_started", "Not started"),
                ("no_data", "No data"),
            ],
            "earlier": add_months(start, -len(timeline.months) // 2).strftime("%Y-%m"),
            "later": add_months(start, len(timeline.months) // 2).strftime("%Y-%m"),
            "query": query.urlencode(),
            "months_shown": len(timeline.months),
            "header_organisation": programme.organisation,
        },
    )


@login_required
def portfolio(request):
    """Every programme the user may see, now or as at the end of a chosen month."""
    today = timezone.localdate()
    as_at = _month(request.GET.get("as_at"))
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


@login_required
def programme_detail(request, programme_id: int):
    """The programme dashboard, now or as at the end of a chosen reporting period."""
    programme = get_object_or_404(Programme.objects.select_related("organisation"), pk=programme_id)
    require(request.user, Action.VIEW, programme)
    period = None
    if request.GET.get("period"):
        period = ReportingPeriod.objects.filter(
            programme=programme, pk=request.GET["period"]
        ).first()
    data = load_programme_data(programme, period=period)
    dashboard = build_dashboard(data)
    heat = (
        dashboard.heat_inherent if request.GET.get("heat") == "inherent" else dashboard.heat_current
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
        },
    )
