"""Calendar feeds: a programme's milestones, key decisions and board meetings, and a person's
own milestones, as iCalendar at a secret link that calendar apps fetch without signing in.
What a feed shows follows its user's access when it is fetched (DOMAIN.md section 2)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from icalendar import Calendar

from programmes.choices import DatePrecision, Role
from programmes.models import CalendarFeed, Membership
from reporting.calendars import create_calendar_feed, reset_calendar_feed
from risks.models import BoardMeeting, Decision, DecisionStatus
from tests.factories import (
    AreaFactory,
    MilestoneFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)

DOMAIN = "testserver"


def uid(kind: str, obj) -> str:
    return f"{kind}-{obj.pk}@{DOMAIN}"


def fetch(client, feed) -> Calendar:
    """Fetch a feed as a calendar app does (no session) and parse it."""
    response = client.get(reverse("calendar_feed", args=[feed.token]))
    assert response.status_code == 200, response.status_code
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.events}


@pytest.fixture
def items(plan, people):
    """A plan with one of each kind of dated item, plus another programme's items."""
    programme = plan["programme"]
    owner = PersonFactory(organisation=programme.organisation, name="Alex Garnett")
    chair = PersonFactory(organisation=programme.organisation, name="Cllr Margaret Davine")
    made = {
        "day": MilestoneFactory(
            workstream=plan["ws_1_1"],
            reference="1.1.1",
            title="Staff consultation meetings",
            baseline_date=date(2026, 9, 8),
            owner=owner,
        ),
        "month": MilestoneFactory(
            workstream=plan["ws_1_1"],
            reference="1.1.2",
            title="New day centre opens",
            baseline_date=date(2026, 9, 30),
            baseline_precision=DatePrecision.MONTH,
            kind="deliverable",
        ),
        "forecast": MilestoneFactory(
            workstream=plan["ws_1_2"],
            reference="1.2.1",
            title="User panel set up",
            baseline_date=date(2026, 6, 15),
            forecast_date=date(2026, 7, 20),
        ),
        "done": MilestoneFactory(
            workstream=plan["ws_1_2"],
            reference="1.2.2",
            title="Recruitment training",
            baseline_date=date(2026, 5, 31),
            baseline_precision=DatePrecision.MONTH,
            status="complete",
            actual_date=date(2026, 5, 5),
        ),
        "key": MilestoneFactory(
            workstream=plan["ws_2_1"],
            reference="2.1.1",
            title="Cabinet approves the extra care model",
            kind="key_decision",
            forum="Cabinet",
            baseline_date=date(2026, 10, 15),
        ),
        "undated": MilestoneFactory(
            workstream=plan["ws_2_1"], reference="2.1.2", title="Some day", baseline_date=None
        ),
    }
    made["meeting"] = BoardMeeting.objects.create(
        programme=programme,
        held_on=date(2026, 9, 10),
        title="Programme Board",
        location="Civic Centre, Room 3",
        chair=chair,
    )
    decision = Decision.objects.create
    made["logged"] = decision(
        programme=programme,
        reference="D1",
        title="Approve the extra care model",
        forum="Cabinet",
        needed_by=date(2026, 10, 15),
        milestone=made["key"],
    )
    made["needed_in_month"] = decision(
        programme=programme,
        reference="D2",
        title="Agree the charging policy",
        needed_by=date(2026, 11, 30),
        needed_by_precision=DatePrecision.MONTH,
        meeting=made["meeting"],
    )
    made["for_milestone"] = decision(
        programme=programme,
        reference="D3",
        title="Agree the consultation plan",
        needed_by=date(2026, 9, 1),
        milestone=made["day"],
    )
    made["made"] = decision(
        programme=programme,
        reference="D4",
        title="Approve the business case",
        needed_by=date(2026, 4, 30),
        status=DecisionStatus.MADE,
        made_on=date(2026, 4, 20),
        outcome="Approved",
    )
    made["no_date"] = decision(programme=programme, reference="D5", title="Sometime")

    other = ProgrammeFactory(name="Children's Services Programme")
    other_workstream = WorkstreamFactory(area=AreaFactory(programme=other))
    made["other_milestone"] = MilestoneFactory(workstream=other_workstream)
    made["other_decision"] = decision(
        programme=other, reference="D1", title="Other", needed_by=date(2026, 9, 1)
    )
    made["other_meeting"] = BoardMeeting.objects.create(programme=other, held_on=date(2026, 9, 1))
    return made


