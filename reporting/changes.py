"""The change control log (DOMAIN.md section 7; the East Sussex initiation document, section
17: a request to change the project is assessed by the project manager and the board decides
whether to accept it; issue 14, part 5).

Who does what (DOMAIN.md section 2):

- a project manager raises and changes the change requests of their area and its
  workstreams, the programme office anywhere in the programme (Action.EDIT_PLAN where the
  change sits: workstream leads may not);
- the programme office records the decision (Action.MANAGE_PROGRAMME): the board's, at a
  named meeting, or its own, within tolerance (`office_decision_problems`); board members
  read the log.

Approving a change re-baselines each milestone it moves, once, through the one re-baselining
service (`workstreams.services.progress.rebaseline_milestone`), and changes the tolerance it
names through the programme's or the area's own service, each with the change as the reason
in the history. The decision claims the change's row (select_for_update) and checks its status
inside one transaction, so that a second approval, or two at once, applies nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from programmes.choices import DatePrecision
from programmes.dates import PlanDate, month_start
from programmes.models import Person, Programme, ProgrammeArea, StaleEdit
from programmes.permissions import Action, may, require
from programmes.services import SETTINGS, change_programme_settings
from reporting.models import (
    AWAITING_DECISION,
    DECISIONS,
    ChangeDecider,
    ChangeMilestone,
    ChangeRequest,
    ChangeStatus,
    ToleranceLevel,
    ToleranceVariable,
)
from reporting.state import ProgrammeData
from risks.models import BoardMeeting
from workstreams.models import BudgetLine, Milestone, Workstream
from workstreams.services.progress import rebaseline_milestone
from workstreams.services.structure import AREA_TOLERANCES, AreaDetails, change_area
from workstreams.validation import milestone_plan_problems

TEXT_LIMIT = 4000
# A history record's reason holds 100 characters; re-baselining puts "Re-baselined: " first.
REASON_LIMIT = 100 - len("Re-baselined: ")
REFERENCE_PATTERN = re.compile(r"CR-(\d{1,6})", re.IGNORECASE)
# Where each tolerance a change may set is kept, on the programme and on an area.
TOLERANCE_FIELDS = {
    ToleranceVariable.TIME: "time_tolerance_days",
    ToleranceVariable.COST: "cost_tolerance_percent",
}
TOLERANCE_LIMITS = {ToleranceVariable.TIME: Decimal(365), ToleranceVariable.COST: Decimal(100)}
EDITABLE = (ChangeStatus.DRAFT, *AWAITING_DECISION)
TEXTS = {
    "title": "The title",
    "description": "What is to change",
    "reason": "Why",
    "time_impact": "The impact on time",
    "cost_impact": "The impact on cost",
    "benefits_impact": "The impact on benefits",
    "scope_impact": "The impact on scope",
    "options": "The options",
    "recommendation": "The recommendation",
}


def move_field(index: int, part: str) -> str:
    """The form's name for one part of the n-th milestone a change moves: "move-0-milestone",
    "move-0-baseline"; the services name problems with it too."""
    return f"move-{index}-{part}"


@dataclass
class MilestoneMove:
    """A milestone to move, and the baseline the change asks for."""

    milestone: Milestone
    baseline: PlanDate


@dataclass
class ChangeDetails:
    """What the form says of a change request."""

    reference: str
    title: str
    description: str
    reason: str = ""
    raised_by: Person | None = None
    raised_on: date | None = None
    area: ProgrammeArea | None = None
    workstream: Workstream | None = None
    time_impact: str = ""
    cost_impact: str = ""
    cost_change: Decimal | None = None
    benefits_impact: str = ""
    scope_impact: str = ""
    options: str = ""
    recommendation: str = ""
    moves: Sequence[MilestoneMove] = field(default_factory=list)
    tolerance_level: str = ""
    tolerance_variable: str = ""
    tolerance_value: Decimal | None = None


# ----- Rules -----


def next_reference(programme: Programme) -> str:
    """The reference to suggest for a programme's next change: one after the highest
    "CR-nnn" it has (CR-001 for the first). One query."""
    used = ChangeRequest.objects.filter(programme=programme).values_list("reference", flat=True)
    numbers = [int(match[1]) for ref in used if (match := REFERENCE_PATTERN.fullmatch(ref))]
    return f"CR-{max(numbers, default=0) + 1:03d}"


def in_scope(milestone: Milestone, *, area_id: int | None, workstream_id: int | None) -> bool:
    """A change moves milestones where it sits: anywhere for a programme-level change, the
    area's workstreams for an area's, the workstream's own for a workstream's."""
    if workstream_id is not None:
        return milestone.workstream_id == workstream_id
    if area_id is not None:
        return milestone.workstream.area_id == area_id
    return True


def change_problems(
    programme: Programme,
    details: ChangeDetails,
    *,
    change: ChangeRequest | None = None,
    today: date,
) -> dict[str, str]:
    """What makes a change request unacceptable, by the form's field names."""
    problems = {}
    reference = details.reference.strip()
    if not reference:
        problems["reference"] = "Enter the change's reference, such as CR-001"
    else:
        taken = ChangeRequest.objects.filter(programme=programme, reference=reference)
        if change is not None:
            taken = taken.exclude(pk=change.pk)
        if taken.exists():
            problems["reference"] = (
                f"This programme already has a change {reference}: choose another reference"
            )
    if not details.title.strip():
        problems["title"] = "Enter a short title for the change"
    if not details.description.strip():
        problems["description"] = "Say what is to change"
    for name, label in TEXTS.items():
        limit = 300 if name == "title" else TEXT_LIMIT
        if name not in problems and len(getattr(details, name).strip()) > limit:
            problems[name] = f"{label} must be {limit:,} characters or fewer"
    person = details.raised_by
    if person is not None and person.organisation_id != programme.organisation_id:
        problems["raised_by"] = f"Choose a person of {programme.organisation.name}"
    if details.raised_on is not None and details.raised_on > today:
        problems["raised_on"] = "The date raised must be today or in the past"
    area, workstream = details.area, details.workstream
    if workstream is not None and area is not None and workstream.area_id != area.pk:
        problems["workstream"] = "The workstream must be in the chosen area"
    area_id = workstream.area_id if workstream is not None else (area.pk if area else None)
    problems |= _move_problems(programme, details.moves, area_id, workstream)
    problems |= _tolerance_problems(details, area_id)
    return problems


