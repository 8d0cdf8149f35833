"""Decisions and board meetings: the decision log's writes, the board's agenda, and recording a
decision as made at a meeting (DOMAIN.md sections 1, 2 and 5: "key decisions for the board or a
committee, with date needed and outcome"; "BoardMeeting: date, papers, minutes of decisions
taken").

Every write is one transaction, takes the acting user, checks their role through
`programmes.permissions`, validates with the checks the forms share, and saves through the
models so that the history records who changed what. A decision saved from a stale copy raises
`programmes.models.StaleEdit`; the caller shows the other change and keeps what was typed.

What a meeting must decide (`board_business`) is read in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from programmes.choices import DatePrecision, Role
from programmes.dates import PlanDate, add_months, month_end
from programmes.models import Membership, Person, Programme
from programmes.permissions import (
    Action,
    closed_refusal,
    is_closed_for,
    may,
    may_record_decision_at,
    may_see,
    require,
)
from risks.models import BoardMeeting, Decision, DecisionStatus
from risks.rules import decision_is_overdue, decision_problems, falls_by
from workstreams.models import Milestone, MilestoneKind, MilestoneStatus, Workstream

# Forums that decide things in a UK council, offered beside the programme's own board.
COMMITTEES = ("Adult Committee", "Cabinet", "Scrutiny Committee")

# Pending first, then deferred (still to decide), then what is decided.
STATUS_ORDER = {DecisionStatus.PENDING: 0, DecisionStatus.DEFERRED: 1, DecisionStatus.MADE: 2}


def _refuse(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


# ----- Rules -----


def is_overdue(decision: Decision, today: date) -> bool:
    """A decision not yet made whose date needed has passed (a month: after its last day)."""
    needed = PlanDate.from_fields(decision.needed_by, decision.needed_by_precision)
    return decision_is_overdue(decision.status, needed, today)


def forum_suggestions(programme: Programme, used: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Who may decide: the programme's board, the council's committees, and any forum the
    programme's decision log already uses."""
    suggestions = []
    for forum in (programme.board_name, "Programme Board", *COMMITTEES, *used):
        if forum and forum.casefold() not in {s.casefold() for s in suggestions}:
            suggestions.append(forum)
    return suggestions


# ----- Where a user may keep decisions -----


@dataclass(frozen=True)
class DecisionScopes:
    """Where in a programme a user may add or move decisions: at programme level (the
    programme office) and in which workstreams (a project manager's area)."""

    programme_level: bool
    workstreams: list[Workstream] = field(default_factory=list)

    @property
    def anywhere(self) -> bool:
        return self.programme_level or bool(self.workstreams)


def decision_scopes(user, programme: Programme) -> DecisionScopes:
    """DOMAIN.md section 2: the programme office keeps the whole decision log, a project
    manager the decisions of their area's workstreams. One query at most."""
    if not may_see(user, programme):
        return DecisionScopes(False)
    workstreams = [
        workstream
        for workstream in Workstream.objects.filter(programme=programme).order_by("sort_key")
        if may(user, Action.MANAGE_DECISIONS, workstream)
    ]
    return DecisionScopes(may(user, Action.MANAGE_DECISIONS, programme), workstreams)


def may_add_decision(user, programme: Programme) -> bool:
    """For the decision log's "Add a decision" button."""
    if may(user, Action.MANAGE_DECISIONS, programme):
        return True
    return decision_scopes(user, programme).anywhere


# ----- Writes to the decision log -----


@dataclass
class DecisionDetails:
    """A decision as its form gives it."""

    reference: str
    title: str
    description: str = ""
    forum: str = ""
    needed_by: PlanDate | None = None
    status: str = DecisionStatus.PENDING
    outcome: str = ""
    made_on: date | None = None
    milestone_id: int | None = None
    workstream_id: int | None = None
    meeting_id: int | None = None


def _links_problems(programme: Programme, details: DecisionDetails) -> tuple[dict, int | None]:
    """Whether the linked milestone, workstream and meeting are the programme's, and the
    workstream the decision belongs in: a linked milestone's, so that the decision sits where
    the milestone does (permissions follow the milestone, programmes.permissions.scope_of)."""
    problems = {}
    workstream_id = details.workstream_id
    if details.milestone_id is not None:
        milestone = (
            Milestone.objects.filter(pk=details.milestone_id, workstream__programme=programme)
            .select_related("workstream")
            .first()
        )
        if milestone is None:
            problems["milestone"] = "Choose a milestone of this programme"
        elif workstream_id is None:
            workstream_id = milestone.workstream_id
        elif workstream_id != milestone.workstream_id:
            problems["milestone"] = (
                f"The milestone is in workstream {milestone.workstream.reference}: choose "
                "that workstream, or leave the workstream blank"
            )
    if (
        workstream_id is not None
        and not Workstream.objects.filter(pk=workstream_id, programme=programme).exists()
    ):
        problems["workstream"] = "Choose a workstream of this programme"
    if (
        details.meeting_id is not None
        and not BoardMeeting.objects.filter(pk=details.meeting_id, programme=programme).exists()
    ):
        problems["meeting"] = "Choose a meeting of this programme"
    return problems, workstream_id


