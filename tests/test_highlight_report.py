"""The highlight report a board reads in five minutes (issue 13, part 1): after the cover, a
summary of at most two A4 pages, then the annexes; the leads' own words; never "None" or
"No data"; a cover that says whether the report is a draft, approved (by whom, when) or
superseded. Read back from the PDF itself, for the Harrow demo programme and a programme of
60 workstreams."""

from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from plans.scale_data import ScaleSize, generate_scale_data
from programmes.choices import PeriodStatus
from programmes.dates import add_months
from programmes.models import ProgrammeArea, ReportingPeriod
from reporting.models import ReportKind, ReportRun, RunStatus
from reporting.pdf import html_to_pdf, render_html
from reporting.reports import gather_highlight
from tests.clock import TODAY
from tests.factories import PeriodFactory, StatusUpdateFactory, UserFactory
from workstreams.models import StatusUpdate, Workstream

SUMMARY = "Summary for the"
FIRST_ANNEX_PAGE = "How to read the ratings"  # the annexes' contents and key open the annexes


def pdf_pages(report) -> list[str]:
    pdf = html_to_pdf(render_html(report))
    assert pdf.refused == ()
    reader = PdfReader(BytesIO(pdf.content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def words(text: str) -> str:
    return " ".join(text.split())


def page_with(pages: list[str], marker: str) -> int:
    """The number (from 1) of the first page that has the marker."""
    return next(number for number, page in enumerate(pages, start=1) if marker in page)


def last_closed(programme) -> ReportingPeriod:
    return (
        ReportingPeriod.objects.filter(programme=programme, status=PeriodStatus.CLOSED)
        .order_by("-month")
        .first()
    )


def assert_board_can_read_it(programme):
    period = last_closed(programme)
    pages = pdf_pages(gather_highlight(programme, period, author="Programme office"))
    text = " ".join(pages)

    # The cover is page 1, the summary pages 2 and 3 at most; the annexes follow.
    assert page_with(pages, SUMMARY) == 2
    assert page_with(pages, FIRST_ANNEX_PAGE) <= 4
    summary = " ".join(pages[1 : page_with(pages, FIRST_ANNEX_PAGE) - 1])
    for heading in [
        "Overall",
        "What changed since",
        "Decisions needed from the board",
        "Exceptions",
        "Top five risks",
        "Milestones due in",
        "Budget",
        "Escalations from leads",
    ]:
        assert heading in summary, heading
    annexes = " ".join(pages[page_with(pages, FIRST_ANNEX_PAGE) - 1 :])
    for heading in [
        "Annex A: Each workstream's rating, its reason and its lead's update",
        "Annex B: Milestones",
        "Annex C: Measures against target",
        "Annex D: Decisions, risks and issues",
        "Annex E: Budget by financial year",
    ]:
        assert annexes.count(heading) == 2, heading  # in the annexes' contents and as a heading

    # The leads' own words, each workstream's, in Annex A beside its rating.
    updates = StatusUpdate.objects.filter(period=period, workstream__programme=programme)
    assert updates.exists()
    leads_words = text[text.rindex("Annex A: Each workstream's") : text.rindex("Annex B:")]
    for update in updates:
        assert words(update.achievements) in leads_words, update.workstream.reference
        assert words(update.planned_next) in leads_words, update.workstream.reference

    assert "None" not in text
    assert "No data" not in text
    return pages


def test_harrows_summary_fits_two_pages_with_the_leads_words(demo):
    pages = assert_board_can_read_it(demo["HARROW-TPP"])
    text = " ".join(pages)
    # Harrow's measures mostly have no target for the month: they say so.
    assert "No target this period" in text
    # In Annex A a rating that moved shows where it moved from; one that did not is shown once.
    annex_a = text[text.rindex("Annex A: Each workstream's") : text.rindex("Annex B:")]
    assert "Green → Same" in annex_a and "Green to Amber ↓ Worse" in annex_a
    for rating in ("Red", "Amber", "Green", "Complete"):
        assert f"{rating} to {rating}" not in annex_a


def test_the_summary_of_a_60_workstream_programme_fits_two_pages(db):
    generate_scale_data(ScaleSize(programmes=1, workstreams=60), prefix="SIXTY", today=TODAY)
    pages = assert_board_can_read_it(
        ReportingPeriod.objects.get(
            programme__reference="SIXTY-1", month=add_months(TODAY.replace(day=1), -1)
        ).programme
    )
    summary = " ".join(pages[1:3])
    # Long lists are cut in the summary and counted, with where to read the rest.
    assert "more (Annex" in summary


@pytest.fixture
def closed(plan):
    """Last month closed, its plan and 1.1's update recorded as they stood within it."""
    StatusUpdateFactory(
        workstream=plan["ws_1_1"],
        period=PeriodFactory(
            programme=plan["programme"],
            month=add_months(TODAY.replace(day=1), -1),
            status=PeriodStatus.CLOSED,
        ),
        rag="amber",
        reason="Two day centre staff left",
        state="submitted",
        submitted_at=timezone.now(),
        achievements="Consultation with the day centres finished",
        planned_next="Draft the new service model",
    )
    within = timezone.make_aware(datetime.combine(add_months(TODAY.replace(day=1), -1), time()))
    for model in (ProgrammeArea, Workstream, StatusUpdate):
        model.history.update(history_date=within)
    return ReportingPeriod.objects.get(programme=plan["programme"], status=PeriodStatus.CLOSED)


def run(plan, period, version, **fields):
    return ReportRun.objects.create(
        programme=plan["programme"],
        period=period,
        kind=ReportKind.HIGHLIGHT,
        version=version,
        status=RunStatus.DONE,
        file=f"reports/highlight-v{version}.pdf",
        **fields,
    )


def cover(plan, period, version=1) -> str:
    report = gather_highlight(plan["programme"], period, author="Programme office", version=version)
    return pdf_pages(report)[0]


def test_the_cover_says_draft_while_the_period_is_open(plan):
    period = PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1))
    assert "DRAFT: the period is open" in cover(plan, period)