def _move_problems(programme, moves, area_id, workstream) -> dict[str, str]:
    problems, seen = {}, set()
    workstream_id = workstream.pk if workstream is not None else None
    for index, move in enumerate(moves):
        milestone, name = move.milestone, move_field(index, "milestone")
        if milestone.workstream.programme_id != programme.pk:
            problems[name] = "Choose a milestone of this programme"
        elif milestone.pk in seen:
            problems[name] = f"Milestone {milestone.reference} is listed twice: list it once"
        elif not in_scope(milestone, area_id=area_id, workstream_id=workstream_id):
            where = f"workstream {workstream.reference}" if workstream else "the change's area"
            problems[name] = (
                f"Milestone {milestone.reference} is not in {where}: a change moves milestones "
                "where it sits"
            )
        elif move.baseline == milestone.baseline:
            problems[move_field(index, "baseline")] = (
                f"Milestone {milestone.reference} is baselined at {move.baseline} already"
            )
        else:
            problem = milestone_plan_problems(start=milestone.start, baseline=move.baseline)
            if problem:
                problems[move_field(index, "baseline")] = (
                    f"The new baseline of {milestone.reference} must be on or after its start, "
                    f"{milestone.start}"
                )
        seen.add(milestone.pk)
    return problems


def _tolerance_problems(details: ChangeDetails, area_id: int | None) -> dict[str, str]:
    level, variable, value = (
        details.tolerance_level,
        details.tolerance_variable,
        details.tolerance_value,
    )
    if not (level or variable or value is not None):
        return {}
    problems = {}
    if level not in ToleranceLevel.values:
        problems["tolerance_level"] = "Choose whose tolerance the change sets"
    elif level == ToleranceLevel.AREA and area_id is None:
        problems["tolerance_level"] = (
            "A change to the whole programme sets the programme's tolerance: choose the "
            "programme's, or place the change in an area"
        )
    if variable not in ToleranceVariable.values:
        problems["tolerance_variable"] = "Choose the tolerance the change sets: time or cost"
    if value is None:
        problems["tolerance_value"] = "Enter the new tolerance"
    elif variable in TOLERANCE_LIMITS:
        limit = TOLERANCE_LIMITS[variable]
        if variable == ToleranceVariable.TIME and value != value.to_integral_value():
            problems["tolerance_value"] = "The time tolerance is a whole number of days"
        elif not Decimal(0) <= value <= limit:
            unit = "days" if variable == ToleranceVariable.TIME else "percent"
            problems["tolerance_value"] = f"The new tolerance must be from 0 to {limit} {unit}"
    return problems


