"""The highlight and exception reports say what DOMAIN.md section 5 asks, read back from the
PDF itself: every section with its figures, every exception and which have no narrative yet,
the programme and period on every page, and DRAFT on every page of an open period's report
and on none of a closed one's."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from programmes.dates import FinancialYear, add_months
from programmes.models import Funding, ProgrammeArea
from reporting.pdf import html_to_pdf, render_html
from reporting.reports import gather_exceptions, gather_highlight
from risks.models import Decision, Issue, Risk
from tests.clock import TODAY, frozen_clock
from tests.conftest import make_plan
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
from workstreams.models import (
    BudgetLine,
    Measure,
    MeasureReading,
    MeasureTarget,
    Milestone,
    Workstream,
)

THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = add_months(THIS_MONTH, -1)
NEXT_MONTH = add_months(THIS_MONTH, 1)
YEAR = FinancialYear.containing(TODAY).start_year

HIGHLIGHT_SUMMARY = [
    "Overall",
    "What changed since",
    "Decisions needed from the board",
    "Exceptions",
    "Top five risks",
    "Milestones due in",
    "Budget",
    "Escalations from leads",
]
HIGHLIGHT_ANNEXES = [
    "Annex A: Each workstream's rating, its reason and its lead's update",
    "Annex B: Milestones",
    "Annex C: Measures against target",
    "Annex D: Decisions, risks and issues",
    "Annex E: Budget by financial year",
]


def pdf_pages(report) -> list[str]:
    """The text of each page of the report's PDF, with runs of white space made one space."""
    pdf = html_to_pdf(render_html(report))
    assert pdf.refused == ()
    reader = PdfReader(BytesIO(pdf.content))
    assert len(reader.pages) == pdf.pages
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def section(text: str, heading: str, next_heading: str) -> str:
    """The text of a section: from its heading in the body (the contents list names it
    first) to the next section's heading."""
    start = text.rindex(heading)
    return text[start : text.index(next_heading, start + len(heading))]


@pytest.fixture
def periods(plan):
    return make_periods(plan)


def make_periods(plan):
    return {
        "last": PeriodFactory(programme=plan["programme"], month=LAST_MONTH),
        "this": PeriodFactory(programme=plan["programme"], month=THIS_MONTH),
    }


@pytest.fixture
def programme_in_flight(plan, periods):
    return make_programme_in_flight(plan, periods)


def make_programme_in_flight(plan, periods):
    """1.1 is Red from its plan: milestone 1.1.1 overdue, 1.1.2 forecast 55 days beyond its
    baseline, measure NI 141 at 97 against 100 (Amber); 1.2 is Amber (1.2.1 forecast 20 days
    late); 2.1 is Green, with 2.1.1 completed this month and 2.1.2 due next month; 2.2 was
    reported Green last period and Amber now, with an escalation. Risks R1 (5x4) and R2 (4x3),
    decision D1, issue I1, and a budget 5% over its allocation."""
    programme = plan["programme"]
    MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.1",
        title="Staff consultation meetings",
        baseline_date=LAST_MONTH + timedelta(days=5),
    )
    MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.2",
        title="New service model agreed",
        baseline_date=TODAY + timedelta(days=5),
        forecast_date=TODAY + timedelta(days=60),
    )
    MilestoneFactory(
        workstream=plan["ws_1_2"],
        reference="1.2.1",
        title="Forum of service users set up",
        baseline_date=TODAY + timedelta(days=5),
        forecast_date=TODAY + timedelta(days=25),
    )
    MilestoneFactory(
        workstream=plan["ws_2_1"],
        reference="2.1.1",
        title="Site for the scheme bought",
        status="complete",
        baseline_date=THIS_MONTH,
        actual_date=THIS_MONTH,
    )
    MilestoneFactory(
        workstream=plan["ws_2_1"],
        reference="2.1.2",
        title="Planning permission granted",
        baseline_date=NEXT_MONTH + timedelta(days=14),
    )
    measure = MeasureFactory(
        workstream=plan["ws_1_1"], reference="NI 141", title="People helped to live at home"
    )
    MeasureTargetFactory(measure=measure, financial_year=YEAR, value=Decimal(100))
    MeasureReadingFactory(measure=measure, period=LAST_MONTH, value=Decimal(90))
    MeasureReadingFactory(measure=measure, period=THIS_MONTH, value=Decimal(97))
    StatusUpdateFactory(
        workstream=plan["ws_2_2"],
        period=periods["last"],
        rag="green",
        state="submitted",
        submitted_at=timezone.now(),
    )
    StatusUpdateFactory(
        workstream=plan["ws_2_2"],
        period=periods["this"],
        rag="amber",
        reason="Two care staff left",
        escalations="Agency funding needed for two posts",
        state="submitted",
        submitted_at=timezone.now(),
    )
    RiskFactory(
        programme=programme,
        reference="R1",
        title="Provider market fails",
        current_likelihood=5,
        current_impact=4,
    )
    RiskFactory(
        programme=programme,
        reference="R2",
        title="Staff turnover",
        current_likelihood=4,
        current_impact=3,
    )
    Decision.objects.create(
        programme=programme,
        reference="D1",
        title="Approve the new model",
        needed_by=TODAY + timedelta(days=20),
    )
    Issue.objects.create(
        programme=programme,
        reference="I1",
        title="Day centre roof leaking",
        description="Closed for repairs",
        severity="high",
        raised_on=LAST_MONTH,
    )
    BudgetLineFactory(
        workstream=plan["ws_1_1"],
        financial_year=YEAR,
        allocated=Decimal(1000),
        spent=Decimal(400),
        forecast=Decimal(1080),
    )
    BudgetLineFactory(
        workstream=plan["ws_2_1"],
        financial_year=YEAR,
        allocated=Decimal(500),
        spent=Decimal(100),
        forecast=Decimal(500),
    )
    Funding.objects.create(
        programme=programme, source="Social Care Reform Grant", financial_year=YEAR, amount=2000
    )
    return programme


