"""Writes for reporting: asking for a report (a new run, rendered by a Celery task once the
transaction commits), approving one, closing and reopening periods. Each is one transaction
and checks the acting user's role."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from programmes.choices import PeriodStatus, ProgrammeStatus
from programmes.dates import month_start
from programmes.jobs import queue_after_commit
from programmes.models import Programme, ReportingPeriod
from programmes.permissions import Action, require
from programmes.services import open_current_period
from reporting.distribution import add_working_days, distribute_if_ready
from reporting.models import ReportKind, ReportRun, RunStatus, RunTrigger
from reporting.reports import has_exceptions


def _next_version(programme: Programme, period: ReportingPeriod, kind: str) -> int:
    latest = ReportRun.objects.filter(programme=programme, period=period, kind=kind).aggregate(
        latest=Max("version")
    )["latest"]
    return (latest or 0) + 1


def latest_run(programme, period, kind) -> ReportRun | None:
    return (
        ReportRun.objects.filter(programme=programme, period=period, kind=kind)
        .order_by("-version")
        .first()
    )


def create_run(
    programme: Programme,
    period: ReportingPeriod,
    kind: str,
    *,
    by=None,
    trigger: str = RunTrigger.REQUESTED,
    reason: str = "",
    notify_board: bool = False,
) -> ReportRun:
    """A new version of a report, queued; rendered by a Celery task after the commit.

    If the latest version is locked (approved, for a closed period), a reason is required and
    the new version supersedes it (DOMAIN.md section 5).
    """
    if period.programme_id != programme.pk:
        raise ValidationError("That period belongs to another programme")
    if kind not in ReportKind.values:
        raise ValidationError("Choose a highlight report or an exception report")
    with transaction.atomic():
        # Serialise versions of the same report: one new version at a time.
        ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        previous = latest_run(programme, period, kind)
        if previous is not None and previous.is_locked and not reason.strip():
            raise ValidationError(
                {
                    "reason": f"Version {previous.version} was approved for the board and is "
                    "locked: say why a new version is needed"
                }
            )
        run = ReportRun.objects.create(
            programme=programme,
            period=period,
            kind=kind,
            version=_next_version(programme, period, kind),
            is_draft=period.status != PeriodStatus.CLOSED,
            trigger=trigger,
            reason=reason.strip(),
            supersedes=previous if previous is not None and previous.is_locked else None,
            requested_by=by,
            notify_board=notify_board,
        )
        queue_after_commit("reporting.render_report", run.pk)
    return run


def request_report(programme, period, kind, *, by, reason: str = "") -> ReportRun:
    """A project manager or the programme office asks for a report, for any period."""
    require(by, Action.REQUEST_REPORT, programme)
    return create_run(programme, period, kind, by=by, reason=reason)


@transaction.atomic
def approve_run(run: ReportRun, *, by) -> ReportRun:
    """The programme office approves a finished report of a closed period: it is locked. Once
    every report of the period is approved, the board is emailed, once (distribution.py)."""
    require(by, Action.MANAGE_PROGRAMME, run.programme)
    return _approve(run, by=by)


def approve_automatically(run: ReportRun) -> ReportRun | None:
    """Approve a monthly report for a programme that approves them after some working days;
    None if it is approved already or cannot be."""
    try:
        with transaction.atomic():
            return _approve(run, by=None)
    except ValidationError:
        return None


def _approve(run: ReportRun, *, by) -> ReportRun:
    # The period first, as create_run locks it: versions and approvals of a period one at a time.
    ReportingPeriod.objects.select_for_update().get(pk=run.period_id)
    run = ReportRun.objects.select_for_update().select_related("period").get(pk=run.pk)
    if run.status != RunStatus.DONE:
        raise ValidationError("Only a finished report can be approved")
    if not run.period.is_closed:
        raise ValidationError(
            "Close the period before approving its report: an open period's report is a draft"
        )
    if run.approved_at is not None:
        raise ValidationError("This report is already approved")
    run.approved_at = timezone.now()
    run.approved_by = by
    run.sent_back_at = None
    run.sent_back_by = None
    run._history_user = by
    run.save()
    # The board's copy says on its cover who approved it and when: made again after the commit.
    queue_after_commit("reporting.stamp_approval", run.pk)
    distribute_if_ready(run.period, by=by)
    return run


@transaction.atomic
def close_period(period: ReportingPeriod, *, by=None) -> ReportingPeriod:
    """Close a period: its reports then read the programme as it stood at the period's end."""
    if by is not None:
        require(by, Action.MANAGE_PROGRAMME, period)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == PeriodStatus.CLOSED:
        return period
    if period.month >= month_start(timezone.localdate()):
        raise ValidationError(
            f"{period.label} has not ended yet: it can be closed from its last day"
        )
    period.status = PeriodStatus.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = by
    period._history_user = by
    period.save()
    return period