def tolerance_now(
    change: ChangeRequest, programme: Programme, area: ProgrammeArea | None
) -> Decimal:
    """The tolerance the change would set, as it applies now where it would set it: the
    programme's own (`area` None), or the area's (its own, else the programme's)."""
    tolerances = programme.tolerances_for(area)
    if change.tolerance_variable == ToleranceVariable.TIME:
        return Decimal(tolerances.time_days)
    return Decimal(tolerances.cost_percent)


def office_decision_problems(
    change: ChangeRequest, moves: Sequence[ChangeMilestone], *, allocated: Decimal
) -> list[str]:
    """Why the programme office may not approve a change on its own: only within tolerance
    (DOMAIN.md section 7, "the board (or the programme office, within tolerance) decides").
    A change that sets a tolerance, moves a milestone's baseline later by more than the time
    tolerance of its area, or adds cost beyond the cost tolerance (a percentage of the budget
    allocated where the change sits, `allocated`) goes to the board. Empty: within tolerance.
    """
    reasons = []
    programme = change.programme
    if change.changes_tolerance:
        reasons.append("it changes a tolerance, which only the board may do")
    for move in moves:
        milestone = move.milestone
        current = milestone.baseline
        if current is None:
            continue
        days = (move.new_date - current.value).days
        allowed = programme.tolerances_for(milestone.workstream.area).time_days
        if days > allowed:
            reasons.append(
                f"it moves milestone {milestone.reference} {days} days later, beyond the time "
                f"tolerance of {allowed} days"
            )
    if change.cost_change is not None and change.cost_change > 0:
        area = change.area or (change.workstream.area if change.workstream_id else None)
        percent = programme.tolerances_for(area).cost_percent
        limit = allocated * percent / 100
        if change.cost_change > limit:
            reasons.append(
                f"it adds £{change.cost_change:,.0f}, beyond the cost tolerance of "
                f"{percent.normalize():f}% of the £{allocated:,.0f} allocated"
            )
    return reasons


def allocated_budget(change: ChangeRequest) -> Decimal:
    """The budget allocated where a change sits (every financial year): its workstream's,
    its area's, or the programme's. One query."""
    lines = BudgetLine.objects.filter(workstream__programme_id=change.programme_id)
    if change.workstream_id:
        lines = lines.filter(workstream_id=change.workstream_id)
    elif change.area_id:
        lines = lines.filter(workstream__area_id=change.area_id)
    return lines.aggregate(total=Sum("allocated"))["total"] or Decimal(0)


def moves_of(change: ChangeRequest) -> list[ChangeMilestone]:
    """The milestones a change moves, in plan order, with their workstreams and areas and
    the re-baselining each made. One query."""
    return list(
        change.milestone_moves.select_related(
            "milestone__workstream__area", "baseline_change"
        ).order_by("milestone__workstream__sort_key", "milestone__sort_key")
    )


def may_raise_changes(user, programme: Programme) -> bool:
    """Anyone who may change the plan somewhere in the programme raises changes there: a
    project manager in their area, the programme office anywhere."""
    if may(user, Action.EDIT_PLAN, programme):
        return True
    return any(may(user, Action.EDIT_PLAN, area) for area in programme.areas.all())


# ----- Writes -----


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def _apply(change: ChangeRequest, details: ChangeDetails) -> None:
    change.reference = details.reference.strip()
    for name in TEXTS:
        setattr(change, name, getattr(details, name).strip())
    change.raised_by = details.raised_by
    change.workstream = details.workstream
    change.area = details.workstream.area if details.workstream is not None else details.area
    change.cost_change = details.cost_change
    change.tolerance_level = details.tolerance_level or ""
    change.tolerance_variable = details.tolerance_variable or ""
    change.tolerance_value = details.tolerance_value


