"""Calendar feeds: a programme's milestones, key decisions and board meetings, or a person's
own milestones and the board meetings they are on the list of (invited, attending or sending
apologies: issue 14), as an iCalendar feed (RFC 5545) that Outlook and Google Calendar
subscribe to at a secret link.

Three parts: which link still works and what it shows (a fixed number of queries whatever
the programme's size); building the calendar from that (plain values in, an icalendar
Calendar out, no database); and the writes that make and reset a link.

Every event is an all-day event on the day the plan gives, because plans are precise to a
day or a month and rarely to an hour. A month-precision date sits on the month's last day,
which is when it becomes late (DOMAIN.md section 1), and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vDuration, vText

from programmes.dates import PlanDate
from programmes.models import CalendarFeed, Programme
from programmes.permissions import access_for
from reporting.my_work import own_milestones
from risks.models import Attendance, AttendanceStatus, BoardMeeting, Decision, DecisionStatus
from workstreams.models import Milestone, MilestoneKind

# How often calendar apps should fetch the feed again. Outlook and Google choose for
# themselves in practice (Google about twice a day), but others follow it.
REFRESH_INTERVAL = timedelta(hours=1)
TIMEZONE = "Europe/London"

MILESTONE, KEY_DECISION, DELIVERABLE, DECISION, BOARD_MEETING = (
    "Milestone",
    "Key decision",
    "Deliverable",
    "Decision",
    "Board meeting",
)
KIND_WORDS = {
    MilestoneKind.MILESTONE: MILESTONE,
    MilestoneKind.KEY_DECISION: KEY_DECISION,
    MilestoneKind.DELIVERABLE: DELIVERABLE,
}


# ----- Which link works, and what it shows -----


def working_feed(token: str) -> CalendarFeed | None:
    """The feed behind a secret link, if the link still works: the token is the current
    one, its user is active, and a programme's feed is for a programme the user still has a
    role in (DOMAIN.md section 2: everyone else sees nothing of a programme). Two queries."""
    feed = (
        CalendarFeed.objects.select_related("user__person", "programme").filter(token=token).first()
    )
    if feed is None or not feed.user.is_active:
        return None
    if feed.programme_id is not None and not access_for(feed.user).sees(feed.programme_id):
        return None
    return feed


@dataclass
class ProgrammeFeedData:
    programme: Programme
    milestones: list[Milestone]
    decisions: list[Decision]
    meetings: list[BoardMeeting]


def load_programme_feed(programme: Programme) -> ProgrammeFeedData:
    """Everything a programme's calendar shows, in three queries."""
    milestones = list(
        Milestone.objects.filter(workstream__programme=programme)
        .exclude(actual_date__isnull=True, forecast_date__isnull=True, baseline_date__isnull=True)
        .select_related("workstream__lead", "owner")
    )
    decisions = list(
        Decision.objects.filter(programme=programme).select_related(
            "workstream", "milestone", "meeting"
        )
    )
    meetings = list(BoardMeeting.objects.filter(programme=programme).select_related("chair"))
    for milestone in milestones:
        milestone.workstream.programme = programme
    return ProgrammeFeedData(programme, milestones, decisions, meetings)


def load_personal_feed(user) -> list[Milestone]:
    """The user's own milestones, as on My work, in the programmes they still see. One
    query; none if their sign-in is not linked to a person."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    return list(
        own_milestones(person, user)
        .exclude(actual_date__isnull=True, forecast_date__isnull=True, baseline_date__isnull=True)
        .select_related("workstream__programme", "workstream__lead", "owner")
    )


def load_personal_meetings(user) -> list[Attendance]:
    """The board meetings the user's person is on the list of, in the programmes they still
    see, each with its meeting, programme and chair. One query; none without a person."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    return list(
        Attendance.objects.visible_to(user)
        .filter(person=person)
        .select_related("meeting__programme", "meeting__chair")
    )


# ----- Building the calendar (no database) -----


@dataclass(frozen=True)
class FeedEvent:
    """One all-day event, as plain values."""

    uid: str
    day: date
    summary: str
    category: str
    url: str
    details: tuple[str, ...] = ()
    location: str = ""

    @property
    def description(self) -> str:
        return "\n".join([*self.details, f"Open it in {settings.SITE_NAME}: {self.url}"])


