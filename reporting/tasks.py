"""Celery jobs that make the reports (DOMAIN.md section 4).

`render_report` turns one queued report run into a PDF. It is safe to deliver twice: it
claims the run under a row lock before working on it, a run that is done or failed is left
alone, and no run is rendered by two attempts at once (see `_claim`). It is acknowledged late
and rejected if its worker's pool process dies, so a killed render is delivered again at
once; if the whole worker dies, the broker hands the task out again after its visibility
timeout (settings: CELERY_BROKER_TRANSPORT_OPTIONS), and `fail_stalled_runs` queues again any
run still rendering after the hard time limit plus a margin. It retries with backoff when the
database or the broker is briefly away; soft and hard time limits bound it; after too many
attempts the run fails, saying why. A file is offered for download only once it is
completely written and recorded, and only by the latest attempt.

`make_monthly_reports` (beat, every morning) makes, on each programme's chosen working day,
last month's highlight report, and an exception report where there are exceptions, for
the programme office to approve: the board is emailed only once they are approved
(reporting/distribution.py), by the programme office or, where the programme chose it,
automatically some working days later (this job, each working morning). `roll_reporting_periods` closes ended periods and opens new ones;
`fail_stalled_runs` queues again (or fails) runs whose worker vanished.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from datetime import date, timedelta

import holidays
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from programmes.choices import PeriodStatus, ProgrammeStatus
from programmes.dates import add_months, month_start
from programmes.jobs import queue_after_commit
from programmes.models import Programme, ReportingPeriod
from reporting import approvals, board_pack, distribution
from reporting.models import ReportKind, ReportRun, RunStatus, RunTrigger
from reporting.pdf import cyclic_garbage_collection_paused, html_to_pdf, render_html
from reporting.reports import gather_exceptions, gather_highlight
from reporting.services import approve_due_reports, make_reports_for, roll_periods

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, ConnectionError)
RENDER_TIME_LIMIT = settings.CELERY_TASK_TIME_LIMIT
# A render that started longer ago than this has stopped: the hard time limit ends any live
# one sooner. The margin covers clocks and the worker noticing.
STALLED_AFTER = timedelta(seconds=RENDER_TIME_LIMIT + 60)
QUEUED_AT_MOST = timedelta(hours=6)


def _is_stalled(started_at) -> bool:
    return started_at is None or started_at < timezone.now() - STALLED_AFTER


def _claim(run_id: int, delivery: str) -> int | None:
    """Take the run for this delivery of the task and return the attempt's number, or None
    when the run is not this delivery's to render.

    A queued run is taken. A run being rendered is taken over only by the same delivery
    coming back (its worker died and the broker handed the task out again) or once its render
    started longer ago than the hard time limit plus a margin (whatever rendered it has
    stopped); otherwise another attempt is alive and this delivery is a duplicate. So no run
    is rendered by two attempts at once. A run out of attempts is failed, saying why.
    """
    with transaction.atomic():
        run = (
            ReportRun.objects.select_for_update()
            .filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RENDERING])
            .only("pk", "status", "attempts", "started_at", "claimed_by")
            .order_by("pk")  # not the default ordering, whose join would lock the period too
            .first()
        )
        if run is None:
            return None  # finished, or gone
        if (
            run.status == RunStatus.RENDERING
            and run.claimed_by != delivery
            and not _is_stalled(run.started_at)
        ):
            return None
        if run.attempts >= MAX_ATTEMPTS:
            _fail(run_id, f"Rendering stopped {run.attempts} times before it finished")
            return None
        attempt = run.attempts + 1
        ReportRun.objects.filter(pk=run_id).update(
            status=RunStatus.RENDERING,
            attempts=attempt,
            started_at=timezone.now(),
            claimed_by=delivery,
        )
        return attempt


def _fail(run_id: int, reason: str, *, attempt: int | None = None) -> None:
    """Fail the run, saying why; with an attempt, only if that attempt still holds it."""
    runs = ReportRun.objects.filter(pk=run_id).exclude(status=RunStatus.DONE)
    if attempt is not None:
        runs = runs.filter(status=RunStatus.RENDERING, attempts=attempt)
    runs.update(status=RunStatus.FAILED, error=reason[:2000], finished_at=timezone.now())


def _author(run: ReportRun) -> str:
    user = run.requested_by
    if user is None:
        return f"{run.programme.name} programme office"
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def build_pdf(run: ReportRun):
    """Gather, render HTML, make the PDF: the three steps, in order."""
    gather = gather_highlight if run.kind == ReportKind.HIGHLIGHT else gather_exceptions
    with cyclic_garbage_collection_paused():
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
    # A delivery is known by its task id, which survives the broker handing it out again; a
    # direct call has none and is its own delivery.
    attempt = _claim(run_id, self.request.id or f"call-{uuid.uuid4()}")
    if attempt is None:
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
            updated = ReportRun.objects.filter(
                pk=run_id, status=RunStatus.RENDERING, attempts=attempt
            ).update(
                status=RunStatus.DONE,
                file=name,
                size_bytes=len(pdf.content),
                checksum=hashlib.sha256(pdf.content).hexdigest(),
                pages=pdf.pages,
                finished_at=timezone.now(),
                duration_ms=int((time.monotonic() - started) * 1000),
                error="",
            )
        if not updated:  # ended or taken over meanwhile: keep nothing half-recorded
            default_storage.delete(name)
        return "done" if updated else "abandoned"
    except SoftTimeLimitExceeded:
        _discard(name)
        _fail(
            run_id,
            "It took longer than the time allowed to render; ask for it again",
            attempt=attempt,
        )
        return "failed"
    except TRANSIENT_ERRORS:
        _discard(name)
        raise  # retried with backoff; the run stays rendering until the next attempt
    except Exception as error:  # a failed run says why on the page
        _discard(name)
        logger.exception("Report run %s failed", run_id)
        _fail(
            run_id,
            f"The report could not be made: {type(error).__name__}: {error}",
            attempt=attempt,
        )
        return "failed"


@shared_task(
    name="reporting.stamp_approval",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    max_retries=5,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def stamp_approval(run_id: int) -> str:
    """Make an approved report's PDF again, so that its cover says who approved it and when:
    the copy the board downloads. Its period is closed, so the figures are those of the period's
    end, as before; only the cover changes. The old file goes once the new one is recorded."""
    run = ReportRun.objects.select_related("programme", "period", "requested_by__person").get(
        pk=run_id
    )
    if run.status != RunStatus.DONE or run.approved_at is None:
        return "skipped"
    old = run.file.name
    pdf = build_pdf(run)
    name = default_storage.save(
        f"reports/{run.programme.reference}/{run.period.month:%Y-%m}/{run.filename}",
        ContentFile(pdf.content),
    )
    updated = ReportRun.objects.filter(pk=run_id, status=RunStatus.DONE, file=old).update(
        file=name,
        size_bytes=len(pdf.content),
        checksum=hashlib.sha256(pdf.content).hexdigest(),
        pages=pdf.pages,
    )
    _discard(old if updated else name)
    return "stamped" if updated else "abandoned"


def _discard(name: str | None) -> None:
    if name:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete the partial report file %s", name)


@shared_task(name="reporting.email_board", autoretry_for=TRANSIENT_ERRORS, retry_backoff=10)
def email_board(distribution_id: int) -> int:
    """Email the board the period's approved reports, once (reporting/distribution.py)."""
    return distribution.email_board(distribution_id)