def test_a_programme_feed_holds_exactly_its_milestones_decisions_and_meetings(
    client, plan, people, items
):
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    calendar = fetch(client, feed)

    assert set(events_by_uid(calendar)) == {
        uid("milestone", items["day"]),
        uid("milestone", items["month"]),
        uid("milestone", items["forecast"]),
        uid("milestone", items["done"]),
        uid("milestone", items["key"]),
        uid("decision", items["needed_in_month"]),
        uid("decision", items["for_milestone"]),
        uid("decision", items["made"]),
        uid("meeting", items["meeting"]),
    }


def test_milestones_sit_on_the_day_they_are_due_or_were_completed(client, plan, people, items):
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    events = events_by_uid(fetch(client, feed))

    day = events[uid("milestone", items["day"])]
    assert day.start == date(2026, 9, 8)
    assert str(day["SUMMARY"]) == "1.1.1 Staff consultation meetings"
    description = str(day["DESCRIPTION"])
    assert "Due 8 September 2026" in description
    assert f"Programme: {plan['programme'].name}" in description
    assert "Workstream: 1.1 Day Opportunities" in description
    assert "Status: Not started" in description
    assert "Owner: Alex Garnett" in description
    assert str(day["URL"]) == f"http://testserver/milestones/{items['day'].pk}/"

    assert events[uid("milestone", items["forecast"])].start == date(2026, 7, 20)
    assert "Baseline: 15 June 2026" in str(
        events[uid("milestone", items["forecast"])]["DESCRIPTION"]
    )

    done = events[uid("milestone", items["done"])]
    assert done.start == date(2026, 5, 5)
    assert str(done["SUMMARY"]) == "1.2.2 Recruitment training (complete)"
    assert "Completed 5 May 2026, was due in May 2026" in str(done["DESCRIPTION"])


def test_a_month_precision_milestone_shows_on_the_months_last_day(client, plan, people, items):
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    event = events_by_uid(fetch(client, feed))[uid("milestone", items["month"])]

    assert event.start == date(2026, 9, 30)
    assert event.end == date(2026, 10, 1)
    assert str(event["SUMMARY"]) == "Deliverable: 1.1.2 New day centre opens (due in Sep 2026)"
    assert "Due in September 2026" in str(event["DESCRIPTION"])


def test_a_key_decision_and_its_logged_decision_show_once(client, plan, people, items):
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    events = events_by_uid(fetch(client, feed))

    assert uid("decision", items["logged"]) not in events
    key = events[uid("milestone", items["key"])]
    assert key.start == date(2026, 10, 15)
    assert str(key["SUMMARY"]) == "Key decision: 2.1.1 Cabinet approves the extra care model"
    assert "Who decides: Cabinet" in str(key["DESCRIPTION"])
    assert "Decision log: D1 Approve the extra care model, pending" in str(key["DESCRIPTION"])
    # A decision needed for an ordinary milestone is a separate thing and shows on its own.
    assert events[uid("decision", items["for_milestone"])].start == date(2026, 9, 1)


def test_decisions_show_when_needed_or_when_made(client, plan, people, items):
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    events = events_by_uid(fetch(client, feed))

    in_month = events[uid("decision", items["needed_in_month"])]
    assert in_month.start == date(2026, 11, 30)
    assert str(in_month["SUMMARY"]) == "Decision needed: D2 Agree the charging policy (in Nov 2026)"
    assert "Needed by the end of November 2026" in str(in_month["DESCRIPTION"])
    assert "On the agenda of: Programme Board, 10 Sep 2026" in str(in_month["DESCRIPTION"])
    made = events[uid("decision", items["made"])]
    assert made.start == date(2026, 4, 20)
    assert str(made["SUMMARY"]) == "Decision made: D4 Approve the business case"
    assert "Outcome: Approved" in str(made["DESCRIPTION"])


def test_a_board_meeting_shows_its_place_chair_and_agenda(client, plan, people, items):
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    event = events_by_uid(fetch(client, feed))[uid("meeting", items["meeting"])]

    assert event.start == date(2026, 9, 10)
    assert str(event["SUMMARY"]) == "Programme Board"
    assert str(event["LOCATION"]) == "Civic Centre, Room 3"
    assert "Chair: Cllr Margaret Davine" in str(event["DESCRIPTION"])
    assert "On the agenda: D2 Agree the charging policy" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"http://testserver/meetings/{items['meeting'].pk}/"