def _apply(decision: Decision, details: DecisionDetails, workstream_id: int | None) -> None:
    decision.reference = details.reference.strip()
    decision.title = details.title.strip()
    decision.description = details.description.strip()
    decision.forum = details.forum.strip() or decision.programme.board_name
    decision.needed_by = details.needed_by.value if details.needed_by else None
    decision.needed_by_precision = (
        details.needed_by.precision if details.needed_by else DatePrecision.DAY
    )
    decision.status = details.status
    decision.outcome = details.outcome.strip()
    decision.made_on = details.made_on
    decision.milestone_id = details.milestone_id
    decision.workstream_id = workstream_id
    if decision.meeting_id != details.meeting_id:
        decision.agenda_item = None  # an item of the meeting it leaves
    decision.meeting_id = details.meeting_id


def _save(decision: Decision, by) -> None:
    decision._history_user = by
    decision.full_clean(exclude=["version", "sort_key"])
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError:
        # Someone else took the reference between the check and the save.
        raise ValidationError(
            {"reference": f"This programme already has a decision {decision.reference}"}
        ) from None


@transaction.atomic
def add_decision(
    programme: Programme, *, by, details: DecisionDetails, today: date | None = None
) -> Decision:
    """Add a decision to the programme's decision log, where the user keeps decisions."""
    require(by, Action.VIEW, programme)
    today = today or timezone.localdate()
    problems, workstream_id = _links_problems(programme, details)
    problems = (
        decision_problems(
            status=details.status,
            outcome=details.outcome,
            made_on=details.made_on,
            needed_by=details.needed_by,
            today=today,
        )
        | problems
    )
    _refuse(problems)
    decision = Decision(programme=programme)
    _apply(decision, details, workstream_id)
    require(by, Action.MANAGE_DECISIONS, decision)
    _save(decision, by)
    return decision


@transaction.atomic
def edit_decision(
    decision: Decision,
    *,
    by,
    version: int,
    details: DecisionDetails,
    today: date | None = None,
) -> Decision:
    """Change a decision: the user must keep decisions where it is and where it is going."""
    require(by, Action.MANAGE_DECISIONS, decision)
    today = today or timezone.localdate()
    problems, workstream_id = _links_problems(decision.programme, details)
    problems = (
        decision_problems(
            status=details.status,
            outcome=details.outcome,
            made_on=details.made_on,
            needed_by=details.needed_by,
            today=today,
            previous_status=decision.status,
            previous_needed_by=PlanDate.from_fields(
                decision.needed_by, decision.needed_by_precision
            ),
        )
        | problems
    )
    _refuse(problems)
    decision.version = version
    _apply(decision, details, workstream_id)
    require(by, Action.MANAGE_DECISIONS, decision)
    _save(decision, by)
    return decision


def require_may_record_at(user, meeting: BoardMeeting) -> None:
    """404 for those who cannot see the programme, 403 for those who see it but neither run
    its programme office nor chair this meeting (programmes.permissions.may_record_decision_at)."""
    if not may_see(user, meeting):
        raise Http404("Not found")
    if is_closed_for(user, meeting):
        raise closed_refusal(meeting)
    if not may_record_decision_at(user, meeting):
        raise PermissionDenied("Only the programme office or the meeting's chair may do this")


