"""One programme, one rating: the portfolio, the dashboard, the timeline, the highlight
report, the lists and the API rate it the same way, with the same reasons, when an area
overrides the programme's tolerances (DOMAIN.md section 3: tolerances are set per programme,
overridable per area), now and as at the end of a past period."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Rag
from programmes.dates import FinancialYear, month_end, month_start
from programmes.models import Programme, ProgrammeArea
from programmes.snapshots import Snapshot, end_of_day
from reporting.dashboard import build_dashboard
from reporting.exceptions import detect_exceptions
from reporting.portfolio import build_portfolio
from reporting.reports import gather_highlight
from reporting.state import load_programme_data
from reporting.timeline import gantt, load_timeline
from tests.api import api_url, client_for
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    RiskFactory,
)
from workstreams.models import Measure, MeasureReading, MeasureTarget, Workstream


def _overriding_areas(plan, today: date):
    """Area 1 allows measures 20% (the programme 5%); area 2 allows milestones 60 days (the
    programme 30). A measure 10% under target in 1.1 and a milestone forecast 40 days late in
    2.1 are therefore Amber by their areas' tolerances, Red by the programme's."""
    area_one, area_two = plan["area_one"], plan["area_two"]
    area_one.benefit_tolerance_percent = Decimal(20)
    area_one.save()
    area_two.time_tolerance_days = 60
    area_two.save()
    measure = MeasureFactory(workstream=plan["ws_1_1"], reference="NI 141")
    MeasureTargetFactory(
        measure=measure,
        financial_year=FinancialYear.containing(today).start_year,
        value=Decimal(100),
    )
    MeasureReadingFactory(measure=measure, period=month_start(today), value=Decimal(90))
    milestone = MilestoneFactory(
        workstream=plan["ws_2_1"],
        reference="2.1.1",
        baseline_date=today + timedelta(days=10),
        forecast_date=today + timedelta(days=50),
    )
    return measure, milestone


def _explained(result) -> tuple[str, str]:
    return Rag(result.rag).value, result.explanation()


def test_every_page_rates_a_programme_with_its_areas_tolerances(people, plan, client):
    today = timezone.localdate()
    programme = plan["programme"]
    period = PeriodFactory(programme=programme, month=month_start(today))
    measure, milestone = _overriding_areas(plan, today)

    dashboard = build_dashboard(load_programme_data(programme))
    expected = (
        "amber",
        "Amber because: workstream 1.1 is Amber; workstream 2.1 is Amber",
    )
    assert _explained(dashboard.rating.result) == expected

    [row] = build_portfolio([programme], today)
    assert _explained(row.overall) == expected
    assert row.workstream_counts == [
        (rag, count) for rag, count in dashboard.rag_summary if rag != Rag.COMPLETE
    ]
    assert row.measures_off_target == 1

    report = gather_highlight(programme, period, author="Programme office")
    assert _explained(report.overall) == expected

    timeline = gantt(load_timeline(programme))
    on_timeline = {
        marker.reference: (marker.rag, marker.explanation)
        for area in timeline.areas
        for timeline_row in area.rows
        for marker in timeline_row.markers
    }
    assert on_timeline == {
        "2.1.1": ("amber", "Amber because: it is forecast 40 days after its baseline")
    }

    # The API's ratings of the same measure and milestone.
    api = client_for(people["board"])
    body = api.get(api_url("measure-detail", measure.pk)).json()
    assert body["rag"]["rating"] == "amber"
    body = api.get(api_url("milestone-detail", milestone.pk)).json()
    assert body["rag"]["rating"] == "amber"

    # The workstream list suggests what the dashboard rates.
    client.force_login(people["board"])
    listed = client.get(
        reverse("workstream_list", args=[programme.pk]), {"format": "csv"}
    ).content.decode()
    assert "1.1,Day Opportunities,1 Community Services" in listed
    line = next(text for text in listed.splitlines() if text.startswith("1.1,"))
    assert ",Amber," in line and ",Red," not in line

    # The measure's page says which tolerance rated it.
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "20% (the area&#x27;s) of the target" in page

    # Nothing Red, so nothing breaches: the exception report agrees with the pages.
    assert [b.key for b in detect_exceptions(dashboard.data, dashboard)] == []


def saved_on(instance, day: date):
    instance._history_date = timezone.make_aware(
        datetime.combine(day, datetime.min.time()).replace(hour=10)
    )
    instance.save()
    return instance


def test_the_portfolio_as_at_a_past_month_rates_as_the_dashboard_did(plan):
    """At the end of last month area 1 allowed measures 20% (and its measure was 10% short);
    since then it dropped the override. As at last month both pages say Amber."""
    today = timezone.localdate()
    last_month = month_start(month_start(today) - timedelta(days=1))
    programme = plan["programme"]
    period = PeriodFactory(programme=programme, month=last_month)
    approved = timezone.make_aware(datetime.combine(last_month, datetime.min.time()))
    for model in (Programme, ProgrammeArea, Workstream):
        model.history.update(history_date=approved)
    area = plan["area_one"]
    area.benefit_tolerance_percent = Decimal(20)
    saved_on(area, last_month + timedelta(days=1))
    measure = saved_on(
        MeasureFactory.build(workstream=plan["ws_1_1"], reference="NI 141"),
        last_month + timedelta(days=1),
    )
    saved_on(
        MeasureTarget(
            measure=measure,
            financial_year=FinancialYear.containing(last_month).start_year,
            value=Decimal(100),
        ),
        last_month + timedelta(days=1),
    )
    saved_on(
        MeasureReading(measure=measure, period=last_month, value=Decimal(90)),
        last_month + timedelta(days=2),
    )
    area.benefit_tolerance_percent = None
    saved_on(area, today)
    assert Measure.objects.count() == 1

    then = build_dashboard(load_programme_data(programme, period=period))
    expected = ("amber", "Amber because: workstream 1.1 is Amber")
    assert _explained(then.rating.result) == expected
    as_of = month_end(last_month)
    [row] = build_portfolio([programme], as_of, Snapshot(end_of_day(as_of)))
    assert _explained(row.overall) == expected

    # Today, without the override, both say Red.
    now = build_dashboard(load_programme_data(programme))
    [row] = build_portfolio([programme], today)
    assert _explained(now.rating.result) == _explained(row.overall)
    assert now.rating.result.rag == Rag.RED


@pytest.fixture
def area_with_a_lower_risk_tolerance(plan):
    """Area 1 sends risks scoring 9 or more to the board (the programme: 15): those held in
    the area, and those held in one of its workstreams."""
    area = plan["area_one"]
    area.risk_tolerance_score = 9
    area.save()
    return {
        "in_area": RiskFactory(
            programme=plan["programme"],
            area=area,
            reference="R1",
            current_likelihood=3,
            current_impact=3,
        ),
        "in_workstream": RiskFactory(
            programme=plan["programme"],
            workstream=plan["ws_1_2"],
            reference="R3",
            current_likelihood=3,
            current_impact=3,
        ),
        "elsewhere": RiskFactory(
            programme=plan["programme"],
            area=plan["area_two"],
            reference="R2",
            current_likelihood=3,
            current_impact=3,
        ),
    }


def test_goes_to_the_board_follows_the_areas_risk_tolerance(
    people, plan, client, area_with_a_lower_risk_tolerance
):
    risks = area_with_a_lower_risk_tolerance
    dashboard = build_dashboard(load_programme_data(plan["programme"]))
    assert sorted(b.key for b in detect_exceptions(dashboard.data, dashboard)) == sorted(
        f"risk:{risks[name].pk}" for name in ("in_area", "in_workstream")
    )

    api = client_for(people["board"])
    client.force_login(people["board"])
    for name, goes in (("in_area", True), ("in_workstream", True), ("elsewhere", False)):
        body = api.get(api_url("risk-detail", risks[name].pk)).json()
        assert body["goes_to_board"] is goes, name
        page = client.get(reverse("risk_detail", args=[risks[name].pk])).content.decode()
        assert ("it goes to the board" in page) is goes, name
