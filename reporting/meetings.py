"""A board meeting's papers from the reporting cycle, and its minutes as a document
(DOMAIN.md section 7: "papers (the period's approved reports and uploaded documents),
decisions and minutes per item ... one board pack PDF per meeting").

What the board pack calls: `approved_reports_for(meeting)` (the reports it includes),
`minutes_html(meeting)` and `minutes_pdf(meeting)` (the previous meeting's minutes), and, from
the action log, `risks.meetings.actions_for_pack(meeting)`. The minutes are rendered as the
reports are: gathered (`risks.meetings.meeting_record`), drawn as HTML, turned into PDF
(`reporting.pdf.html_to_pdf`), each step on its own.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from programmes.choices import PeriodStatus
from programmes.dates import month_start
from programmes.models import ReportingPeriod
from reporting.models import ReportKind, ReportRun, RunStatus
from reporting.pdf import RenderedPDF, html_to_pdf
from risks.meetings import MeetingRecord, meeting_record
from risks.models import BoardMeeting


def approved_reports_for(meeting: BoardMeeting) -> list[ReportRun]:
    """The reports a meeting receives: of the programme's last closed reporting period that
    ended before the day of the meeting, each kind's latest version the programme office
    approved (a report superseded since but not yet approved again stays at its approved
    version), highlight report first (DOMAIN.md sections 5 and 7). One query."""
    last_closed = (
        ReportingPeriod.objects.filter(
            programme_id=meeting.programme_id,
            status=PeriodStatus.CLOSED,
            month__lt=month_start(meeting.held_on),
        )
        .order_by("-month")
        .values("pk")[:1]
    )
    latest_approved = (
        ReportRun.objects.filter(
            period=OuterRef("period"),
            kind=OuterRef("kind"),
            status=RunStatus.DONE,
            approved_at__isnull=False,
        )
        .order_by("-version")
        .values("version")[:1]
    )
    runs = (
        ReportRun.objects.filter(
            programme_id=meeting.programme_id,
            period_id=Subquery(last_closed),
            status=RunStatus.DONE,
            approved_at__isnull=False,
            version=Subquery(latest_approved),
        )
        .select_related("programme", "period")
        .order_by("kind")
    )
    order = list(ReportKind.values)
    return sorted(runs, key=lambda run: order.index(run.kind))


def minutes_context(meeting: BoardMeeting, record: MeetingRecord | None = None) -> dict:
    """What the minutes show: the meeting, its people, and each item's minutes, decisions and
    actions, in the agenda's order."""
    record = record or meeting_record(meeting)
    return {
        "meeting": meeting,
        "programme": meeting.programme,
        "record": record,
        "generated": timezone.localtime(),
    }


def minutes_html(meeting: BoardMeeting, record: MeetingRecord | None = None) -> str:
    """The meeting's minutes as a standalone HTML document for WeasyPrint, in the reports'
    house style (templates/reports/_styles.html)."""
    return render_to_string("governance/minutes_pdf.html", minutes_context(meeting, record))


def minutes_pdf(meeting: BoardMeeting, record: MeetingRecord | None = None) -> RenderedPDF:
    """The minutes as an A4 PDF, with page numbers and the meeting on every page."""
    return html_to_pdf(minutes_html(meeting, record))


def minutes_filename(meeting: BoardMeeting) -> str:
    reference = "".join(c if c.isalnum() else "-" for c in meeting.programme.reference).strip("-")
    return f"{reference or 'programme'}-minutes-{meeting.held_on:%Y-%m-%d}.pdf"
