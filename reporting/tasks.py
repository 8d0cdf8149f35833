"""Celery jobs that make the reports (DOMAIN.md section 4).

`render_report` turns one queued report run into a PDF. It is safe to run twice: it claims
the run with a conditional update before working on it, and a run that is done or failed is
left alone. It is acknowledged late and rejected if its worker dies, so a killed render is
delivered again; it retries with backoff when the database or the broker is briefly away;
soft and hard time limits bound it; after too many attempts the run fails, saying why. A
file is offered for download only once it is completely written and recorded.

`make_monthly_reports` (beat, every morning) makes, on each programme's chosen working day,
last month's highlight report, and an exception report where there are exceptions, and
emails the board a link. `roll_reporting_periods` closes ended periods and opens new ones;
`fail_stalled_runs` ends runs whose worker vanished.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import date, timedelta

import holidays
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from programmes.choices import PeriodStatus, ProgrammeStatus, Role
from programmes.dates import add_months, month_start
from programmes.models import Membership, Programme, ReportingPeriod
from reporting.models import ReportKind, ReportRun, RunStatus, RunTrigger
from reporting.pdf import html_to_pdf, render_html
from reporting.reports import gather_exceptions, gather_highlight
from reporting.services import make_reports_for, roll_periods

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, ConnectionError)


def _claim(run_id: int) -> bool:
    """Take the run for this attempt, unless it is finished or out of attempts."""
    claimed = ReportRun.objects.filter(
        pk=run_id,
        status__in=[RunStatus.QUEUED, RunStatus.RENDERING],
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=RunStatus.RENDERING, attempts=F("attempts") + 1, started_at=timezone.now())
    return claimed == 1


def _fail(run_id: int, reason: str) -> None:
    ReportRun.objects.filter(pk=run_id).exclude(status=RunStatus.DONE).update(
        status=RunStatus.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def _author(run: ReportRun) -> str:
    user = run.requested_by
    if user is None:
        return f"{run.programme.name} programme office"
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def build_pdf(run: ReportRun):
    """Gather, render HTML, make the PDF: the three steps, in order."""
    gather = gather_highlight if run.kind == ReportKind.HIGHLIGHT else gather_exceptions
    report = gather(run.programme, run.period, author=_author(run), version=run.version)
    report.is_draft = run.is_draft
    return html_to_pdf(render_html(report))


@shared_task(
    bind=True,
    name="reporting.render_report",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def render_report(self, run_id: int) -> str:
    if not _claim(run_id):
        run = ReportRun.objects.filter(pk=run_id).first()
        if run is not None and run.status == RunStatus.RENDERING:
            _fail(run_id, f"Rendering stopped {run.attempts} times before it finished")
        return "skipped"
    run = ReportRun.objects.select_related("programme", "period", "requested_by__person").get(
        pk=run_id
    )
    started = time.monotonic()
    pause = settings.REPORT_RENDER_PAUSE_SECONDS
    if pause:
        time.sleep(pause)  # fault-injection tests kill the worker here
    name = None
    try:
        pdf = build_pdf(run)
        name = default_storage.save(
            f"reports/{run.programme.reference}/{run.period.month:%Y-%m}/{run.filename}",
            ContentFile(pdf.content),
        )
        with transaction.atomic():
            updated = ReportRun.objects.filter(pk=run_id, status=RunStatus.RENDERING).update(
                status=RunStatus.DONE,
                file=name,
                size_bytes=len(pdf.content),
                checksum=hashlib.sha256(pdf.content).hexdigest(),
                pages=pdf.pages,
                finished_at=timezone.now(),
                duration_ms=int((time.monotonic() - started) * 1000),
                error="",
            )
            if updated and run.notify_board:
                transaction.on_commit(lambda: notify_board.delay(run_id))
        if not updated:  # someone ended the run meanwhile: keep nothing half-recorded
            default_storage.delete(name)
        return "done" if updated else "abandoned"
    except SoftTimeLimitExceeded:
        _discard(name)
        _fail(run_id, "It took longer than the time allowed to render; ask for it again")
        return "failed"
    except TRANSIENT_ERRORS:
        _discard(name)
        raise  # retried with backoff; the run stays rendering until the next attempt
    except Exception as error:  # a failed run says why on the page
        _discard(name)
        logger.exception("Report run %s failed", run_id)
        _fail(run_id, f"The report could not be made: {type(error).__name__}: {error}")
        return "failed"


def _discard(name: str | None) -> None:
    if name:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete the partial report file %s", name)


@shared_task(name="reporting.notify_board", autoretry_for=TRANSIENT_ERRORS, retry_backoff=10)
def notify_board(run_id: int) -> int:
    """Email each board member of the programme a link to the new report."""
    run = ReportRun.objects.select_related("programme", "period").get(pk=run_id)
    people = (
        Membership.objects.filter(programme=run.programme, role=Role.BOARD_MEMBER)
        .select_related("person__user")
        .order_by("person__name")
    )
    link = settings.SITE_URL.rstrip("/") + reverse("report_run", args=[run.pk])
    sent = 0
    for membership in people:
        person = membership.person
        address = person.email or (person.user.email if person.user_id else "")
        if not address:
            continue
        send_mail(
            f"{run.get_kind_display()} for {run.period.label}: {run.programme.name}",
            f"Dear {person.name},\n\nThe {run.get_kind_display().lower()} of "
            f"{run.programme.name} for {run.period.label} is ready:\n{link}\n\n"
            f"{run.programme.name} programme office\n",
            settings.DEFAULT_FROM_EMAIL,
            [address],
        )
        sent += 1
    return sent


def working_day_number(day: date) -> int | None:
    """Which working day of its month a day is (1 for the first), or None on a weekend or an
    English bank holiday."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    if day.weekday() >= 5 or day in bank:
        return None
    count, cursor = 0, day.replace(day=1)
    while cursor <= day:
        if cursor.weekday() < 5 and cursor not in bank:
            count += 1
        cursor += timedelta(days=1)
    return count


@shared_task(
    name="reporting.roll_reporting_periods", autoretry_for=TRANSIENT_ERRORS, retry_backoff=30
)
def roll_reporting_periods(today: str | None = None) -> dict:
    return roll_periods(date.fromisoformat(today) if today else None)


@shared_task(
    name="reporting.make_monthly_reports", autoretry_for=TRANSIENT_ERRORS, retry_backoff=30
)
def make_monthly_reports(today: str | None = None) -> int:
    day = date.fromisoformat(today) if today else timezone.localdate()
    number = working_day_number(day)
    if number is None:
        return 0
    roll_periods(day)
    last_month = add_months(month_start(day), -1)
    made = 0
    for programme in Programme.objects.filter(
        status=ProgrammeStatus.ACTIVE, report_working_day=number
    ):
        period = ReportingPeriod.objects.filter(
            programme=programme, month=last_month, status=PeriodStatus.CLOSED
        ).first()
        if period is not None:
            made += len(make_reports_for(programme, period, trigger=RunTrigger.SCHEDULED))
    return made


@shared_task(name="reporting.fail_stalled_runs")
def fail_stalled_runs() -> int:
    """A run still rendering well after the hard time limit lost its worker for good."""
    stalled = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 2 + 60)
    return ReportRun.objects.filter(
        Q(status=RunStatus.RENDERING, started_at__lt=stalled)
        | Q(status=RunStatus.QUEUED, requested_at__lt=timezone.now() - timedelta(hours=6))
    ).update(
        status=RunStatus.FAILED,
        error="The worker stopped before the report was finished; ask for it again",
        finished_at=timezone.now(),
    )
