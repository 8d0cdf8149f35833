"""The portfolio: each visible programme's overall rating and movement, workstreams by
rating, overdue milestones, Red risks, measures off target and next board date."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from programmes.choices import Rag
from programmes.dates import FinancialYear
from reporting.portfolio import build_portfolio
from risks.models import BoardMeeting
from tests.clock import TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MeasureTargetFactory,
    MilestoneFactory,
    PeriodFactory,
    ProgrammeFactory,
    RiskFactory,
    StatusUpdateFactory,
)

THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


def test_each_figure_follows_the_rules(plan):
    programme = plan["programme"]
    programme.risk_red_from = 12  # this council's own appetite
    programme.save()
    now, before = (PeriodFactory(programme=programme, month=m) for m in (THIS_MONTH, LAST_MONTH))
    # 1.1 reported Green then Red; 1.2 reported Green twice; 2.1 not reported, overdue milestone.
    for rag, period, reason in (("green", before, ""), ("red", now, "Cabinet slipped")):
        StatusUpdateFactory(
            workstream=plan["ws_1_1"],
            period=period,
            rag=rag,
            reason=reason,
            state="submitted",
            submitted_at=timezone.now(),
        )
    for period in (before, now):
        StatusUpdateFactory(
            workstream=plan["ws_1_2"],
            period=period,
            rag="green",
            state="submitted",
            submitted_at=timezone.now(),
        )
    MilestoneFactory(workstream=plan["ws_2_1"], baseline_date=TODAY - timedelta(days=2))
    MilestoneFactory(
        workstream=plan["ws_1_1"],
        baseline_date=TODAY - timedelta(days=9),
        forecast_date=TODAY - timedelta(days=1),
    )
    MilestoneFactory(
        workstream=plan["ws_1_1"],
        baseline_date=TODAY - timedelta(days=9),
        status="complete",
        actual_date=TODAY - timedelta(days=10),
    )
    RiskFactory(programme=programme, current_likelihood=4, current_impact=3)  # 12: Red here
    RiskFactory(programme=programme, current_likelihood=3, current_impact=3)
    RiskFactory(
        programme=programme,
        current_likelihood=5,
        current_impact=5,
        status="closed",
        closing_reason="Done",
    )
    measure = MeasureFactory(workstream=plan["ws_2_2"])
    MeasureTargetFactory(
        measure=measure,
        financial_year=FinancialYear.containing(TODAY).start_year,
        value=Decimal(100),
    )
    MeasureReadingFactory(measure=measure, period=THIS_MONTH, value=Decimal(90))
    BoardMeeting.objects.create(programme=programme, held_on=TODAY + timedelta(days=12))
    BoardMeeting.objects.create(programme=programme, held_on=TODAY - timedelta(days=12))

    [row] = build_portfolio([programme], TODAY)
    assert row.overall.rag == Rag.RED
    # 2.1 and 2.2 have no report: the plan suggests Red (an overdue milestone; a measure
    # 10% under target, beyond the 5% tolerance).
    assert row.overall.explanation() == (
        "Red because: workstream 1.1 is Red; workstream 2.1 is Red; workstream 2.2 is Red"
    )
    assert row.previous == Rag.GREEN and row.movement == "worse"
    assert row.workstream_counts == [(Rag.RED, 3), (Rag.AMBER, 0), (Rag.GREEN, 1)]
    assert row.overdue_milestones == 2
    assert row.red_risks == 1
    assert row.measures_off_target == 1
    assert row.next_board == TODAY + timedelta(days=12)


def test_the_page_lists_only_the_programmes_the_user_may_see(client, people, plan):
    ProgrammeFactory(name="Another council's programme")
    client.force_login(people["board"])
    html = client.get(reverse("portfolio")).content.decode()
    assert plan["programme"].name.replace("&", "&amp;") in html
    assert "Another council" not in html
    client.force_login(people["outsider"])
    assert (
        "You have no role in any programme yet" in client.get(reverse("portfolio")).content.decode()
    )