def _save_moves(change: ChangeRequest, moves: Sequence[MilestoneMove], *, by) -> None:
    """Make the milestones the change moves these (each recorded in the history)."""
    wanted = {move.milestone.pk: move.baseline for move in moves}
    for stored in change.milestone_moves.all():
        baseline = wanted.pop(stored.milestone_id, None)
        stored._history_user = by
        if baseline is None:
            stored.delete()
        elif (stored.new_date, stored.new_precision) != (baseline.value, baseline.precision):
            stored.new_date, stored.new_precision = baseline.value, baseline.precision
            stored.save()
    for milestone_id, baseline in wanted.items():
        move = ChangeMilestone(
            change=change,
            milestone_id=milestone_id,
            new_date=baseline.value,
            new_precision=baseline.precision,
        )
        move._history_user = by
        move.save()


@transaction.atomic
def raise_change(
    programme: Programme, *, by, details: ChangeDetails, submit: bool = False
) -> ChangeRequest:
    """Raise a change request where the user may change the plan; a draft, or submitted
    for a decision at once."""
    today = timezone.localdate()
    change = ChangeRequest(programme=programme)
    _apply(change, details)
    require(by, Action.EDIT_PLAN, change)
    _refuse(change_problems(programme, details, today=today))
    change.raised_on = details.raised_on or today
    change.status = ChangeStatus.SUBMITTED if submit else ChangeStatus.DRAFT
    change._history_user = by
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError:  # the same reference taken at the same moment
        raise ValidationError(
            {"reference": "This programme already has a change with this reference"}
        ) from None
    _save_moves(change, details.moves, by=by)
    return change


def _refuse_unless_open(change: ChangeRequest) -> None:
    if change.status not in EDITABLE:
        raise ValidationError(
            f"Change {change.reference} is {change.get_status_display().lower()}: it can no "
            "longer be changed"
        )


@transaction.atomic
def edit_change(
    change: ChangeRequest, *, by, version: int, details: ChangeDetails, submit: bool = False
) -> ChangeRequest:
    """Change a change request not yet decided (a draft, one awaiting a decision, or one
    deferred); `submit` sends a draft for a decision."""
    require(by, Action.EDIT_PLAN, change)
    _refuse_unless_open(change)
    _refuse(change_problems(change.programme, details, change=change, today=timezone.localdate()))
    raised_on = change.raised_on
    _apply(change, details)
    require(by, Action.EDIT_PLAN, change)  # and where it moves to
    change.raised_on = details.raised_on or raised_on
    if submit and change.status == ChangeStatus.DRAFT:
        change.status = ChangeStatus.SUBMITTED
    change.version = version
    change._history_user = by
    change.save()
    _save_moves(change, details.moves, by=by)
    return change


@transaction.atomic
def withdraw_change(change: ChangeRequest, *, by, version: int, reason: str) -> ChangeRequest:
    """Withdraw a change not yet decided, saying why: it stays in the log, decided by
    nobody."""
    require(by, Action.EDIT_PLAN, change)
    stored = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    _refuse_unless_open(stored)
    if stored.version != version:
        raise StaleEdit(stored, stored.version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"outcome": "Say why the change is withdrawn"})
    if len(reason) > TEXT_LIMIT:
        raise ValidationError({"outcome": f"The reason must be {TEXT_LIMIT:,} characters or fewer"})
    stored.status = ChangeStatus.WITHDRAWN
    stored.outcome = reason
    stored._history_user = by
    stored.save()
    return stored


@dataclass
class ChangeDecision:
    """The decision on a change as the programme office records it."""

    status: str  # approved, rejected or deferred
    decided_by: str  # board or office
    meeting: BoardMeeting | None = None
    decided_on: date | None = None  # an office decision's date; a board's is its meeting's
    outcome: str = ""