@dataclass(frozen=True)
class FeedLinks:
    """How events name themselves: `absolute` turns a path into a full URL, and `domain`
    ends every UID so that calendar apps update an event rather than add it twice."""

    absolute: Callable[[str], str]
    domain: str

    def uid(self, kind: str, pk: int) -> str:
        return f"{kind}-{pk}@{self.domain}"

    def url(self, name: str, pk: int) -> str:
        return self.absolute(reverse(name, args=[pk]))


def long_date(value: date) -> str:
    """ "8 September 2026": how a day is written in an event's description."""
    return f"{value.day} {value:%B %Y}"


def plan_date_label(plan_date: PlanDate) -> str:
    """ "September 2026" for a month, "8 September 2026" for a day."""
    return f"{plan_date.value:%B %Y}" if plan_date.is_month else long_date(plan_date.value)


def plan_date_words(plan_date: PlanDate) -> str:
    """ "in September 2026" for a month, "8 September 2026" for a day: after "due"."""
    return f"in {plan_date_label(plan_date)}" if plan_date.is_month else plan_date_label(plan_date)


def _person(person) -> str:
    return person.description if person is not None else ""


def milestone_event(
    milestone: Milestone, links: FeedLinks, decisions: Iterable[Decision] = ()
) -> FeedEvent | None:
    """A milestone on the day it is due (forecast if set, else baseline, DOMAIN.md section 3),
    or on the day it was completed. A month is shown on its last day, the day it becomes
    late. None if it has no date at all. `decisions` are the decision log's entries for a
    key decision, described here rather than shown twice."""
    due = milestone.due
    kind = KIND_WORDS.get(milestone.kind, MILESTONE)
    name = f"{milestone.reference} {milestone.title}"
    if milestone.is_complete and milestone.actual_date is not None:
        day = milestone.actual_date
        summary = f"{name} (complete)"
        when = f"Completed {long_date(day)}"
        if due is not None:
            when += f", was due {plan_date_words(due)}"
    elif due is not None:
        day = due.value
        summary = f"{name} (due in {due.value:%b %Y})" if due.is_month else name
        when = f"Due {plan_date_words(due)}"
        if due.is_month:
            when += " (shown on the month's last day)"
    else:
        return None
    if kind != MILESTONE:
        summary = f"{kind}: {summary}"

    workstream = milestone.workstream
    status = milestone.get_status_display()
    if milestone.at_risk and not milestone.is_complete:
        status += ", flagged at risk"
    details = [f"{kind} {name}", when]
    baseline = milestone.baseline
    if baseline is not None and milestone.forecast is not None and baseline != milestone.forecast:
        details.append(f"Baseline: {plan_date_label(baseline)}")
    details += [
        f"Status: {status}",
        f"Programme: {workstream.programme.name}",
        f"Workstream: {workstream.reference} {workstream.name}",
    ]
    if milestone.owner is not None:
        details.append(f"Owner: {_person(milestone.owner)}")
    elif workstream.lead is not None:
        details.append(f"Owner: {_person(workstream.lead)} (workstream lead)")
    if milestone.forum:
        details.append(f"Who decides: {milestone.forum}")
    for decision in decisions:
        details.append(f"Decision log: {decision.reference} {decision.title}, {_status(decision)}")
    return FeedEvent(
        uid=links.uid("milestone", milestone.pk),
        day=day,
        summary=summary,
        category=kind,
        url=links.url("milestone_detail", milestone.pk),
        details=tuple(details),
    )


def _status(decision: Decision) -> str:
    if decision.status == DecisionStatus.MADE and decision.made_on is not None:
        return f"made {long_date(decision.made_on)}"
    return decision.get_status_display().lower()


