"""Writes to workstreams: milestone progress and plan changes, measure readings, status
updates. Each is one transaction, takes the acting user, checks their role, validates,
and saves through the models so that the history records who changed what.

A save based on a stale copy raises `programmes.models.StaleEdit` (optimistic concurrency):
the caller shows the user the other change and keeps what they typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from programmes.choices import DatePrecision, PeriodStatus
from programmes.dates import PlanDate
from programmes.models import ReportingPeriod, StaleEdit
from programmes.permissions import Action, require
from workstreams.models import (
    BaselineChange,
    Measure,
    MeasureReading,
    Milestone,
    MilestoneStatus,
    ProgressNote,
    StatusUpdate,
    UpdateState,
    Workstream,
)
from workstreams.validation import (
    milestone_plan_problems,
    milestone_progress_problems,
    reading_problems,
    status_update_problems,
)


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _set_plan_date(milestone: Milestone, name: str, value: PlanDate | None) -> None:
    setattr(milestone, f"{name}_date", value.value if value else None)
    setattr(milestone, f"{name}_precision", value.precision if value else DatePrecision.DAY)


@transaction.atomic
def update_milestone_progress(
    milestone: Milestone,
    *,
    by,
    version: int,
    status: str,
    forecast: PlanDate | None,
    actual_date: date | None,
    at_risk: bool,
    note: str = "",
    today: date | None = None,
) -> Milestone:
    """A lead's update: status, forecast, completion date, at-risk flag and a dated note."""
    require(by, Action.UPDATE_MILESTONE, milestone)
    today = today or timezone.localdate()
    _refuse(
        milestone_progress_problems(
            status=status,
            actual_date=actual_date,
            forecast=forecast,
            start=milestone.start,
            today=today,
        )
    )
    milestone.version = version
    milestone.status = status
    _set_plan_date(milestone, "forecast", forecast)
    milestone.actual_date = actual_date
    milestone.at_risk = at_risk and status != MilestoneStatus.COMPLETE
    milestone._history_user = by
    milestone.save()
    if note.strip():
        ProgressNote.objects.create(
            milestone=milestone, noted_on=today, text=note.strip(), author=by
        )
    return milestone


@dataclass
class MilestonePlan:
    """The parts of a milestone that belong to the plan (changed by project managers)."""

    reference: str
    title: str
    kind: str
    forum: str = ""
    owner_id: int | None = None
    start: PlanDate | None = None
    description: str = ""


@transaction.atomic
def add_milestone(
    workstream: Workstream, *, by, plan: MilestonePlan, baseline: PlanDate | None
) -> Milestone:
    require(by, Action.EDIT_PLAN, workstream)
    _refuse(milestone_plan_problems(start=plan.start, baseline=baseline))
    last = workstream.milestones.aggregate(last=Max("position"))["last"] or 0
    milestone = Milestone(workstream=workstream, position=last + 1)
    _apply_plan(milestone, plan)
    _set_plan_date(milestone, "baseline", baseline)
    milestone._history_user = by
    milestone.full_clean(exclude=["version", "sort_key"])
    milestone.save()
    return milestone


def _apply_plan(milestone: Milestone, plan: MilestonePlan) -> None:
    milestone.reference = plan.reference.strip()
    milestone.title = plan.title.strip()
    milestone.kind = plan.kind
    milestone.forum = plan.forum.strip()
    milestone.owner_id = plan.owner_id
    milestone.description = plan.description.strip()
    _set_plan_date(milestone, "start", plan.start)


@transaction.atomic
def edit_milestone(milestone: Milestone, *, by, version: int, plan: MilestonePlan) -> Milestone:
    require(by, Action.EDIT_PLAN, milestone)
    _refuse(milestone_plan_problems(start=plan.start, baseline=milestone.baseline))
    milestone.version = version
    _apply_plan(milestone, plan)
    milestone._history_user = by
    milestone.full_clean(exclude=["version", "sort_key"])
    milestone.save()
    return milestone


@transaction.atomic
def rebaseline_milestone(
    milestone: Milestone, *, by, version: int, baseline: PlanDate, reason: str
) -> BaselineChange:
    """Move the baseline, with a reason, kept in the history (DOMAIN.md section 3). A move to
    the baseline it already has (the same date and precision) is no move, and is refused."""
    require(by, Action.EDIT_PLAN, milestone)
    reason = reason.strip()
    problems = milestone_plan_problems(start=milestone.start, baseline=baseline)
    if baseline == milestone.baseline:
        problems["baseline"] = "The new baseline is the same as the current one"
    if not reason:
        problems["reason"] = "Give the reason for re-baselining"
    _refuse(problems)
    change = BaselineChange(
        milestone=milestone,
        previous_date=milestone.baseline_date,
        previous_precision=milestone.baseline_precision,
        new_date=baseline.value,
        new_precision=baseline.precision,
        reason=reason,
        changed_at=timezone.now(),
        changed_by=by,
    )
    milestone.version = version
    _set_plan_date(milestone, "baseline", baseline)
    milestone._history_user = by
    milestone._change_reason = f"Re-baselined: {reason}"  # cut to fit: programmes/signals.py
    milestone.save()
    change._history_user = by
    change.save()
    return change