def decision_problems(
    change: ChangeRequest, decision: ChangeDecision, *, today: date
) -> dict[str, str]:
    """What makes a recorded decision unacceptable, by the form's field names."""
    problems = {}
    if decision.status not in DECISIONS:
        problems["status"] = "Choose the decision: approve, reject or defer"
    if decision.decided_by == ChangeDecider.BOARD:
        meeting = decision.meeting
        if meeting is None:
            problems["meeting"] = "Choose the board meeting that took the decision"
        elif meeting.programme_id != change.programme_id:
            problems["meeting"] = "Choose a meeting of this programme's board"
        elif meeting.held_on > today:
            problems["meeting"] = (
                f"The meeting is on {meeting.held_on:%-d %B %Y}: record its decision once it "
                "has met"
            )
        elif meeting.held_on < change.raised_on:
            problems["meeting"] = (
                f"The meeting was before the change was raised, on "
                f"{change.raised_on:%-d %B %Y}: choose the meeting that decided it"
            )
    elif decision.decided_by == ChangeDecider.OFFICE:
        if decision.decided_on is None:
            problems["decided_on"] = "Enter the date the programme office decided"
        elif decision.decided_on > today:
            problems["decided_on"] = "The date decided must be today or in the past"
        elif decision.decided_on < change.raised_on:
            problems["decided_on"] = (
                f"The date decided must be on or after the day the change was raised, "
                f"{change.raised_on:%-d %B %Y}"
            )
    else:
        problems["decided_by"] = "Choose who decided: the board at a meeting, or the office"
    outcome = decision.outcome.strip()
    if decision.status in (ChangeStatus.REJECTED, ChangeStatus.DEFERRED) and not outcome:
        word = "rejected" if decision.status == ChangeStatus.REJECTED else "deferred"
        problems["outcome"] = f"Say why the change was {word}"
    elif len(outcome) > TEXT_LIMIT:
        problems["outcome"] = f"The outcome must be {TEXT_LIMIT:,} characters or fewer"
    return problems


def rebaseline_reason(change: ChangeRequest) -> str:
    """The reason each re-baselining and tolerance change gives: the change itself, its
    reference and title ("Change request CR-001 Extend the consultation"), cut to fit the
    history's reason (100 characters, with the re-baselining service's "Re-baselined: "
    first). Who approved it, and when, its own page says."""
    reason = f"Change request {change.reference} {change.title}"
    return reason if len(reason) <= REASON_LIMIT else reason[: REASON_LIMIT - 3] + "..."


@transaction.atomic
def decide_change(
    change: ChangeRequest, *, by, version: int, decision: ChangeDecision
) -> ChangeRequest:
    """Record the decision on a change awaiting one: the board's at a meeting, or the
    programme office's own within tolerance. Approved, it re-baselines each milestone it
    moves and sets the tolerance it names, once: the change's row is claimed and its status
    checked first, so a change decided already is refused, whoever else is deciding it."""
    require(by, Action.MANAGE_PROGRAMME, change)
    stored = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("programme", "area", "workstream__area")
        .get(pk=change.pk)
    )
    if stored.status not in AWAITING_DECISION:
        if stored.status == ChangeStatus.DRAFT:
            raise ValidationError(
                f"Change {stored.reference} is a draft: it is submitted before it is decided"
            )
        raise ValidationError(
            f"Change {stored.reference} is {stored.get_status_display().lower()} already: it "
            "cannot be decided again"
        )
    if stored.version != version:
        raise StaleEdit(stored, stored.version)
    today = timezone.localdate()
    _refuse(decision_problems(stored, decision, today=today))
    moves = moves_of(stored)
    if decision.status == ChangeStatus.APPROVED and decision.decided_by == ChangeDecider.OFFICE:
        reasons = office_decision_problems(stored, moves, allocated=allocated_budget(stored))
        if reasons:
            raise ValidationError(
                {
                    "decided_by": "Only the board can approve this change: "
                    + "; ".join(reasons)
                    + ". Record the board's decision at its meeting."
                }
            )
    board = decision.decided_by == ChangeDecider.BOARD
    stored.status = decision.status
    stored.decided_by = decision.decided_by
    stored.board_meeting = decision.meeting if board else None
    stored.decided_on = decision.meeting.held_on if board else decision.decided_on
    stored.outcome = decision.outcome.strip()
    stored.recorded_by = by
    area = _tolerance_area(stored)
    if decision.status == ChangeStatus.APPROVED and stored.changes_tolerance:
        stored.previous_tolerance = tolerance_now(stored, stored.programme, area)
    stored._history_user = by
    stored.save()
    if decision.status == ChangeStatus.APPROVED:
        reason = rebaseline_reason(stored)
        _rebaseline(moves, by=by, reason=reason)
        if stored.changes_tolerance:
            _set_tolerance(stored, area, by=by, reason=reason)
    return stored