def decision_event(decision: Decision, programme: Programme, links: FeedLinks) -> FeedEvent | None:
    """A decision from the decision log on the day it was made, else on the day it is needed
    by (a month on its last day). None if it is not made and has no date needed."""
    name = f"{decision.reference} {decision.title}"
    needed = PlanDate.from_fields(decision.needed_by, decision.needed_by_precision)
    is_made = decision.status == DecisionStatus.MADE and decision.made_on is not None
    if is_made:
        day = decision.made_on
        summary = f"Decision made: {name}"
    elif needed is not None:
        day = needed.value
        summary = f"Decision needed: {name}"
        if decision.status == DecisionStatus.DEFERRED:
            summary += " (deferred)"
        elif needed.is_month:
            summary += f" (in {needed.value:%b %Y})"
    else:
        return None
    details = [f"Decision {name}"]
    if needed is not None:
        end_of = "the end of " if needed.is_month else ""
        details.append(f"Needed by {end_of}{plan_date_label(needed)}")
    status = _status(decision)
    details += [
        f"Status: {status[:1].upper()}{status[1:]}",
        f"Who decides: {decision.forum}",
        f"Programme: {programme.name}",
    ]
    if decision.workstream is not None:
        details.append(f"Workstream: {decision.workstream.reference} {decision.workstream.name}")
    if decision.milestone is not None:
        details.append(f"Milestone: {decision.milestone.reference} {decision.milestone.title}")
    if decision.meeting is not None:
        details.append(f"On the agenda of: {decision.meeting}")
    if decision.description:
        details.append(f"What is asked: {decision.description}")
    if decision.status == DecisionStatus.MADE and decision.outcome:
        details.append(f"Outcome: {decision.outcome}")
    return FeedEvent(
        uid=links.uid("decision", decision.pk),
        day=day,
        summary=summary,
        category=DECISION,
        url=links.url("decision_detail", decision.pk),
        details=tuple(details),
    )


def meeting_event(
    meeting: BoardMeeting,
    programme: Programme,
    links: FeedLinks,
    agenda: Iterable[Decision] = (),
    attendance: str = "",
) -> FeedEvent:
    """A board meeting on the day it is held, with its place, chair and agenda; in a person's
    own calendar, with what they are on its list as (`attendance`: invited, attended,
    apologies)."""
    summary = meeting.title
    if attendance == AttendanceStatus.APOLOGIES:
        summary += " (apologies sent)"
    details = [
        f"{meeting.title}, {long_date(meeting.held_on)}",
        f"Programme: {programme.name}",
        f"Chair: {_person(meeting.chair) or 'not yet known'}",
    ]
    if attendance:
        details.append(f"You: {AttendanceStatus(attendance).label.lower()}")
    if meeting.location:
        details.append(f"Location: {meeting.location}")
    details += [f"On the agenda: {decision.reference} {decision.title}" for decision in agenda]
    return FeedEvent(
        uid=links.uid("meeting", meeting.pk),
        day=meeting.held_on,
        summary=summary,
        category=BOARD_MEETING,
        url=links.url("meeting_detail", meeting.pk),
        details=tuple(details),
        location=meeting.location,
    )


def programme_events(data: ProgrammeFeedData, links: FeedLinks) -> list[FeedEvent]:
    """The programme's milestones, decisions and board meetings. A decision logged against a
    key-decision milestone is the same decision: it shows once, as the milestone, with the
    log's entry in its description (unless the milestone has no date and the log has)."""
    logged: dict[int, list[Decision]] = {}
    agendas: dict[int, list[Decision]] = {}
    for decision in sorted(data.decisions, key=lambda d: d.sort_key):
        if decision.milestone_id is not None:
            logged.setdefault(decision.milestone_id, []).append(decision)
        if decision.meeting_id is not None:
            agendas.setdefault(decision.meeting_id, []).append(decision)
    events, shown_key_decisions = [], set()
    for milestone in data.milestones:
        is_key_decision = milestone.kind == MilestoneKind.KEY_DECISION
        event = milestone_event(
            milestone, links, logged.get(milestone.pk, []) if is_key_decision else ()
        )
        if event is not None:
            events.append(event)
            if is_key_decision:
                shown_key_decisions.add(milestone.pk)
    for decision in data.decisions:
        if decision.milestone_id in shown_key_decisions:
            continue
        event = decision_event(decision, data.programme, links)
        if event is not None:
            events.append(event)
    events += [
        meeting_event(meeting, data.programme, links, agendas.get(meeting.pk, []))
        for meeting in data.meetings
    ]
    return events


def personal_events(
    milestones: Iterable[Milestone], links: FeedLinks, attendance: Iterable[Attendance] = ()
) -> list[FeedEvent]:
    """The person's milestones, and the meetings they are on the list of."""
    events = [event for event in (milestone_event(m, links) for m in milestones) if event]
    events += [
        meeting_event(entry.meeting, entry.meeting.programme, links, attendance=entry.status)
        for entry in attendance
    ]
    return events