REASON_LIMIT = 100  # django-simple-history keeps a change's reason in 100 characters


@transaction.atomic
def reopen_period(period: ReportingPeriod, *, by, reason: str) -> ReportingPeriod:
    """Reopen a closed period so that it can be corrected, saying why: the reason is kept in
    the period's history and shown on the periods page."""
    require(by, Action.MANAGE_PROGRAMME, period)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the period is being reopened"})
    if len(reason) > REASON_LIMIT:
        raise ValidationError({"reason": f"The reason must be {REASON_LIMIT} characters or fewer"})
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == PeriodStatus.OPEN:
        return period
    period.status = PeriodStatus.OPEN
    period.closed_at = None
    period.closed_by = None
    period._history_user = by
    period._change_reason = reason
    period.save()
    return period


def roll_periods(today: date | None = None) -> dict[str, int]:
    """Close every ended period of programmes that close automatically, and open this
    month's period for every active programme. Safe to run any number of times."""
    today = today or timezone.localdate()
    this_month = month_start(today)
    closed = opened = 0
    ended = ReportingPeriod.objects.filter(
        status=PeriodStatus.OPEN,
        month__lt=this_month,
        programme__auto_close_periods=True,
    )
    for period in ended:
        close_period(period)
        closed += 1
    for programme in Programme.objects.filter(status=ProgrammeStatus.ACTIVE):
        _, created = open_current_period(programme, today)
        opened += created
    return {"closed": closed, "opened": opened}


def make_reports_for(
    programme: Programme, period: ReportingPeriod, *, trigger: str, kinds=None
) -> list[ReportRun]:
    """Last month's reports for a programme, as the schedule makes them: the highlight
    report, and the exception report where there are exceptions. Not made twice."""
    kinds = kinds or [ReportKind.HIGHLIGHT, ReportKind.EXCEPTION]
    made = []
    for kind in kinds:
        if (
            ReportRun.objects.filter(programme=programme, period=period, kind=kind, trigger=trigger)
            .exclude(status=RunStatus.FAILED)
            .exists()
        ):
            continue
        if kind == ReportKind.EXCEPTION and not has_exceptions(programme, period):
            continue
        made.append(
            create_run(
                programme,
                period,
                kind,
                trigger=trigger,
                notify_board=trigger == RunTrigger.SCHEDULED,
            )
        )
    return made


def approve_due_reports(today: date) -> int:
    """Approve, for programmes that chose it, the monthly reports made at least their number
    of working days ago and not yet approved; returns how many were approved."""
    due = (
        ReportRun.objects.filter(
            status=RunStatus.DONE,
            approved_at__isnull=True,
            sent_back_at__isnull=True,  # the programme office is dealing with it
            notify_board=True,
            programme__approve_reports_after_working_days__isnull=False,
            period__status=PeriodStatus.CLOSED,
        )
        .select_related("programme")
        .order_by("pk")
    )
    approved = 0
    for run in due:
        made_on = timezone.localdate(run.finished_at or run.requested_at)
        if add_working_days(made_on, run.programme.approve_reports_after_working_days) <= today:
            with transaction.atomic():
                approved += approve_automatically(run) is not None
    return approved