@transaction.atomic
def record_decision(
    decision: Decision,
    *,
    by,
    meeting: BoardMeeting,
    outcome: str,
    made_on: date | None,
    version: int,
    today: date | None = None,
) -> Decision:
    """Record a decision on a meeting's agenda as made there, with its outcome and the date it
    was made (DOMAIN.md section 1: "minutes of decisions taken")."""
    require_may_record_at(by, meeting)
    today = today or timezone.localdate()
    if decision.meeting_id != meeting.pk:
        raise ValidationError(f"Decision {decision.reference} is not on this meeting's agenda")
    if meeting.held_on > today:
        raise ValidationError(
            f"The meeting is on {meeting.held_on:%-d %b %Y}: record its decisions once it is held"
        )
    if decision.status == DecisionStatus.MADE:
        raise ValidationError(
            f"Decision {decision.reference} is already recorded as made"
            + (f" on {decision.made_on:%-d %b %Y}" if decision.made_on else "")
        )
    _refuse(
        decision_problems(
            status=DecisionStatus.MADE,
            outcome=outcome,
            made_on=made_on,
            needed_by=None,
            today=today,
        )
    )
    decision.version = version
    decision.status = DecisionStatus.MADE
    decision.outcome = outcome.strip()
    decision.made_on = made_on
    decision._history_user = by
    decision._change_reason = f"Recorded as made at {meeting}"
    decision.save()
    milestone = decision.milestone
    if milestone is not None and milestone.kind == "key_decision" and milestone.actual_date is None:
        # The plan's key decision is taken: its milestone is complete on the day it was made.
        milestone.status = MilestoneStatus.COMPLETE
        milestone.actual_date = made_on
        milestone.at_risk = False
        milestone._history_user = by
        milestone._change_reason = f"Decided at {meeting}"
        milestone.save()
    return decision


# ----- Board meetings -----


def chair_candidates(programme: Programme, *, keeping: int | None = None) -> QuerySet:
    """Who may chair the programme's board: its board members first, then the other people
    of the programme's organisation; and a meeting's chair who has since left the board
    (`keeping`) stays choosable for their own meeting."""
    board = Membership.objects.filter(
        person=OuterRef("pk"), programme=programme, role=Role.BOARD_MEMBER
    )
    allowed = Q(is_board_member=True) | Q(organisation_id=programme.organisation_id)
    if keeping is not None:
        allowed |= Q(pk=keeping)
    return (
        Person.objects.annotate(is_board_member=Exists(board))
        .filter(allowed)
        .order_by("-is_board_member", "name")
    )


@dataclass
class MeetingDetails:
    held_on: date
    title: str
    chair_id: int | None = None
    location: str = ""
    minutes: str = ""


def _meeting_problems(programme: Programme, details: MeetingDetails, meeting=None) -> dict:
    problems = {}
    if not details.title.strip():
        problems["title"] = "Enter the meeting's title"
    keeping = meeting.chair_id if meeting is not None else None
    if (
        details.chair_id is not None
        and not chair_candidates(programme, keeping=keeping).filter(pk=details.chair_id).exists()
    ):
        problems["chair"] = "Choose a board member or someone in the organisation"
    return problems


def _apply_meeting(meeting: BoardMeeting, details: MeetingDetails, by) -> None:
    meeting.held_on = details.held_on
    meeting.title = details.title.strip()
    meeting.chair_id = details.chair_id
    meeting.location = details.location.strip()
    meeting.minutes = details.minutes.strip()
    meeting._history_user = by
    meeting.full_clean()
    meeting.save()


@transaction.atomic
def add_meeting(programme: Programme, *, by, details: MeetingDetails) -> BoardMeeting:
    require(by, Action.MANAGE_PROGRAMME, programme)
    _refuse(_meeting_problems(programme, details))
    meeting = BoardMeeting(programme=programme)
    _apply_meeting(meeting, details, by)
    return meeting


@transaction.atomic
def edit_meeting(
    meeting: BoardMeeting, *, by, version: int, details: MeetingDetails
) -> BoardMeeting:
    """Change a meeting's details, as of the `version` the user saw (StaleEdit if changed)."""
    require(by, Action.MANAGE_PROGRAMME, meeting)
    _refuse(_meeting_problems(meeting.programme, details, meeting))
    meeting.version = version
    _apply_meeting(meeting, details, by)
    return meeting