def build_calendar(
    name: str, description: str, events: Iterable[FeedEvent], *, stamp: datetime
) -> Calendar:
    """An iCalendar that Outlook and Google Calendar subscribe to: published (read-only),
    named, refreshed hourly, with one all-day, transparent (not busy) event per item, each
    with a stable UID so that a change updates the event rather than adding another."""
    calendar = Calendar()
    calendar.add("PRODID", f"-//{settings.SITE_NAME}//Calendar feeds//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("NAME", vText(name))
    calendar.add("X-WR-CALNAME", vText(name))
    calendar.add("X-WR-CALDESC", vText(description))
    calendar.add("X-WR-TIMEZONE", TIMEZONE)
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
    for item in sorted(events, key=lambda e: (e.day, e.category, e.summary, e.uid)):
        event = Event.new(
            uid=item.uid,
            stamp=stamp,
            start=item.day,
            end=item.day + timedelta(days=1),
            summary=item.summary,
            description=item.description,
            categories=[item.category],
            transparency="TRANSPARENT",
            url=item.url,
            location=item.location or None,
        )
        calendar.add_component(event)
    return calendar


def programme_calendar(data: ProgrammeFeedData, links: FeedLinks, *, stamp: datetime) -> Calendar:
    return build_calendar(
        data.programme.name,
        f"Milestones, key decisions and board meetings of {data.programme.name}, "
        f"from {settings.SITE_NAME}.",
        programme_events(data, links),
        stamp=stamp,
    )


def personal_calendar(
    milestones: Iterable[Milestone],
    links: FeedLinks,
    *,
    stamp: datetime,
    attendance: Iterable[Attendance] = (),
):
    return build_calendar(
        "My programme milestones",
        "Milestones of the workstreams you lead, the areas you manage and those you own, and "
        f"the board meetings you are invited to, from {settings.SITE_NAME}.",
        personal_events(milestones, links, attendance),
        stamp=stamp,
    )


def feed_filename(feed: CalendarFeed) -> str:
    """The file a browser saves the feed as: the programme's reference, or "my-milestones"."""
    if feed.is_personal:
        return "my-milestones.ics"
    safe = "".join(c if c.isalnum() else "-" for c in feed.programme.reference).strip("-")
    return f"programme-{safe.lower() or feed.programme_id}.ics"


# ----- The links page -----


@dataclass
class CalendarLinks:
    """The user's own feed and one row per programme they see, each with its link if made."""

    personal: CalendarFeed | None
    has_person: bool
    programmes: list[tuple[Programme, CalendarFeed | None]] = field(default_factory=list)

    @property
    def feeds(self) -> list[CalendarFeed]:
        return [
            feed for feed in (self.personal, *(f for _, f in self.programmes)) if feed is not None
        ]


def calendar_links(user) -> CalendarLinks:
    """What the calendar page lists, in three queries whatever the number of programmes."""
    feeds = {feed.programme_id: feed for feed in CalendarFeed.objects.filter(user=user)}
    programmes = (
        Programme.objects.visible_to(user)
        .select_related("organisation")
        .order_by("organisation__name", "sort_key")
    )
    return CalendarLinks(
        personal=feeds.get(None),
        has_person=getattr(user, "person", None) is not None,
        programmes=[(programme, feeds.get(programme.pk)) for programme in programmes],
    )


# ----- Writes -----


def _check_may_subscribe(user, programme: Programme | None) -> None:
    if not user.is_active:
        raise PermissionDenied("This account is not active")
    if programme is not None and not access_for(user).sees(programme.pk):
        raise PermissionDenied("You do not have a role in this programme")


@transaction.atomic
def create_calendar_feed(programme: Programme | None, *, by) -> CalendarFeed:
    """Give the user a calendar link for a programme they see (or, with no programme, for
    their own milestones). Asking again returns the link they already have."""
    _check_may_subscribe(by, programme)
    feed, _ = CalendarFeed.objects.get_or_create(user=by, programme=programme)
    return feed


@transaction.atomic
def reset_calendar_feed(programme: Programme | None, *, by) -> CalendarFeed:
    """Give the user's calendar link a new secret: the old link stops working at once."""
    _check_may_subscribe(by, programme)
    # Ordered by pk: the model's ordering joins the nullable programme, and PostgreSQL
    # refuses FOR UPDATE on the nullable side of an outer join.
    feed = (
        CalendarFeed.objects.select_for_update()
        .filter(user=by, programme=programme)
        .order_by("pk")
        .first()
    )
    if feed is None:
        return CalendarFeed.objects.create(user=by, programme=programme)
    feed.token = CalendarFeed._meta.get_field("token").get_default()
    feed.reset_at = timezone.now()
    feed.save(update_fields=["token", "reset_at"])
    return feed