@pytest.fixture
def closed_last_period(programme_in_flight, periods):
    """Last period closed, with the plan recorded as it was agreed before it began."""
    agreed = timezone.make_aware(datetime.combine(LAST_MONTH, datetime.min.time()))
    for model in (
        ProgrammeArea,
        Workstream,
        Milestone,
        Measure,
        MeasureTarget,
        MeasureReading,
        Risk,
        Decision,
        Issue,
        BudgetLine,
        Funding,
    ):
        model.history.update(history_date=agreed)
    period = periods["last"]
    period.status = "closed"
    period.closed_at = timezone.now()
    period.save()
    return period


@pytest.fixture(scope="module")
def highlight_text(django_db_setup, django_db_blocker):
    """The text of the programme in flight's highlight report for this period: rendered once
    for the module, as the tests only read it, and its data then rolled back."""
    with django_db_blocker.unblock(), frozen_clock(), transaction.atomic():
        plan = make_plan()
        periods = make_periods(plan)
        programme = make_programme_in_flight(plan, periods)
        report = gather_highlight(programme, periods["this"], author="Sam Okafor")
        text = " ".join(pdf_pages(report))
        transaction.set_rollback(True)
    return text


def test_the_highlight_report_has_every_section(highlight_text):
    summary = section(highlight_text, "Summary for the Programme Board", "Annexes")
    for heading in HIGHLIGHT_SUMMARY:
        assert heading in summary
    contents = section(highlight_text, "Annexes", "How to read the ratings")
    body = highlight_text[highlight_text.index("How to read the ratings") :]
    for heading in HIGHLIGHT_ANNEXES:
        assert heading in contents
        assert heading in body


def test_the_cover_says_what_the_report_is(programme_in_flight, periods):
    report = gather_highlight(programme_in_flight, periods["this"], author="Sam Okafor")
    cover = pdf_pages(report)[0]
    assert programme_in_flight.name in cover
    assert programme_in_flight.organisation.name in cover
    assert "Highlight report" in cover
    assert periods["this"].label in cover
    assert "Sam Okafor" in cover
    assert f"{timezone.localtime(report.generated_at):%B %Y}" in cover


def test_the_rag_grid_shows_every_area_and_workstream_with_its_rating(highlight_text):
    grid = section(
        highlight_text,
        "Annex A: Each workstream's rating, its reason and its lead's update",
        "Annex B",
    )
    ratings = [
        ("1 Community Services", "Day Opportunities", "Red"),
        ("Day Opportunities", "Involving users", "Red"),
        ("Involving users", "2 Accommodation", "Amber"),
        ("2 Accommodation", "Extra Care Housing", "Amber"),
        ("Extra Care Housing", "Older People", "Green"),
    ]
    for name, next_name, rating in ratings:
        assert rating in section(grid, name, next_name), name
    older_people = grid[grid.index("Older People") :]
    # Green last period, Amber now: worse, in words as well as the symbol.
    assert re.search(r"Green to Amber ↓ Worse", older_people)
    assert "Two care staff left" in older_people


