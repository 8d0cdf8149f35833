"""What a board meeting holds, read for its page, its minutes and the board pack (DOMAIN.md
section 7: "agenda items (presenter, paper, decision sought), attendees and apologies, papers,
decisions and minutes per item, an action log").

Each read is a fixed number of queries whatever the size of the meeting or the programme.
The writes are in `risks.services.meetings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from programmes.models import Person, Programme
from risks.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    BoardMeeting,
    Decision,
    MeetingPaper,
)


def programme_people(programme: Programme) -> QuerySet[Person]:
    """Who may present an item, own an action or be on a meeting's list: anyone with a role in
    the programme and anyone of its organisation, by name."""
    return (
        Person.objects.filter(
            Q(memberships__programme_id=programme.pk) | Q(organisation_id=programme.organisation_id)
        )
        .distinct()
        .order_by("name")
    )


def people_with_a_role(programme: Programme) -> QuerySet[Person]:
    """Those a meeting's list offers first: the people with a role in the programme."""
    return Person.objects.filter(memberships__programme_id=programme.pk).distinct().order_by("name")


@dataclass
class AgendaEntry:
    """An agenda item with the decisions taken under it and the actions arising from it."""

    number: int
    item: AgendaItem
    decisions: list[Decision] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)


@dataclass
class MeetingRecord:
    """A meeting's agenda in order, its list of people, its papers and its actions."""

    meeting: BoardMeeting
    agenda: list[AgendaEntry]
    attendance: list[Attendance]
    papers: list[MeetingPaper]
    actions: list[ActionItem]  # every action arising from the meeting
    other_actions: list[ActionItem]  # those under no agenda item
    other_decisions: list[Decision]  # decisions on its agenda under no item

    def with_status(self, status: str) -> list[Person]:
        return [entry.person for entry in self.attendance if entry.status == status]

    @property
    def invited(self) -> list[Person]:
        return self.with_status(AttendanceStatus.INVITED)

    @property
    def attended(self) -> list[Person]:
        return self.with_status(AttendanceStatus.ATTENDED)

    @property
    def apologies(self) -> list[Person]:
        return self.with_status(AttendanceStatus.APOLOGIES)

    @property
    def has_minutes(self) -> bool:
        return bool(self.meeting.minutes) or any(entry.item.minutes for entry in self.agenda)


def meeting_record(meeting: BoardMeeting, decisions: list[Decision] | None = None) -> MeetingRecord:
    """The meeting's record, in four queries (five without `decisions`, the decisions on its
    agenda, when the caller has them already)."""
    if decisions is None:
        decisions = list(
            Decision.objects.filter(meeting=meeting)
            .select_related("milestone", "workstream")
            .order_by("sort_key")
        )
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("presenter", "paper")
        .order_by("position", "pk")
    )
    actions = list(
        ActionItem.objects.filter(meeting=meeting).select_related("owner").order_by("number")
    )
    attendance = list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("person")
        .order_by("person__name", "pk")
    )
    papers = list(MeetingPaper.objects.filter(meeting=meeting).order_by("uploaded_at", "pk"))
    entries = {item.pk: AgendaEntry(number, item) for number, item in enumerate(items, start=1)}
    for item in items:
        item.meeting = meeting
    other_decisions, other_actions = [], []
    for decision in decisions:
        entry = entries.get(decision.agenda_item_id)
        (entry.decisions if entry else other_decisions).append(decision)
    for action in actions:
        entry = entries.get(action.agenda_item_id)
        (entry.actions if entry else other_actions).append(action)
    return MeetingRecord(
        meeting=meeting,
        agenda=list(entries.values()),
        attendance=attendance,
        papers=papers,
        actions=actions,
        other_actions=other_actions,
        other_decisions=other_decisions,
    )


def previous_meeting(meeting: BoardMeeting) -> BoardMeeting | None:
    """The programme's meeting held last before this one."""
    return (
        BoardMeeting.objects.filter(programme_id=meeting.programme_id)
        .filter(Q(held_on__lt=meeting.held_on) | Q(held_on=meeting.held_on, pk__lt=meeting.pk))
        .order_by("-held_on", "-pk")
        .first()
    )


@dataclass
class PackActions:
    """The actions a meeting's board pack lists: those arising from the previous meeting,
    whatever their status, then the other open actions overdue or due by the meeting."""

    meeting: BoardMeeting
    previous_meeting: BoardMeeting | None
    from_previous_meeting: list[ActionItem]
    due: list[ActionItem]
    as_of: date

    @property
    def all(self) -> list[ActionItem]:
        return [*self.from_previous_meeting, *self.due]


def actions_for_pack(meeting: BoardMeeting, as_of: date | None = None) -> PackActions:
    """What the board pack of a meeting lists from the action log (DOMAIN.md section 7): the
    actions arising from the previous meeting, with where each stands, and every other action
    still open that is overdue or due by the day of the meeting, soonest due first. Each action
    carries `is_overdue_now` as of `as_of` (today unless said). Three queries."""
    as_of = as_of or timezone.localdate()
    previous = previous_meeting(meeting)
    related = ("owner", "meeting", "agenda_item")
    from_previous = []
    if previous is not None:
        from_previous = list(
            ActionItem.objects.filter(meeting=previous).select_related(*related).order_by("number")
        )
    due = ActionItem.objects.filter(
        programme_id=meeting.programme_id,
        status=ActionStatus.OPEN,
        due_date__lte=meeting.held_on,
    ).select_related(*related)
    if previous is not None:
        due = due.exclude(meeting=previous)
    due = list(due.order_by("due_date", "number"))
    for action in [*from_previous, *due]:
        action.is_overdue_now = action.is_overdue(as_of)
    return PackActions(meeting, previous, from_previous, due, as_of)