@transaction.atomic
def remove_milestone(milestone: Milestone, *, by, version: int) -> None:
    require(by, Action.EDIT_PLAN, milestone)
    # Claim the row at the version the user saw, so a removal never hides an unseen change.
    milestone.version = version
    milestone._history_user = by
    milestone.save(update_fields=["version"])
    milestone.delete()


@transaction.atomic
def move_milestone(milestone: Milestone, *, by, up: bool) -> None:
    """Move a milestone one place up or down in its workstream's order."""
    require(by, Action.EDIT_PLAN, milestone)
    siblings = list(
        Milestone.objects.select_for_update().filter(workstream=milestone.workstream_id)
    )
    index = next(i for i, m in enumerate(siblings) if m.pk == milestone.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling._history_user = by
            sibling.save(update_fields=["position"])


def closed_months(programme) -> set[date]:
    return set(
        ReportingPeriod.objects.filter(programme=programme, status=PeriodStatus.CLOSED).values_list(
            "month", flat=True
        )
    )


@transaction.atomic
def record_reading(
    measure: Measure,
    *,
    by,
    month: date,
    value: Decimal,
    note: str = "",
    version: int | None = None,
    today: date | None = None,
) -> MeasureReading:
    """Enter (version None) or correct (with the version seen) the reading for one month."""
    require(by, Action.RECORD_READING, measure)
    today = today or timezone.localdate()
    programme = measure.workstream.programme
    _refuse(
        reading_problems(
            month=month,
            today=today,
            closed_months=closed_months(programme),
            programme_starts=programme.starts_on,
        )
    )
    existing = MeasureReading.objects.filter(measure=measure, period=month).first()
    if existing is None:
        reading = MeasureReading(measure=measure, period=month)
    elif version is None:
        raise ValidationError(
            {"period": f"There is already a reading for {month:%b %Y}: change that one instead"}
        )
    else:
        reading = existing
        reading.version = version
    reading.value = value
    reading.note = note.strip()
    reading.entered_by = by
    reading._history_user = by
    try:
        with transaction.atomic():
            reading.save()
    except IntegrityError:
        raise ValidationError(
            {
                "period": f"Someone has just entered the reading for {month:%b %Y}: change theirs instead"
            }
        ) from None
    return reading


@transaction.atomic
def save_status_update(
    workstream: Workstream,
    period: ReportingPeriod,
    *,
    by,
    version: int | None,
    submit: bool,
    rag: str,
    reason: str = "",
    achievements: str = "",
    planned_next: str = "",
    escalations: str = "",
    decisions_needed: str = "",
) -> StatusUpdate:
    """Save the lead's monthly update as a draft or submit it (DOMAIN.md section 4).

    A submitted update stays submitted (edits before the period closes update it); it is
    locked once the period closes, unless the programme office reopens it.
    """
    require(by, Action.SUBMIT_STATUS_UPDATE, workstream)
    update = StatusUpdate.objects.filter(workstream=workstream, period=period).first()
    if update is None:
        update = StatusUpdate(workstream=workstream, period=period)
    elif update.is_locked:
        raise ValidationError(
            f"The update for {period.label} is locked because the period has closed. "
            "Ask the programme office to reopen it."
        )
    else:
        update.version = version or 0
    submitting = submit or update.is_submitted
    _refuse(status_update_problems(rag=rag, reason=reason, submitting=submitting))
    update.rag = rag
    update.reason = reason.strip()
    update.achievements = achievements.strip()
    update.planned_next = planned_next.strip()
    update.escalations = escalations.strip()
    update.decisions_needed = decisions_needed.strip()
    if submitting and not update.is_submitted:
        update.state = UpdateState.SUBMITTED
        update.submitted_at = timezone.now()
        update.submitted_by = by
    if submitting:
        update.reopened = False
    update._history_user = by
    try:
        with transaction.atomic():
            update.save()
    except IntegrityError:
        # Someone else started this month's update at the same moment: theirs wins, and the
        # user sees it before saving again.
        theirs = StatusUpdate.objects.get(workstream=workstream, period=period)
        raise StaleEdit(theirs, theirs.version) from None
    return update


@transaction.atomic
def reopen_status_update(update: StatusUpdate, *, by) -> StatusUpdate:
    """The programme office reopens a locked update so that its lead can correct it."""
    require(by, Action.MANAGE_PROGRAMME, update.workstream)
    if not update.is_locked:
        raise ValidationError("Only a submitted update of a closed period needs reopening")
    update.reopened = True
    update._history_user = by
    update.save()
    return update