def test_the_cover_of_a_closed_periods_report_says_it_is_not_yet_approved(plan, closed):
    run(plan, closed, 1)
    page = cover(plan, closed)
    assert "Draft: period closed, not yet approved" in page
    assert "Approved by" not in page


def test_the_cover_says_who_approved_the_report_and_when(plan, closed, people):
    approver = people["office"]
    approved_at = timezone.make_aware(datetime(2026, 11, 4, 10, 30))
    run(plan, closed, 1, approved_by=approver, approved_at=approved_at)
    page = cover(plan, closed)
    assert f"Approved by {approver.person.name} on 4 November 2026" in page
    assert f"Approved by {approver.person.name}, 4 November 2026, 10:30" in page
    assert "not yet approved" not in page


def test_the_cover_of_an_approver_without_a_person_names_their_user_name(plan, closed):
    approver = UserFactory(username="jo.admin")
    run(plan, closed, 1, approved_by=approver, approved_at=timezone.now() - timedelta(days=1))
    assert "Approved by jo.admin" in cover(plan, closed)


def test_the_cover_says_a_replaced_version_is_superseded(plan, closed, people):
    first = run(plan, closed, 1, approved_by=people["office"], approved_at=timezone.now())
    run(plan, closed, 2, supersedes=first, reason="A milestone date was wrong")
    page = cover(plan, closed, version=1)
    assert "Superseded by version 2" in page
    assert "Approved by" not in page
    assert "Superseded" not in cover(plan, closed, version=2)


def test_the_leads_words_appear_and_empty_values_never_say_none(plan, closed):
    text = " ".join(pdf_pages(gather_highlight(plan["programme"], closed, author="Office")))
    annex = text[text.rindex("Annex A: Each workstream's") : text.rindex("Annex B:")]
    # Each workstream's rating, its reason and its lead's words together, in one place.
    day_opportunities = annex[annex.index("Day Opportunities") : annex.index("Involving users")]
    assert "Two day centre staff left" in day_opportunities
    assert "Consultation with the day centres finished" in day_opportunities
    assert "Draft the new service model" in day_opportunities
    # The three workstreams without an update for the period say so, each in its own place.
    for name, next_name in (
        ("Involving users", "2 Accommodation"),
        ("Extra Care Housing", "Older People"),
        ("Older People", None),
    ):
        own = annex[annex.index(name) : annex.index(next_name) if next_name else None]
        assert "No update from its lead" in own, name
        assert "Achieved this period" not in own, name
    assert "None" not in text
    assert "No data" not in text
