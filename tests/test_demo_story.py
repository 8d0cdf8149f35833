"""The demo's story (issue 18): money entered month by month, so past reports show what was
true then; the issue log, change control, board meetings and the board's five-point rating
filled from the documents; and every demo sign-in's first page with something true to act on.
The `demo` fixture (tests/conftest.py) loads the demo without its rendered reports."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from programmes.choices import PeriodStatus, Rag, RagScale
from programmes.dates import FinancialYear
from reporting.models import ChangeRequest, ChangeStatus, ExceptionNarrative
from reporting.state import load_programme_data
from risks.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attendance,
    BoardMeeting,
    Issue,
    MeetingPaper,
    Risk,
    RiskStatus,
)
from tests.clock import TODAY
from workstreams.models import BaselineChange, BudgetLine

LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
TWO_MONTHS_AGO = (LAST_MONTH - timedelta(days=1)).replace(day=1)


def spent_this_year(data) -> int:
    year = FinancialYear.containing(TODAY).start_year
    return sum(line.spent for line in data.budget_lines if line.financial_year == year)


def test_last_months_budget_as_at_shows_spend_and_differs_from_today(demo, db):
    ppf = demo["PPF"]
    today = load_programme_data(ppf)
    last_month = load_programme_data(ppf, period=ppf.reporting_periods.get(month=LAST_MONTH))
    before = load_programme_data(ppf, period=ppf.reporting_periods.get(month=TWO_MONTHS_AGO))
    assert last_month.snapshot.is_historical
    assert spent_this_year(last_month) > 0
    assert spent_this_year(last_month) != spent_this_year(today)
    # Spend to date only grows: each month's report shows more than the month before.
    assert spent_this_year(before) < spent_this_year(last_month) < spent_this_year(today)


def test_each_budget_line_is_entered_month_by_month_on_the_days_it_was_posted(demo, db):
    year = FinancialYear.containing(TODAY).start_year
    line = BudgetLine.objects.filter(workstream__programme=demo["PPF"], financial_year=year)[0]
    posted = list(
        line.history.order_by("history_date").values_list("history_date", "spent", "forecast")
    )
    months_so_far = len({(d.year, d.month) for d, _, _ in posted})
    assert months_so_far >= 6
    spends = [spent for _, spent, _ in posted]
    assert spends == sorted(spends) and spends[0] == 0 and spends[-1] == line.spent
    assert all(d.date() <= TODAY for d, _, _ in posted)


def test_east_sussexs_realised_risks_are_issues_with_actions(demo, db):
    ppf = demo["PPF"]
    issues = Issue.objects.filter(programme=ppf).select_related("risk")
    assert {issue.risk.reference for issue in issues} == {"CF6 - 001", "CF6 - 003"}
    for issue in issues:
        assert issue.risk.status == RiskStatus.REALISED
        assert issue.owner.name == "Charity Thrussell"
        assert issue.raised_on < TODAY
        assert issue.actions.count() == 2
    assert issues.get(risk__reference="CF6 - 001").actions.filter(done=True).count() == 1
    # The risks' history says when they were realised, before today.
    realised = Risk.history.filter(programme_id=ppf.pk, status=RiskStatus.REALISED)
    assert realised.exists() and all(r.history_date.date() < TODAY for r in realised)


def test_east_sussexs_change_control_has_a_decided_change_and_one_awaiting(demo, db):
    ppf = demo["PPF"]
    changes = ChangeRequest.objects.filter(programme=ppf).order_by("reference")
    assert [c.status for c in changes] == [ChangeStatus.APPROVED, ChangeStatus.SUBMITTED]
    approved = changes[0]
    assert approved.board_meeting is not None and approved.decided_on < TODAY
    assert approved.raised_on < approved.decided_on
    [move] = approved.milestone_moves.all()
    [moved] = BaselineChange.objects.filter(milestone__workstream__programme=ppf)
    assert moved.milestone_id == move.milestone_id
    assert moved.changed_at.date() == approved.decided_on
    move.milestone.refresh_from_db()
    assert move.milestone.baseline_date == moved.new_date != moved.previous_date


def test_the_last_three_board_meetings_have_agendas_lists_papers_minutes_and_actions(demo, db):
    harrow = demo["HARROW-TPP"]
    held = list(
        BoardMeeting.objects.filter(programme=harrow, held_on__lt=TODAY).order_by("-held_on")[:3]
    )
    for meeting in held:
        assert AgendaItem.objects.filter(meeting=meeting).count() == 5
        assert all(item.minutes for item in AgendaItem.objects.filter(meeting=meeting))
        assert Attendance.objects.filter(meeting=meeting, status="attended").count() >= 2
        assert MeetingPaper.objects.filter(meeting=meeting).count() == 2
        assert ActionItem.objects.filter(meeting=meeting).count() == 2
        assert "Chaired by" in meeting.minutes
        paper = MeetingPaper.objects.filter(meeting=meeting).first()
        assert paper.file.read(5) == b"%PDF-"
    older = BoardMeeting.objects.filter(programme=harrow, held_on__lt=held[-1].held_on)
    assert not AgendaItem.objects.filter(meeting__in=older).exists()
    assert ActionItem.objects.filter(programme=harrow, status=ActionStatus.DONE).count() == 3


def test_torbay_is_on_the_five_point_scale_with_a_board_rating(demo, db):
    torbay = demo["PERS"]
    torbay.refresh_from_db()
    assert torbay.rag_scale == RagScale.FIVE_POINT
    assert torbay.overall_rag == Rag.AMBER_GREEN
    assert "85%" in torbay.overall_commentary
    ratings = list(
        torbay.history.order_by("history_date").values_list("overall_rag", flat=True).distinct()
    )
    assert Rag.AMBER in ratings and ratings[-1] == Rag.AMBER_GREEN


def test_cheshire_easts_golden_thread_is_the_objectives_tree(demo, db):
    from programmes.models import Objective

    organisation = demo["ACHW-2011"].organisation
    objectives = Objective.objects.filter(organisation=organisation)
    levels = set(objectives.values_list("level", flat=True))
    assert levels == {"corporate", "directorate", "service"}
    assert not objectives.filter(level="service", parent__isnull=True).exists()
    assert not objectives.filter(level="directorate", parent__isnull=True).exists()


FIRST_PAGE = {
    "lead": ["Overdue milestones", "Status updates not yet submitted"],
    "sponsor": ["Exception narratives awaiting your approval"],
    "manager": ["Exceptions without a narrative"],
    "office": ["Periods ready to close", "Transforming Lives"],
    "board": ["Overdue actions from the action log"],
}


@pytest.mark.parametrize("username", list(FIRST_PAGE))
def test_each_sign_ins_first_page_has_something_true_to_act_on(demo, client, username):
    client.force_login(get_user_model().objects.get(username=username))
    page = client.get(reverse("home")).content.decode()
    assert "Nothing needs you today" not in page
    for words in FIRST_PAGE[username]:
        assert words in page, (username, words)


def test_the_sponsors_narrative_is_one_they_may_approve_this_month(demo, db):
    waiting = ExceptionNarrative.objects.filter(
        period__programme=demo["HARROW-TPP"], approved_at__isnull=True
    )
    assert waiting.count() == 1
    assert waiting[0].period.month == TODAY.replace(day=1)
    assert waiting[0].is_written
    approved = ExceptionNarrative.objects.filter(
        period__month=LAST_MONTH, approved_at__isnull=False
    )
    assert approved.exists()
    assert {n.approved_by.username for n in approved} == {"sponsor"}


def test_cambridgeshires_last_month_is_left_for_the_office_to_close(demo, db):
    periods = demo["TL"].reporting_periods
    assert periods.get(month=LAST_MONTH).status == PeriodStatus.OPEN
    assert periods.get(month=TWO_MONTHS_AGO).status == PeriodStatus.CLOSED


def test_harrows_savings_and_torbays_outcomes_are_benefits_with_profiles(demo, db):
    from programmes.dates import FinancialYear
    from workstreams.models import Benefit

    harrow, torbay = demo["HARROW-TPP"], demo["PERS"]
    moved = harrow.starts_on.year - 2008
    saving = Benefit.objects.get(programme=harrow, reference="B1")
    assert saving.benefit_type == "cashable" and saving.owner.name == "Carole Yarde"
    assert [(y.financial_year - moved, y.planned) for y in saving.years.all()] == [(2009, 300000)]
    assert list(saving.workstreams.values_list("reference", flat=True)) == ["5.1"]

    moved = torbay.starts_on.year - 2011
    outcomes = {
        b.reference: {y.financial_year - moved: y.planned for y in b.years.all()}
        for b in Benefit.objects.filter(programme=torbay)
    }
    assert outcomes == {"B1": {2011: 85, 2012: 100}, "B2": {2011: 20}}
    this_year = FinancialYear.containing(TODAY).start_year
    realised = Benefit.objects.get(programme=torbay, reference="B2").years.get(
        financial_year=this_year
    )
    assert realised.realised is not None and "SDS-M2" in realised.evidence


def test_the_communications_plans_are_stakeholders_and_communications(demo, db):
    from risks.models import CommunicationItem, Lesson, Stakeholder

    harrow, ppf = demo["HARROW-TPP"], demo["PPF"]
    assert Stakeholder.objects.filter(programme=harrow).count() == 11
    assert Stakeholder.objects.filter(programme=harrow, name="CSCI").exists()
    csci = CommunicationItem.objects.get(programme=harrow, audience__name="CSCI")
    assert (csci.channel, csci.frequency) == ("Business meetings / ARM", "two_monthly")
    highlight = CommunicationItem.objects.get(programme=ppf, channel="Highlight reports")
    assert highlight.frequency == "monthly" and highlight.owner.name == "Charity Thrussell"
    # Each was sent once lately, and is next due after today.
    assert highlight.sent.count() == 1 and highlight.next_on > TODAY
    assert Lesson.objects.filter(programme=ppf).count() == 2
    assert Lesson.objects.filter(programme=harrow).count() == 2


def test_east_sussexs_whole_life_cost_is_its_allocation_and_forecast(demo, db):
    ppf = demo["PPF"]
    ppf.refresh_from_db()
    assert ppf.whole_life_cost_baseline == 843000 + 1917000 + 2070000
    forecast = sum(line.forecast for line in BudgetLine.objects.filter(workstream__programme=ppf))
    assert ppf.whole_life_cost_forecast == forecast
    assert ppf.whole_life_cost_forecast == ppf.whole_life_cost_baseline or (
        ppf.whole_life_cost_narrative
    )