def _tolerance_area(change: ChangeRequest) -> ProgrammeArea | None:
    if change.tolerance_level != ToleranceLevel.AREA:
        return None
    return change.area or (change.workstream.area if change.workstream_id else None)


def _rebaseline(moves: Sequence[ChangeMilestone], *, by, reason: str) -> None:
    """Each milestone to its new baseline, once, through the one re-baselining service; one
    already there is left as it is."""
    ids = [move.milestone_id for move in moves]
    milestones = Milestone.objects.select_for_update().in_bulk(ids)
    for move in moves:
        milestone = milestones[move.milestone_id]
        baseline = PlanDate.from_fields(move.new_date, move.new_precision or DatePrecision.DAY)
        if milestone.baseline == baseline:
            continue
        try:
            made = rebaseline_milestone(
                milestone, by=by, version=milestone.version, baseline=baseline, reason=reason
            )
        except ValidationError as error:
            raise ValidationError(
                f"Milestone {milestone.reference} cannot move to {baseline}: "
                + " ".join(error.messages)
            ) from None
        move.baseline_change = made
        move._history_user = by
        move.save(update_fields=["baseline_change"])


def _set_tolerance(change: ChangeRequest, area: ProgrammeArea | None, *, by, reason) -> None:
    """The tolerance the change names, set through the programme's or the area's own
    service, with the change as the reason in the history."""
    name = TOLERANCE_FIELDS[ToleranceVariable(change.tolerance_variable)]
    value = change.tolerance_value
    if change.tolerance_variable == ToleranceVariable.TIME:
        value = int(value)
    if area is None:
        programme = Programme.objects.select_for_update().get(pk=change.programme_id)
        settings = {setting: getattr(programme, setting) for setting in SETTINGS}
        programme._change_reason = reason
        change_programme_settings(
            programme, by=by, version=programme.version, settings=settings | {name: value}
        )
        return
    area = ProgrammeArea.objects.select_for_update().get(pk=area.pk)
    tolerances = {setting: getattr(area, setting) for setting in AREA_TOLERANCES}
    area._change_reason = reason
    change_area(
        area,
        by=by,
        version=area.version,
        details=AreaDetails(
            reference=area.reference,
            name=area.name,
            aim=area.aim,
            sponsor_id=area.sponsor_id,
            project_manager_id=area.project_manager_id,
            interdependencies=area.interdependencies,
            **(tolerances | {name: value}),
        ),
    )


# ----- What the reports and the board pack show -----


@dataclass
class ChangeSummary:
    """Changes awaiting a decision, and those decided in a stretch of time."""

    awaiting: list[ChangeRequest]
    decided: list[ChangeRequest]

    def decided_as(self, status: str) -> list[ChangeRequest]:
        return [change for change in self.decided if change.status == status]

    @property
    def approved(self) -> list[ChangeRequest]:
        return self.decided_as(ChangeStatus.APPROVED)

    @property
    def rejected(self) -> list[ChangeRequest]:
        return self.decided_as(ChangeStatus.REJECTED)

    @property
    def deferred(self) -> list[ChangeRequest]:
        return self.decided_as(ChangeStatus.DEFERRED)

    @property
    def is_empty(self) -> bool:
        return not (self.awaiting or self.decided)

    def headline(self, when: str) -> str:
        """One line for a summary: "2 awaiting a decision; in November 2026, 1 approved and
        1 rejected"."""
        awaiting = f"{len(self.awaiting)} awaiting a decision"
        counts = [
            f"{len(changes)} {word}"
            for changes, word in (
                (self.approved, "approved"),
                (self.rejected, "rejected"),
                (self.deferred, "deferred"),
            )
            if changes
        ]
        if not counts:
            return f"{awaiting}; none decided in {when}"
        decided = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " and " + counts[-1]
        return f"{awaiting}; in {when}, {decided}"

    @property
    def lines(self) -> list[dict]:
        """Each change once, in reference order, with where it stands in words: decided
        ("Approved by the Programme Board, 10 Nov 2026") or awaiting a decision."""
        shown = {change.pk: change for change in [*self.decided, *self.awaiting]}
        return [
            {"change": change, "state": state_words(change)}
            for change in sorted(shown.values(), key=lambda change: change.sort_key)
        ]