def test_every_event_is_all_day_with_a_uid_and_a_stamp(client, plan, people, items):
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    events = fetch(client, feed).events

    assert len(events) == 9
    for event in events:
        assert str(event["UID"]).endswith(f"@{DOMAIN}")
        assert event["DTSTAMP"].dt.tzinfo is not None
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert type(event.start) is date
        assert event.end == event.start + timedelta(days=1)
        assert str(event["TRANSP"]) == "TRANSPARENT"


def test_the_calendar_says_how_to_show_and_refresh_it(client, plan, people, items):
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    response = client.get(reverse("calendar_feed", args=[feed.token]))
    calendar = Calendar.from_ical(response.content)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private"
    assert response["Content-Disposition"] == (
        f'inline; filename="programme-{plan["programme"].reference.lower()}.ics"'
    )
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//")
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == plan["programme"].name
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/London"
    assert calendar.refresh_interval == timedelta(hours=1)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.content


def test_commas_semicolons_and_new_lines_survive_the_round_trip(client, plan, people):
    title = "Consult staff, unions; and partners\nthen report"
    milestone = MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.9", title=title)
    meeting = BoardMeeting.objects.create(
        programme=plan["programme"], held_on=date(2026, 9, 10), location="Room 1; Civic Centre, HA1"
    )
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    response = client.get(reverse("calendar_feed", args=[feed.token]))
    events = events_by_uid(Calendar.from_ical(response.content))

    assert (
        b"SUMMARY:1.1.9 Consult staff\\, unions\\; and partners\\nthen report" in response.content
    )
    event = events[uid("milestone", milestone)]
    assert str(event["SUMMARY"]) == f"1.1.9 {title}"
    assert str(event["DESCRIPTION"]).startswith(f"Milestone 1.1.9 {title}\nDue 30 September 2026")
    assert str(events[uid("meeting", meeting)]["LOCATION"]) == "Room 1; Civic Centre, HA1"


def test_the_personal_feed_holds_only_the_persons_own_milestones(client, plan, people):
    lead = people["lead"]
    led = MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.1")
    owned = MilestoneFactory(workstream=plan["ws_2_1"], reference="2.1.1", owner=lead.person)
    MilestoneFactory(workstream=plan["ws_1_2"], reference="1.2.1")
    MilestoneFactory(workstream=plan["ws_1_1"], reference="1.1.2", baseline_date=None)
    BoardMeeting.objects.create(programme=plan["programme"], held_on=date(2026, 9, 10))
    Decision.objects.create(
        programme=plan["programme"], reference="D1", title="D", needed_by=date(2026, 9, 1)
    )
    unseen = WorkstreamFactory(area=AreaFactory(programme=ProgrammeFactory()))
    MilestoneFactory(workstream=unseen, owner=lead.person)
    feed = create_calendar_feed(None, by=lead)

    calendar = fetch(client, feed)

    assert set(events_by_uid(calendar)) == {uid("milestone", led), uid("milestone", owned)}
    assert str(calendar["X-WR-CALNAME"]) == "My programme milestones"


def test_a_project_managers_feed_holds_their_areas_milestones(client, plan, people):
    in_area = [
        MilestoneFactory(workstream=plan["ws_1_1"]),
        MilestoneFactory(workstream=plan["ws_1_2"]),
    ]
    MilestoneFactory(workstream=plan["ws_2_1"])
    feed = create_calendar_feed(None, by=people["manager"])

    calendar = fetch(client, feed)

    assert set(events_by_uid(calendar)) == {uid("milestone", m) for m in in_area}


def test_the_personal_feed_drops_programmes_the_user_no_longer_sees(client, plan, people):
    lead = people["lead"]
    MilestoneFactory(workstream=plan["ws_1_1"], owner=lead.person)
    feed = create_calendar_feed(None, by=lead)
    Membership.objects.filter(person=lead.person).delete()

    calendar = fetch(client, feed)

    assert calendar.events == []