def test_the_milestone_sections_list_the_right_milestones(highlight_text):
    milestones = highlight_text[highlight_text.rindex("Annex B: Milestones") :]
    completed = section(milestones, "Completed in", "Due in")
    due_next = section(milestones, "Due in", "Overdue and slipped")
    overdue = section(milestones, "Overdue and slipped", "Annex C")
    assert "2.1.1 Site for the scheme bought" in completed
    assert "1.1.1" not in completed
    assert f"Due in {NEXT_MONTH:%B %Y}" in due_next
    assert "2.1.2 Planning permission granted" in due_next
    assert "2.1.1" not in due_next
    assert "1.1.1 Staff consultation meetings" in overdue
    assert "days late" in section(overdue, "1.1.1", "1.1.2")
    assert "1.1.2 New service model agreed" in overdue
    assert "after its baseline" in overdue[overdue.index("1.1.2") :]
    assert "2.1.2" not in overdue


def test_decisions_risks_and_issues(highlight_text):
    annex = highlight_text[highlight_text.rindex("Annex D: Decisions, risks and issues") :]
    decisions = section(annex, "Decisions pending", "Top risks")
    risks = section(annex, "Top risks", "Annex E")
    assert "D1 Approve the new model" in decisions
    assert re.search(r"R1 Provider market fails 20 Red\b", risks)
    assert re.search(r"R2 Staff turnover 12 Amber\b", risks)
    assert risks.index("R1") < risks.index("R2")  # by score, highest first
    assert "I1 Day centre roof leaking" in risks[risks.index("Open issues") :]


def test_measures_show_their_figures_and_trend_in_words(highlight_text):
    measures = section(highlight_text, "Annex C: Measures against target", "Annex D")
    row = measures[measures.index("NI 141") :]
    assert "People helped to live at home" in row
    assert f"Target: 100. Latest: 97 ({THIS_MONTH:%b %Y})" in row
    assert f"Trend: {LAST_MONTH:%b %Y} 90 to {THIS_MONTH:%b %Y} 97" in row
    assert "Amber" in row


def test_the_budget_shows_the_years_figures(highlight_text):
    budget = highlight_text[highlight_text.rindex("Annex E: Budget by financial year") :]
    row = budget[budget.index(str(FinancialYear(YEAR))) :]
    # Funding, allocated, spent, forecast, variance, rating.
    assert "£2,000 £1,500 £500 £1,580 £80 Amber" in row


def test_escalations_from_leads(highlight_text):
    escalations = section(highlight_text, "Escalations from leads", "Annexes")
    assert "2.2 Older People" in escalations
    assert "Agency funding needed for two posts" in escalations


def test_empty_sections_say_so(plan, periods):
    period = periods["this"]
    text = " ".join(pdf_pages(gather_highlight(plan["programme"], period, author="Office")))
    assert f"No milestones were completed in {period.label}." in text
    assert f"No milestones are due in {NEXT_MONTH:%B %Y}." in text
    assert "No decisions are pending." in text
    assert f"There were no open risks at the end of {period.label}." in text
    assert "The programme has no measures." in text
    assert "No budget is recorded for the programme." in text
    assert f"No lead sent an update for {period.label}." in text
    assert f"No lead escalated anything to the board in {period.label}." in text
    exceptions = " ".join(pdf_pages(gather_exceptions(plan["programme"], period, author="Office")))
    assert f"No tolerance was breached in {period.label}" in exceptions


@pytest.mark.parametrize("gather", [gather_highlight, gather_exceptions])
def test_an_open_period_says_draft_on_every_page(programme_in_flight, periods, gather):
    period = periods["this"]
    pages = pdf_pages(gather(programme_in_flight, period, author="Sam Okafor"))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "DRAFT" in page, number
        assert programme_in_flight.name in page, number
        assert period.label in page, number
        assert f"Page {number} of {len(pages)}" in page


@pytest.mark.parametrize("gather", [gather_highlight, gather_exceptions])
def test_a_closed_period_says_draft_on_no_page(programme_in_flight, closed_last_period, gather):
    report = gather(programme_in_flight, closed_last_period, author="Sam Okafor")
    assert report.as_of == closed_last_period.ends_on
    pages = pdf_pages(report)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "DRAFT" not in page, number
        assert programme_in_flight.name in page, number
        assert closed_last_period.label in page, number
        assert f"Page {number} of {len(pages)}" in page