@shared_task(
    name="reporting.make_board_pack",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    max_retries=5,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def make_board_pack(pack_id: int) -> str:
    """Make a meeting's board pack (reporting/board_pack.py)."""
    return board_pack.make_pack(pack_id)


@shared_task(name="reporting.email_board_pack", autoretry_for=TRANSIENT_ERRORS, retry_backoff=10)
def email_board_pack(pack_id: int) -> int:
    return board_pack.email_attendees(pack_id)


@shared_task(name="reporting.email_sent_back", autoretry_for=TRANSIENT_ERRORS, retry_backoff=10)
def email_sent_back(kind: str, object_id: int, comment: str) -> int:
    """Tell an author their narrative or report was sent back (reporting/approvals.py)."""
    return approvals.email_sent_back(kind, object_id, comment)


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
    approve_due_reports(day)
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
    """Runs whose worker vanished (beat, every two minutes); returns how many it dealt with.

    A run still rendering longer than the hard time limit plus a margin has stopped for good:
    it is queued again if it has attempts left, else failed, saying why. A run waiting in the
    queue for six hours is failed too. Each change is conditional on the run being as it was
    read, so a render that finishes meanwhile, or a second sweep, is never overridden.
    """
    now = timezone.now()
    dealt_with = 0
    stalled = ReportRun.objects.filter(
        status=RunStatus.RENDERING, started_at__lt=now - STALLED_AFTER
    ).values_list("pk", "attempts")
    for run_id, attempts in stalled:
        unchanged = ReportRun.objects.filter(
            pk=run_id, status=RunStatus.RENDERING, attempts=attempts
        )
        with transaction.atomic():
            if attempts < MAX_ATTEMPTS:
                changed = unchanged.update(status=RunStatus.QUEUED, claimed_by="")
                if changed:
                    queue_after_commit("reporting.render_report", run_id)
            else:
                changed = unchanged.update(
                    status=RunStatus.FAILED,
                    error=f"The worker stopped {attempts} times before the report was "
                    "finished; ask for it again",
                    finished_at=now,
                )
            dealt_with += changed
    dealt_with += (
        ReportRun.objects.filter(status=RunStatus.QUEUED)
        .annotate(waiting_since=Coalesce("started_at", "requested_at"))
        .filter(waiting_since__lt=now - QUEUED_AT_MOST)
        .update(
            status=RunStatus.FAILED,
            error="The report waited too long to be made; ask for it again",
            finished_at=now,
        )
    )
    return dealt_with
