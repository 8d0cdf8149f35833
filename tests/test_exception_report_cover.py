"""The exception report's cover says, as the highlight report's does, whether the report is a
draft, approved (by whom, when) or superseded (issue 13, part 1: "The cover says whether the
report is a draft, approved (by whom, when) or superseded"). Read back from the PDF."""

from datetime import datetime
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader

from programmes.choices import PeriodStatus
from programmes.dates import add_months
from reporting.models import ReportKind, ReportRun, RunStatus
from reporting.pdf import html_to_pdf, render_html
from reporting.reports import gather_exceptions
from tests.clock import TODAY
from tests.factories import PeriodFactory


@pytest.fixture
def closed(plan):
    return PeriodFactory(
        programme=plan["programme"],
        month=add_months(TODAY.replace(day=1), -1),
        status=PeriodStatus.CLOSED,
    )


def exception_run(plan, period, version, **fields) -> ReportRun:
    return ReportRun.objects.create(
        programme=plan["programme"],
        period=period,
        kind=ReportKind.EXCEPTION,
        version=version,
        status=RunStatus.DONE,
        file=f"reports/exception-v{version}.pdf",
        **fields,
    )


def cover(plan, period, version=1) -> str:
    report = gather_exceptions(
        plan["programme"], period, author="Programme office", version=version
    )
    pdf = html_to_pdf(render_html(report))
    first_page = PdfReader(BytesIO(pdf.content)).pages[0]
    return " ".join(first_page.extract_text().split())


def test_the_cover_says_draft_while_the_period_is_open(plan):
    period = PeriodFactory(programme=plan["programme"], month=TODAY.replace(day=1))
    page = cover(plan, period)
    assert "DRAFT: the period is open" in page
    assert "Approved by" not in page


def test_the_cover_of_a_closed_periods_report_says_it_is_not_yet_approved(plan, closed):
    exception_run(plan, closed, 1)
    page = cover(plan, closed)
    assert "Draft: period closed, not yet approved" in page
    assert "Approved by" not in page


def test_the_cover_says_who_approved_the_report_and_when(plan, closed, people):
    approver = people["office"]
    approved_at = timezone.make_aware(datetime(2026, 11, 4, 10, 30))
    exception_run(plan, closed, 1, approved_by=approver, approved_at=approved_at)
    page = cover(plan, closed)
    assert f"Approved by {approver.person.name} on 4 November 2026" in page
    assert f"Approved by {approver.person.name}, 4 November 2026, 10:30" in page
    assert "not yet approved" not in page


def test_the_highlight_reports_approval_is_not_the_exception_reports(plan, closed, people):
    exception_run(plan, closed, 1)
    ReportRun.objects.create(
        programme=plan["programme"],
        period=closed,
        kind=ReportKind.HIGHLIGHT,
        version=1,
        status=RunStatus.DONE,
        file="reports/highlight-v1.pdf",
        approved_by=people["office"],
        approved_at=timezone.now(),
    )
    page = cover(plan, closed)
    assert "Approved by" not in page
    assert "Draft: period closed, not yet approved" in page


def test_the_cover_says_a_replaced_version_is_superseded(plan, closed, people):
    first = exception_run(plan, closed, 1, approved_by=people["office"], approved_at=timezone.now())
    exception_run(plan, closed, 2, supersedes=first, reason="A narrative was attached late")
    page = cover(plan, closed, version=1)
    assert "Superseded by version 2" in page
    assert "Version 2 of this report replaces this one" in page
    assert "Approved by" not in page
    assert "Superseded" not in cover(plan, closed, version=2)
