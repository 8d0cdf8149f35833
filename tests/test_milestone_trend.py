"""Milestone trend analysis (issue 15, part 4): each milestone's forecast date as recorded at
each period's end, from the history, on the workstream page, the dashboard (key decisions)
and the highlight report's annex; the pages run a fixed number of queries."""

from datetime import date, datetime, time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.dates import add_months
from programmes.models import Programme, ProgrammeArea
from reporting.pdf import render_html
from reporting.reports import gather_highlight
from reporting.trend import milestone_trend
from tests.clock import TODAY
from tests.factories import (
    MilestoneFactory,
    PeriodFactory,
    StatusUpdateFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from workstreams.models import Milestone, MilestoneKind, Workstream

THIS_MONTH = TODAY.replace(day=1)
MONTHS = [add_months(THIS_MONTH, -n) for n in (3, 2, 1)]  # three periods that have ended


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _recorded_in(milestone: Milestone, month: date) -> None:
    """Date the milestone's latest history record in the middle of a month."""
    record = milestone.history.order_by("-history_date", "-history_id").first()
    record.history_date = timezone.make_aware(datetime.combine(month.replace(day=15), time(9)))
    record.save()


def _reforecast(milestone: Milestone, forecasts: list[date], months: list[date]) -> None:
    """Set the forecast to each date in turn, each recorded in its month."""
    for forecast, month in zip(forecasts, months, strict=True):
        milestone.forecast_date = forecast
        milestone.save()
        _recorded_in(milestone, month)


@pytest.fixture
def periods(plan):
    return [PeriodFactory(programme=plan["programme"], month=month) for month in MONTHS] + [
        PeriodFactory(programme=plan["programme"], month=THIS_MONTH)
    ]


@pytest.fixture
def slipping(plan, periods):
    """3.1 planned for 1 Mar 2027 in the first month, re-forecast twice: 1 Apr, then 1 Jun."""
    milestone = MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        title="Cabinet approval",
        kind=MilestoneKind.KEY_DECISION,
        baseline_date=date(2027, 3, 1),
    )
    _recorded_in(milestone, MONTHS[0])
    _reforecast(milestone, [date(2027, 4, 1), date(2027, 6, 1)], MONTHS[1:])
    return milestone


def test_a_milestone_reforecast_twice_shows_three_points_rising(plan, periods, slipping):
    trend = milestone_trend([slipping], periods, today=TODAY)
    assert trend.labels == [f"{month:%b %Y}" for month in MONTHS] + ["Now"]
    line = trend.lines[0]
    assert [d.value for d in line.dates] == [
        date(2027, 3, 1),
        date(2027, 4, 1),
        date(2027, 6, 1),
        date(2027, 6, 1),
    ]
    assert line.has_slipped and line.slip_days == 92


def test_a_milestone_added_later_is_not_planned_at_the_earlier_ends(plan, periods):
    late = MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=date(2027, 1, 31))
    _recorded_in(late, MONTHS[2])
    steady = MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=date(2027, 2, 28))
    _recorded_in(steady, MONTHS[0])
    trend = milestone_trend([late, steady], periods, today=TODAY)
    assert [d and d.value for d in trend.lines[0].dates] == [
        None,
        None,
        date(2027, 1, 31),
        date(2027, 1, 31),
    ]
    assert not trend.lines[1].has_slipped
    assert "None of the 2 milestones' forecast dates moved later" in trend.summary


def test_a_change_after_a_periods_end_counts_from_the_next(plan, periods):
    milestone = MilestoneFactory(workstream=plan["ws_1_1"], baseline_date=date(2027, 3, 1))
    _recorded_in(milestone, MONTHS[0])
    milestone.forecast_date = date(2027, 5, 1)
    milestone.save()
    record = milestone.history.order_by("-history_date", "-history_id").first()
    # Recorded one minute into the second month: the first period's end keeps the baseline.
    record.history_date = timezone.make_aware(datetime.combine(MONTHS[1], time(0, 1)))
    record.save()
    dates = [d.value for d in milestone_trend([milestone], periods, today=TODAY).lines[0].dates]
    assert dates == [date(2027, 3, 1), date(2027, 5, 1), date(2027, 5, 1), date(2027, 5, 1)]


def test_the_workstream_page_shows_the_chart_and_the_table(client, people, plan, slipping):
    client.force_login(people["board"])
    html = client.get(reverse("workstream_detail", args=[plan["ws_1_1"].pk])).content.decode()
    assert 'id="milestone-trend"' in html
    assert 'src="data:image/svg+xml;base64,' in html.split('id="milestone-trend"')[1]
    table = html.split('id="milestone-trend-table"')[1].split("</table>")[0]
    assert "1 Mar 2027" in table and "1 Apr 2027" in table and "1 Jun 2027" in table
    assert "92 days later" in table
    assert "Forecast dates moved later: 1.1.1 by 92 days." in html