def state_words(change: ChangeRequest) -> str:
    """Where a change stands, in words for a report or a pack."""
    if change.status == ChangeStatus.DEFERRED:
        return (
            f"Deferred by {_decider(change)} on {change.decided_on:%-d %b %Y}; awaiting a decision"
        )
    if change.status in DECISIONS:
        return (
            f"{change.get_status_display()} by {_decider(change)} on {change.decided_on:%-d %b %Y}"
        )
    if change.status == ChangeStatus.SUBMITTED:
        return f"Awaiting a decision; raised {change.raised_on:%-d %b %Y}"
    return change.get_status_display()


def _decider(change: ChangeRequest) -> str:
    if change.decided_by == ChangeDecider.BOARD and change.board_meeting is not None:
        return f"the {change.board_meeting.title}"
    return "the programme office"


def changes_in_period(data: ProgrammeData) -> ChangeSummary:
    """For the highlight report: the changes awaiting a decision at the data's date, and
    those decided in its period (its month, up to that date), as they stood then. One
    query; their meetings are the data's own."""
    start = data.period.month if data.period is not None else month_start(data.as_of)
    meetings = {meeting.pk: meeting for meeting in data.meetings}
    changes = list(
        data.snapshot.rows(ChangeRequest, programme_id=data.programme.pk).order_by("sort_key")
    )
    for change in changes:
        change.board_meeting = meetings.get(change.board_meeting_id)
    return ChangeSummary(
        awaiting=[change for change in changes if change.status in AWAITING_DECISION],
        decided=[
            change
            for change in changes
            if change.status in DECISIONS
            and change.decided_on is not None
            and start <= change.decided_on <= data.as_of
        ],
    )


@dataclass
class ChangesForPack(ChangeSummary):
    """For a board meeting's pack: every change awaiting a decision now, and those decided
    at the meeting or since the one before (`since`; None when it is the first). A change
    deferred in that time is in both lists: decided, and back for a decision."""

    meeting: BoardMeeting | None = None
    since: date | None = None


def changes_for_pack(meeting: BoardMeeting) -> ChangesForPack:
    """The changes a board meeting's pack sets out: those awaiting a decision, and those
    decided at or since the previous meeting (up to this one's day), each with its scope,
    who raised it, the meeting that decided it and the milestones it moves (with their
    re-baselinings). Three queries."""
    since = (
        BoardMeeting.objects.filter(programme_id=meeting.programme_id, held_on__lt=meeting.held_on)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    window = Q(status__in=DECISIONS, decided_on__lte=meeting.held_on)
    if since is not None:
        window &= Q(decided_on__gte=since)
    changes = list(
        ChangeRequest.objects.filter(programme_id=meeting.programme_id)
        .filter(Q(status__in=AWAITING_DECISION) | window | Q(board_meeting=meeting))
        .select_related("raised_by", "area", "workstream", "board_meeting")
        .prefetch_related(
            Prefetch(
                "milestone_moves",
                queryset=ChangeMilestone.objects.select_related(
                    "milestone__workstream", "baseline_change"
                ).order_by("milestone__workstream__sort_key", "milestone__sort_key"),
            )
        )
        .order_by("sort_key")
    )

    def decided_in_window(change: ChangeRequest) -> bool:
        if change.status not in DECISIONS or change.decided_on is None:
            return False
        if change.board_meeting_id == meeting.pk:
            return True
        return change.decided_on <= meeting.held_on and (
            since is None or change.decided_on >= since
        )

    return ChangesForPack(
        awaiting=[change for change in changes if change.status in AWAITING_DECISION],
        decided=[change for change in changes if decided_in_window(change)],
        meeting=meeting,
        since=since,
    )