def test_resetting_a_link_retires_the_old_one(client, plan, people):
    feed = create_calendar_feed(plan["programme"], by=people["board"])
    old_token = feed.token

    reset = reset_calendar_feed(plan["programme"], by=people["board"])

    assert reset.pk == feed.pk
    assert reset.token != old_token
    assert reset.reset_at is not None
    assert client.get(reverse("calendar_feed", args=[old_token])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[reset.token])).status_code == 200


def test_a_programme_feed_stops_when_the_user_loses_their_role(client, plan, people):
    feed = create_calendar_feed(plan["programme"], by=people["board"])
    Membership.objects.filter(person=people["board"].person).delete()

    response = client.get(reverse("calendar_feed", args=[feed.token]))

    assert response.status_code == 404


@pytest.mark.parametrize("personal", [True, False])
def test_an_inactive_users_feeds_stop(client, plan, people, personal):
    user = people["lead"]
    feed = create_calendar_feed(None if personal else plan["programme"], by=user)
    user.is_active = False
    user.save()

    response = client.get(reverse("calendar_feed", args=[feed.token]))

    assert response.status_code == 404


def test_an_unknown_token_is_not_found(client, db):
    response = client.get(reverse("calendar_feed", args=["not-a-real-token"]))

    assert response.status_code == 404


def test_a_feed_cannot_be_posted_to(client, plan, people):
    feed = create_calendar_feed(plan["programme"], by=people["board"])

    response = client.post(reverse("calendar_feed", args=[feed.token]))

    assert response.status_code == 405


def test_a_user_has_one_link_per_programme_and_one_of_their_own(plan, people):
    user = people["board"]
    first = create_calendar_feed(plan["programme"], by=user)
    assert create_calendar_feed(plan["programme"], by=user) == first
    create_calendar_feed(None, by=user)

    with pytest.raises(IntegrityError):
        CalendarFeed.objects.create(user=user, programme=None)


def test_the_database_refuses_a_second_link_for_the_same_programme(plan, people):
    CalendarFeed.objects.create(user=people["board"], programme=plan["programme"])

    with pytest.raises(IntegrityError):
        CalendarFeed.objects.create(user=people["board"], programme=plan["programme"])


def build_programme(size: int):
    """A programme with `size` times as many workstreams, milestones, decisions and meetings,
    and a board member who owns one milestone in each workstream."""
    programme = ProgrammeFactory()
    member = UserFactory()
    grant(member, Role.BOARD_MEMBER, programme=programme)
    areas = [AreaFactory(programme=programme) for _ in range(2)]
    for index in range(3 * size):
        workstream = WorkstreamFactory(
            area=areas[index % 2], lead=PersonFactory(organisation=programme.organisation)
        )
        milestones = [
            MilestoneFactory(workstream=workstream, owner=member.person),
            MilestoneFactory(workstream=workstream, kind="key_decision", forum="Cabinet"),
            MilestoneFactory(
                workstream=workstream,
                status="complete",
                actual_date=date(2026, 5, 1),
                baseline_date=date(2026, 5, 31),
                baseline_precision=DatePrecision.MONTH,
            ),
        ]
        meeting = BoardMeeting.objects.create(
            programme=programme,
            held_on=date(2026, 1, 1) + timedelta(days=30 * index),
            chair=PersonFactory(organisation=programme.organisation),
        )
        for number, milestone in enumerate(milestones[:2]):
            Decision.objects.create(
                programme=programme,
                workstream=workstream,
                reference=f"D{index}.{number}",
                title="Decide",
                needed_by=date(2026, 9, 1),
                milestone=milestone,
                meeting=meeting,
            )
    return programme, member


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("personal", [True, False])
def test_a_feed_runs_a_fixed_number_of_queries(
    client, db, size, personal, django_assert_max_num_queries
):
    programme, member = build_programme(size)
    feed = create_calendar_feed(None if personal else programme, by=member)

    # The feed with its user and programme, then the user's roles (a programme's feed), then
    # the milestones, and for a programme its decisions and meetings; for a person, the
    # meetings they are on the list of.
    with django_assert_max_num_queries(3 if personal else 5):
        calendar = fetch(client, feed)

    workstreams = 3 * size
    if personal:
        assert len(calendar.events) == workstreams
    else:
        # Three milestones, a meeting, and the decision on the ordinary milestone: the decision
        # on the key decision is the milestone's own.
        assert len(calendar.events) == workstreams * 5