def test_the_dashboard_shows_the_key_decisions_trend(client, people, plan, slipping):
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()
    section = html.split('id="key-decisions-trend"')[1].split("</section>")[0]
    assert "1.1.1 Cabinet approval" in section
    assert "1 Jun 2027" in section


def _plan_recorded_in(month: date) -> None:
    """The plan's programme, areas and workstreams recorded in an earlier month, so that a
    report as at a past period's end finds them."""
    moment = timezone.make_aware(datetime.combine(month, time(9)))
    for model in (Programme, ProgrammeArea, Workstream):
        model.history.update(history_date=moment)


def test_the_highlight_reports_annex_has_the_key_decisions_trend(plan, periods, slipping):
    _plan_recorded_in(MONTHS[0])
    closed = periods[2]  # the last month: as at its end, both re-forecasts are recorded
    html = render_html(gather_highlight(plan["programme"], closed, author="Programme office"))
    annex = html.split('id="annex-d"')[1]
    assert "Key decisions: forecast dates over time" in annex
    assert "Forecast dates moved later: 1.1.1 by 92 days." in annex


def test_the_highlight_report_words_movement_better_worse_same_or_new(plan, periods):
    _plan_recorded_in(MONTHS[0])
    for period, rag in ((periods[1], "green"), (periods[2], "red")):
        StatusUpdateFactory(
            workstream=plan["ws_1_1"],
            period=period,
            rag=rag,
            reason="Late",
            state="submitted",
            submitted_at=timezone.now(),
        )
    html = render_html(gather_highlight(plan["programme"], periods[2], author="Office"))
    assert '<span aria-hidden="true">\u2193</span> Worse' in html
    assert "\u25b6" not in html and "\u25b2" not in html


def _programme_with_history(size: int):
    """A programme of 3 x size workstreams, each with 2 x size milestones (one a key
    decision) re-forecast in two of twelve periods that have ended."""
    from tests.test_pages import build_programme

    programme, first = build_programme(workstreams=3 * size, milestones=0)
    months = [add_months(THIS_MONTH, -n) for n in range(12, 0, -1)]
    for month in months:
        PeriodFactory(programme=programme, month=month)
    for workstream in [first, *[WorkstreamFactory(area=first.area) for _ in range(size)]]:
        for number in range(2 * size):
            milestone = MilestoneFactory(
                workstream=workstream,
                baseline_date=date(2027, 3, 1),
                kind=MilestoneKind.KEY_DECISION if number == 0 else MilestoneKind.MILESTONE,
            )
            _recorded_in(milestone, months[0])
            _reforecast(milestone, [date(2027, 4, 1), date(2027, 5, 1)], months[3:5])
    return programme, first


@pytest.mark.parametrize("size", [1, 4])
def test_the_workstream_page_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    programme, workstream = _programme_with_history(size)
    user = UserFactory()
    grant(user, Role.BOARD_MEMBER, programme=programme)
    client.force_login(user)
    with django_assert_max_num_queries(38):
        response = client.get(reverse("workstream_detail", args=[workstream.pk]))
    assert "Forecast dates moved later" in response.content.decode()


@pytest.mark.parametrize("size", [1, 4])
def test_the_dashboard_runs_a_fixed_number_of_queries_with_its_history(
    client, db, size, django_assert_max_num_queries
):
    """Twelve periods of RAG history and the key decisions' trend: the eleven closed periods
    are rated once (a fixed number of queries each), then read from the cache."""
    programme, _first = _programme_with_history(size)
    user = UserFactory()
    grant(user, Role.BOARD_MEMBER, programme=programme)
    client.force_login(user)
    url = reverse("programme_detail", args=[programme.pk])
    # 24 warm: the as-at-a-past-period pin's 22, the key decisions' history, and this
    # period's exception narratives. Cold: one more (the benefits, whose section is not kept
    # in the cache) and six for each of the eleven closed periods.
    with django_assert_max_num_queries(25 + 11 * 6):
        first = client.get(url)
    with django_assert_max_num_queries(24):
        again = client.get(url)
    for response in (first, again):
        html = response.content.decode()
        assert html.count("Overall rating by period:") == 1
        assert "Forecast dates moved later" in html


def test_the_report_with_the_trend_becomes_a_pdf(plan, periods, slipping):
    from io import BytesIO

    from pypdf import PdfReader

    from reporting.pdf import html_to_pdf

    _plan_recorded_in(MONTHS[0])
    report = gather_highlight(plan["programme"], periods[2], author="Programme office")
    pdf = html_to_pdf(render_html(report))
    assert pdf.refused == ()  # the chart is drawn from its data URI, nothing fetched
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "Key decisions: forecast dates over time" in " ".join(text.split())
