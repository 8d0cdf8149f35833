"""The programme dashboard's roll-ups and counts, checked against the rules on a small
hand-built programme (DOMAIN.md sections 3 and 6)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Rag
from programmes.dates import FinancialYear
from reporting.dashboard import build_dashboard
from reporting.state import load_programme_data
from risks.models import BoardMeeting, Decision
from tests.clock import TODAY
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    RiskFactory,
    StatusUpdateFactory,
)

THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


@pytest.fixture
def board_pack(plan):
    """1.1 overdue (Red); 1.2 slipped within tolerance (Amber); 2.1 on track; 2.2 reported."""
    programme = plan["programme"]
    this_period = PeriodFactory(programme=programme, month=THIS_MONTH)
    last_period = PeriodFactory(programme=programme, month=LAST_MONTH)
    MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.1", baseline_date=TODAY - timedelta(days=5)
    )
    MilestoneFactory(
        workstream=plan["ws_1_2"],
        reference="1.2.1",
        baseline_date=TODAY + timedelta(days=5),
        forecast_date=TODAY + timedelta(days=25),
    )
    MilestoneFactory(
        workstream=plan["ws_1_2"],
        reference="1.2.2",
        baseline_date=TODAY + timedelta(days=5),
        forecast_date=TODAY + timedelta(days=60),
    )  # beyond 30 days: slipped, Red
    MilestoneFactory(
        workstream=plan["ws_2_1"], reference="2.1.1", baseline_date=TODAY + timedelta(days=90)
    )
    MilestoneFactory(
        workstream=plan["ws_2_1"],
        reference="2.1.2",
        status="complete",
        baseline_date=THIS_MONTH,
        actual_date=THIS_MONTH,
    )
    StatusUpdateFactory(
        workstream=plan["ws_2_2"],
        period=last_period,
        rag="green",
        state="submitted",
        submitted_at=timezone.now(),
    )
    StatusUpdateFactory(
        workstream=plan["ws_2_2"],
        period=this_period,
        rag="amber",
        reason="Staffing",
        state="submitted",
        submitted_at=timezone.now(),
    )
    measure = MeasureFactory(workstream=plan["ws_2_1"], reference="NI 141")
    MeasureTargetFactory(
        measure=measure,
        financial_year=FinancialYear.containing(TODAY).start_year,
        value=Decimal(100),
    )
    MeasureReadingFactory(measure=measure, period=THIS_MONTH, value=Decimal(97))
    RiskFactory(
        programme=programme,
        reference="R1",
        current_likelihood=5,
        current_impact=4,
        inherent_likelihood=5,
        inherent_impact=5,
    )
    RiskFactory(programme=programme, reference="R2", current_likelihood=4, current_impact=3)
    RiskFactory(
        programme=programme,
        reference="R3",
        current_likelihood=4,
        current_impact=3,
        status="closed",
        closing_reason="Gone",
    )
    year = FinancialYear.containing(TODAY).start_year
    BudgetLineFactory(
        workstream=plan["ws_1_1"],
        financial_year=year,
        allocated=Decimal(1000),
        spent=Decimal(400),
        forecast=Decimal(1080),
    )
    BudgetLineFactory(
        workstream=plan["ws_2_1"],
        financial_year=year,
        allocated=Decimal(500),
        forecast=Decimal(500),
    )
    Decision.objects.create(
        programme=programme,
        reference="D1",
        title="Approve the model",
        needed_by=TODAY + timedelta(days=20),
    )
    Decision.objects.create(
        programme=programme, reference="D2", title="Made already", status="made", made_on=TODAY
    )
    BoardMeeting.objects.create(programme=programme, held_on=TODAY + timedelta(days=9))
    return programme


def test_the_grid_and_overall_rating_follow_the_rules(board_pack, plan):
    dashboard = build_dashboard(load_programme_data(board_pack))
    ratings = {
        row.rating.workstream.reference: row.rating.rating.rag
        for area in dashboard.grid
        for row in area.rows
    }
    assert ratings == {"1.1": Rag.RED, "1.2": Rag.RED, "2.1": Rag.AMBER, "2.2": Rag.AMBER}
    area_ratings = {area.area.reference: area.result.rag for area in dashboard.grid}
    assert area_ratings == {"1": Rag.RED, "2": Rag.AMBER}
    assert dashboard.rating.result.rag == Rag.RED
    movement = {
        row.rating.workstream.reference: row.movement
        for area in dashboard.grid
        for row in area.rows
    }
    assert movement["2.2"] == "worse"  # Green last period, Amber now
    assert dashboard.rag_summary == [
        (Rag.RED, 2),
        (Rag.AMBER, 2),
        (Rag.GREEN, 0),
        (Rag.COMPLETE, 0),
    ]


def test_milestone_counts(board_pack):
    counts = build_dashboard(load_programme_data(board_pack)).counts
    assert counts.overdue == 1  # 1.1.1
    assert counts.completed_this_period == 1  # 2.1.2
    assert counts.slipped == 1  # 1.2.2, forecast 55 days after baseline
    expected_due = sum(
        1
        for day in (
            TODAY - timedelta(days=5),  # overdue, and also due this month if it fell in it
            TODAY + timedelta(days=25),
            TODAY + timedelta(days=60),
            TODAY + timedelta(days=90),
        )
        if day.month == TODAY.month and day.year == TODAY.year
    )
    assert counts.due_this_month == expected_due


def test_risks_heat_map_and_top_risks(board_pack):
    dashboard = build_dashboard(load_programme_data(board_pack))
    current = {
        (c.likelihood, c.impact): (c.count, c.band)
        for row in dashboard.heat_current.rows
        for c in row
    }
    assert current[(5, 4)] == (1, Rag.RED)
    assert current[(4, 3)] == (1, Rag.AMBER)  # the closed one is not counted
    assert dashboard.heat_current.total == 2
    inherent = {
        (c.likelihood, c.impact): c.count for row in dashboard.heat_inherent.rows for c in row
    }
    assert inherent[(5, 5)] == 1 and dashboard.heat_inherent.total == 1
    assert [line.risk.reference for line in dashboard.top_risks] == ["R1", "R2"]


def test_measures_budget_decisions_and_next_board(board_pack):
    dashboard = build_dashboard(load_programme_data(board_pack))
    [measure] = dashboard.measures
    assert measure.rating.result.rag == Rag.AMBER  # 97 against 100, within 5%
    assert measure.chart.startswith("data:image/svg+xml;base64,")
    [year] = dashboard.budget
    assert (year.allocated, year.forecast, year.variance) == (
        Decimal(1500),
        Decimal(1580),
        Decimal(80),
    )
    assert year.result.rag == Rag.AMBER  # 5.3% over, within the 10% tolerance
    assert year.lines_needing_explanation == 1  # the 8% overspend has no explanation
    assert [d.reference for d in dashboard.decisions_pending] == ["D1"]
    assert dashboard.next_meeting.held_on == TODAY + timedelta(days=9)


def test_the_dashboard_page_shows_it_with_words_and_links(client, people, board_pack):
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[board_pack.pk])).content.decode()
    assert "Red because: workstream 1.1 is Red; workstream 1.2 is Red" in html
    assert "?due=overdue" in html and "?likelihood=5&amp;impact=4" in html
    assert "Likelihood" in html and "Impact" in html  # the heat map is a table with headers
    assert "Approve the model" in html


def test_a_measure_without_a_target_or_a_reading_says_so_in_words(client, people, plan):
    MeasureFactory(workstream=plan["ws_1_1"], reference="NI 999", title="Carers supported")
    client.force_login(people["board"])
    html = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()
    row = html[html.index("NI 999 Carers supported") :].split("</tr>", 1)[0]
    assert "No target this period" in row
    assert "No reading yet" in row
    assert ">None<" not in row