def _fresh(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().get(pk=decision.pk)


@transaction.atomic
def put_on_agenda(meeting: BoardMeeting, decision: Decision, *, by) -> Decision:
    """Put a decision still to be made on a meeting's agenda (moving it from another's)."""
    require(by, Action.MANAGE_PROGRAMME, meeting)
    decision = _fresh(decision)
    if decision.programme_id != meeting.programme_id:
        raise ValidationError({"decision": "Choose a decision of this programme"})
    if decision.status == DecisionStatus.MADE:
        raise ValidationError({"decision": f"Decision {decision.reference} is already made"})
    if decision.meeting_id == meeting.pk:
        return decision
    decision.meeting = meeting
    decision.agenda_item = None  # an item of the meeting it leaves
    decision._history_user = by
    decision.save(update_fields=["meeting", "agenda_item"])
    return decision


@transaction.atomic
def take_off_agenda(meeting: BoardMeeting, decision: Decision, *, by) -> Decision:
    """Take a decision off a meeting's agenda. One made there stays on the meeting's record."""
    require(by, Action.MANAGE_PROGRAMME, meeting)
    decision = _fresh(decision)
    if decision.meeting_id != meeting.pk:
        raise ValidationError(f"Decision {decision.reference} is not on this meeting's agenda")
    if decision.status == DecisionStatus.MADE:
        raise ValidationError(
            f"Decision {decision.reference} was made: it stays on the record of the meeting"
        )
    decision.meeting = None
    decision.agenda_item = None
    decision._history_user = by
    decision.save(update_fields=["meeting", "agenda_item"])
    return decision


# ----- What the board must decide -----


def meetings_of(programme: Programme, today: date) -> tuple[list, list]:
    """The programme's meetings, upcoming (soonest first) and past (latest first), each with
    the number of decisions on its agenda. One query."""
    meetings = list(
        BoardMeeting.objects.filter(programme=programme)
        .select_related("chair")
        .annotate(agenda_size=Count("decisions"))
        .order_by("held_on", "pk")
    )
    upcoming = [meeting for meeting in meetings if meeting.held_on >= today]
    past = [meeting for meeting in meetings if meeting.held_on < today]
    return upcoming, list(reversed(past))


@dataclass
class BoardBusiness:
    """What a meeting must decide (DOMAIN.md section 5: "key decisions needed from the
    board")."""

    agenda: list[Decision]
    key_decisions: list[Milestone]
    unscheduled: list[Decision]
    next_meeting: BoardMeeting | None
    key_decisions_by: date
    needed_before: date


def _agenda_order(decision: Decision) -> tuple:
    needed = decision.needed_by or date.max
    return (STATUS_ORDER[DecisionStatus(decision.status)], needed, decision.sort_key)


def board_business(meeting: BoardMeeting) -> BoardBusiness:
    """What the board must decide at a meeting, in five queries whatever the programme's size:

    - the decisions on its agenda, still to be made first;
    - the programme's key-decision milestones that are not complete and are due (forecast,
      else baseline) by the meeting or within the month after it;
    - the decisions still to be made that are needed before the next meeting (or, with none
      planned, within the month after this one) and are on no agenda yet: on none at all, or
      carried over undecided from an earlier meeting's.
    """
    programme_id = meeting.programme_id
    agenda = sorted(
        Decision.objects.filter(meeting=meeting).select_related("milestone", "workstream"),
        key=_agenda_order,
    )
    next_meeting = (
        BoardMeeting.objects.filter(programme_id=programme_id, held_on__gt=meeting.held_on)
        .order_by("held_on", "pk")
        .first()
    )
    key_decisions_by = add_months(meeting.held_on, 1)
    needed_before = next_meeting.held_on if next_meeting else key_decisions_by + timedelta(days=1)
    latest_due = month_end(key_decisions_by)
    milestones = (
        Milestone.objects.filter(
            workstream__programme_id=programme_id, kind=MilestoneKind.KEY_DECISION
        )
        .exclude(status=MilestoneStatus.COMPLETE)
        .filter(
            Q(forecast_date__lte=latest_due)
            | Q(forecast_date__isnull=True, baseline_date__lte=latest_due)
        )
        .select_related("workstream")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related("meeting"))
        )
    )
    key_decisions = sorted(
        (m for m in milestones if m.due is not None and falls_by(m.due, key_decisions_by)),
        key=lambda m: (m.due.value, m.workstream.sort_key, m.sort_key),
    )
    candidates = (
        Decision.objects.filter(
            Q(meeting__isnull=True) | Q(meeting__held_on__lt=meeting.held_on),
            programme_id=programme_id,
            needed_by__isnull=False,
            needed_by__lte=month_end(needed_before),
        )
        .exclude(status=DecisionStatus.MADE)
        .select_related("milestone", "workstream", "meeting")
    )
    day_before = needed_before - timedelta(days=1)
    unscheduled = sorted(
        (
            d
            for d in candidates
            if falls_by(PlanDate.from_fields(d.needed_by, d.needed_by_precision), day_before)
        ),
        key=lambda d: (d.needed_by, d.sort_key),
    )
    return BoardBusiness(
        agenda=agenda,
        key_decisions=key_decisions,
        unscheduled=unscheduled,
        next_meeting=next_meeting,
        key_decisions_by=key_decisions_by,
        needed_before=needed_before,
    )


def agenda_candidates(meeting: BoardMeeting) -> QuerySet:
    """The decisions that may be put on a meeting's agenda: the programme's decisions still to
    be made that are not on it already."""
    return (
        Decision.objects.filter(programme_id=meeting.programme_id)
        .exclude(status=DecisionStatus.MADE)
        .exclude(meeting=meeting)
        .select_related("meeting")
        .order_by("sort_key")
    )
