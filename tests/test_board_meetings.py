"""Board meetings: the programme's meetings, what a meeting must decide, the programme office
keeping the agenda, and the chair recording decisions made (DOMAIN.md sections 1, 2 and 5)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from programmes.choices import DatePrecision, Role
from programmes.dates import PlanDate
from risks.models import BoardMeeting, Decision, DecisionStatus
from risks.services.governance import board_business, falls_by, meetings_of
from tests import forms
from tests.clock import TODAY
from tests.factories import (
    MilestoneFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)
from tests.test_decisions import error_summary


def meeting_on(programme, held_on, **fields) -> BoardMeeting:
    return BoardMeeting.objects.create(programme=programme, held_on=held_on, **fields)


def decision(programme, reference, **fields) -> Decision:
    fields.setdefault("title", f"Decision {reference}")
    return Decision.objects.create(programme=programme, reference=reference, **fields)


def month(year: int, number: int) -> dict:
    plan_date = PlanDate.of_month(year, number)
    return {"value": plan_date.value, "precision": DatePrecision.MONTH}


def key_decision(workstream, reference, *, baseline=None, forecast=None, **fields):
    """A key-decision milestone; dates are days or month() dicts."""

    def date_fields(name, value):
        if value is None:
            return {f"{name}_date": None}
        if isinstance(value, dict):
            return {f"{name}_date": value["value"], f"{name}_precision": value["precision"]}
        return {f"{name}_date": value, f"{name}_precision": DatePrecision.DAY}

    fields.setdefault("kind", "key_decision")
    return MilestoneFactory(
        workstream=workstream,
        reference=reference,
        **date_fields("baseline", baseline),
        **date_fields("forecast", forecast),
        **fields,
    )


def record_form(decision, *, outcome="Agreed", made_on=None, version=None) -> dict[str, str]:
    prefix = f"record-{decision.pk}-"
    data = {
        f"{prefix}outcome": outcome,
        f"{prefix}version": str(version or decision.version),
    }
    data.update(forms.date_parts(f"{prefix}made_on", made_on))
    return data


# ----- Rules -----


@pytest.mark.parametrize(
    "plan_date, day, expected",
    [
        (PlanDate.of_day(date(2026, 5, 14)), date(2026, 5, 14), True),
        (PlanDate.of_day(date(2026, 5, 15)), date(2026, 5, 14), False),
        (PlanDate.of_month(2026, 5), date(2026, 5, 1), True),  # the month has started
        (PlanDate.of_month(2026, 5), date(2026, 4, 30), False),
    ],
)
def test_a_month_falls_by_a_day_once_it_has_started(plan_date, day, expected):
    assert falls_by(plan_date, day) is expected


# ----- The list of meetings -----


def test_the_list_shows_upcoming_meetings_soonest_first_then_past_ones_latest_first(
    client, people, plan
):
    programme = plan["programme"]
    chair = people["board"].person
    long_ago = meeting_on(programme, TODAY - timedelta(days=60), title="Board long ago")
    last = meeting_on(programme, TODAY - timedelta(days=30), title="Board last month")
    today = meeting_on(programme, TODAY, title="Board today", chair=chair)
    later = meeting_on(programme, TODAY + timedelta(days=30), title="Board next month")
    decision(programme, "D1", meeting=today)
    decision(programme, "D2", meeting=today)
    decision(programme, "D3", meeting=last)
    meeting_on(ProgrammeFactory(), TODAY, title="Another programme's board")

    upcoming, past = meetings_of(programme, TODAY)
    assert upcoming == [today, later] and past == [last, long_ago]
    assert [m.agenda_size for m in upcoming + past] == [2, 0, 1, 0]

    client.force_login(people["lead"])
    html = client.get(reverse("meeting_list", args=[programme.pk])).content.decode()
    titles = re.findall(r"(Board [a-z ]+|Another programme's board)<span", html)
    assert titles == ["Board today", "Board next month", "Board last month", "Board long ago"]
    row = html[html.find("Board today<span") :]
    row = row[: row.find("</tr>")]
    assert chair.name in row and ">2</td>" in row
    assert reverse("meeting_detail", args=[today.pk]) in html
    assert reverse("meeting_add", args=[programme.pk]) not in html  # the lead may not add


def test_the_office_sees_the_button_to_add_a_meeting(client, people, plan):
    client.force_login(people["office"])
    html = client.get(reverse("meeting_list", args=[plan["programme"].pk])).content.decode()
    assert reverse("meeting_add", args=[plan["programme"].pk]) in html


# ----- What a meeting must decide -----


@pytest.fixture
def agenda(plan):
    """A meeting on 14 Apr 2026, the next on 12 May 2026, and every kind of decision and
    key-decision milestone, each in or out for a reason."""
    programme = plan["programme"]
    ws_one, ws_two = plan["ws_1_1"], plan["ws_2_1"]
    earlier = meeting_on(programme, date(2026, 3, 10))
    meeting = meeting_on(programme, date(2026, 4, 14))
    later = meeting_on(programme, date(2026, 5, 12))
    other = ProgrammeFactory()

    on_agenda = {
        "made": decision(
            programme,
            "A1",
            meeting=meeting,
            status=DecisionStatus.MADE,
            made_on=date(2026, 4, 14),
            outcome="Agreed",
        ),
        "pending, needed 30 Apr": decision(
            programme, "A2", meeting=meeting, needed_by=date(2026, 4, 30)
        ),
        "deferred": decision(programme, "A3", meeting=meeting, status=DecisionStatus.DEFERRED),
        "pending, no date": decision(programme, "A4", meeting=meeting),
    }
    key_decisions = {
        "overdue": key_decision(ws_one, "K1", baseline=date(2026, 4, 1)),
        "due a month after the meeting": key_decision(ws_one, "K2", baseline=date(2026, 5, 14)),
        "due a month and a day after": key_decision(ws_one, "K3", baseline=date(2026, 5, 15)),
        "due in the month of the cut-off": key_decision(ws_two, "K4", baseline=month(2026, 5)),
        "due the month after": key_decision(ws_two, "K5", baseline=month(2026, 6)),
        "forecast beyond": key_decision(
            ws_two, "K6", baseline=date(2026, 4, 1), forecast=date(2026, 5, 20)
        ),
        "forecast within": key_decision(
            ws_two, "K7", baseline=date(2026, 6, 30), forecast=date(2026, 5, 1)
        ),
        "complete": key_decision(
            ws_one,
            "K8",
            baseline=date(2026, 4, 1),
            status="complete",
            actual_date=date(2026, 4, 2),
        ),
        "not a key decision": key_decision(
            ws_one, "K9", baseline=date(2026, 4, 1), kind="milestone"
        ),
        "another programme's": key_decision(
            WorkstreamFactory(area__programme=other), "K10", baseline=date(2026, 4, 1)
        ),
        "no date": key_decision(ws_one, "K11"),
    }
    unscheduled = {
        "needed the day before the next meeting": decision(
            programme, "U1", needed_by=date(2026, 5, 11)
        ),
        "needed on the day of the next meeting": decision(
            programme, "U2", needed_by=date(2026, 5, 12)
        ),
        "needed in the month of the next meeting": decision(
            programme, "U3", needed_by=date(2026, 5, 31), needed_by_precision="month"
        ),
        "needed the month after": decision(
            programme, "U4", needed_by=date(2026, 6, 30), needed_by_precision="month"
        ),
        "made": decision(
            programme,
            "U5",
            needed_by=date(2026, 5, 1),
            status=DecisionStatus.MADE,
            made_on=date(2026, 4, 1),
            outcome="Agreed",
        ),
        "deferred, overdue": decision(
            programme, "U6", needed_by=date(2026, 3, 1), status=DecisionStatus.DEFERRED
        ),
        "not decided at an earlier meeting": decision(
            programme, "U7", needed_by=date(2026, 5, 1), meeting=earlier
        ),
        "on the next meeting's agenda": decision(
            programme, "U10", needed_by=date(2026, 5, 1), meeting=later
        ),
        "no date": decision(programme, "U8"),
        "another programme's": decision(other, "U9", needed_by=date(2026, 5, 1)),
    }
    return {
        "meeting": meeting,
        "agenda": on_agenda,
        "key_decisions": key_decisions,
        "unscheduled": unscheduled,
    }


def references_in(html: str, start: str, end: str | None, url_name: str) -> list[str]:
    """The references linked to `url_name` pages in one section of the page, in order."""
    section = html[html.find(f'id="{start}"') : html.find(f'id="{end}"') if end else None]
    pattern = rf'href="/{url_name}/\d+/">([A-Z]\d+)'
    return re.findall(pattern, section)


def test_the_meeting_lists_exactly_what_the_board_must_decide(client, people, agenda):
    meeting, made = agenda["meeting"], agenda["agenda"]
    business = board_business(meeting)

    assert [d.reference for d in business.agenda] == ["A2", "A4", "A3", "A1"]
    assert [m.reference for m in business.key_decisions] == ["K1", "K7", "K2", "K4"]
    assert [d.reference for d in business.unscheduled] == ["U6", "U7", "U1", "U3"]
    assert business.next_meeting.held_on == date(2026, 5, 12)

    client.force_login(people["board"])
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert references_in(html, "agenda", "key-decisions", "decisions") == [
        "A2",
        "A4",
        "A3",
        "A1",
    ]
    assert references_in(html, "key-decisions", "unscheduled", "milestones") == [
        "K1",
        "K7",
        "K2",
        "K4",
    ]
    assert references_in(html, "unscheduled", "history", "decisions") == ["U6", "U7", "U1", "U3"]
    assert made["made"].outcome in html


def test_with_no_later_meeting_decisions_needed_within_the_month_are_listed(plan):
    programme = plan["programme"]
    meeting = meeting_on(programme, date(2026, 4, 14))
    decision(programme, "U1", needed_by=date(2026, 5, 14))
    decision(programme, "U2", needed_by=date(2026, 5, 15))
    business = board_business(meeting)
    assert business.next_meeting is None
    assert [d.reference for d in business.unscheduled] == ["U1"]


def test_key_decisions_show_the_decision_recorded_for_them(client, people, plan):
    programme = plan["programme"]
    meeting = meeting_on(programme, date(2026, 4, 14))
    milestone = key_decision(plan["ws_1_1"], "K1", baseline=date(2026, 4, 30))
    bare = key_decision(plan["ws_1_1"], "K2", baseline=date(2026, 4, 30))
    decision(programme, "D1", milestone=milestone, workstream=plan["ws_1_1"], meeting=meeting)
    client.force_login(people["office"])
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "D1</a>, on this agenda" in html
    assert f"{reverse('decision_add', args=[programme.pk])}?milestone={bare.pk}" in html


# ----- The agenda -----


def test_the_office_puts_a_decision_on_the_agenda_and_takes_it_off(client, people, plan):
    programme = plan["programme"]
    meeting = meeting_on(programme, TODAY + timedelta(days=7))
    item = decision(programme, "D1", needed_by=TODAY + timedelta(days=10))
    client.force_login(people["office"])
    url = reverse("meeting_agenda", args=[meeting.pk])

    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Put on this agenda" in page  # offered among those needed before the next meeting

    assert client.post(url, {"action": "add", "decision": item.pk}).status_code == 302
    item.refresh_from_db()
    assert item.meeting == meeting
    page = client.get(reverse("decision_detail", args=[item.pk])).content.decode()
    assert f"Put on the agenda of {meeting.title}, {meeting.held_on:%-d %b %Y}" in page

    assert client.post(url, {"action": "remove", "decision": item.pk}).status_code == 302
    item.refresh_from_db()
    assert item.meeting is None


def test_a_made_decision_is_not_put_on_an_agenda_nor_taken_off_one(client, people, plan):
    programme = plan["programme"]
    meeting = meeting_on(programme, TODAY)
    made_here = decision(
        programme, "D1", meeting=meeting, status="made", made_on=TODAY, outcome="Agreed"
    )
    made_elsewhere = decision(programme, "D2", status="made", made_on=TODAY, outcome="Agreed")
    client.force_login(people["office"])
    url = reverse("meeting_agenda", args=[meeting.pk])

    response = client.post(url, {"action": "add", "decision": made_elsewhere.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in error_summary(response.content.decode())
    made_elsewhere.refresh_from_db()
    assert made_elsewhere.meeting is None

    response = client.post(url, {"action": "remove", "decision": made_here.pk}, follow=True)
    assert "stays on the record of the meeting" in response.content.decode()
    made_here.refresh_from_db()
    assert made_here.meeting == meeting


# ----- Recording a decision made -----


def test_the_chair_records_a_decision_made_at_the_meeting(client, people, plan):
    programme = plan["programme"]
    board = people["board"]
    meeting = meeting_on(programme, TODAY - timedelta(days=1), chair=board.person)
    item = decision(programme, "D1", meeting=meeting, workstream=plan["ws_1_1"])
    client.force_login(board)

    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Record D1 as made" in page
    held = meeting.held_on
    assert (
        f'name="record-{item.pk}-made_on_0" type="text" inputmode="numeric" value="{held.day}"'
        in page
    )

    response = client.post(
        reverse("decision_record", args=[meeting.pk, item.pk]),
        record_form(item, outcome="Agreed: consult for 12 weeks", made_on=held),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == DecisionStatus.MADE
    assert item.made_on == held and item.outcome == "Agreed: consult for 12 weeks"
    record = item.history.first()
    assert record.history_user == board
    assert record.history_change_reason == f"Recorded as made at {meeting}"

    page = client.get(reverse("decision_detail", args=[item.pk])).content.decode()
    assert "Status changed from Pending to Made" in page
    assert f"Reason: Recorded as made at {meeting}" in page


@pytest.mark.parametrize(
    "outcome, made_on, message",
    [
        ("", "meeting", "Enter the outcome: what was decided"),
        ("Agreed", None, "Enter the date the decision was made"),
        ("Agreed", "tomorrow", "The date the decision was made must be today or in the past"),
    ],
    ids=["no outcome", "no date", "a date in the future"],
)
def test_a_record_breaking_a_rule_is_refused_and_nothing_changes(
    client, people, plan, outcome, made_on, message
):
    meeting = meeting_on(plan["programme"], TODAY, chair=people["board"].person)
    item = decision(plan["programme"], "D1", meeting=meeting)
    day = {"meeting": meeting.held_on, "tomorrow": TODAY + timedelta(days=1), None: None}[made_on]
    client.force_login(people["board"])
    response = client.post(
        reverse("decision_record", args=[meeting.pk, item.pk]),
        record_form(item, outcome=outcome, made_on=day),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in error_summary(html)
    assert f'href="#id_record-{item.pk}-' in error_summary(html)
    stored = Decision.objects.get(pk=item.pk)
    assert stored.status == DecisionStatus.PENDING and stored.history.count() == 1


def test_decisions_are_recorded_once_the_meeting_is_held(client, people, plan):
    meeting = meeting_on(plan["programme"], TODAY + timedelta(days=3), chair=people["board"].person)
    item = decision(plan["programme"], "D1", meeting=meeting)
    client.force_login(people["board"])
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Record D1 as made" not in page
    assert "You can record the decisions made at this meeting from" in page
    response = client.post(
        reverse("decision_record", args=[meeting.pk, item.pk]), record_form(item, made_on=TODAY)
    )
    assert response.status_code == 400
    assert "record its decisions once it is held" in error_summary(response.content.decode())
    assert Decision.objects.get(pk=item.pk).status == DecisionStatus.PENDING


def test_a_decision_already_made_is_not_recorded_again(client, people, plan):
    meeting = meeting_on(plan["programme"], TODAY, chair=people["board"].person)
    item = decision(
        plan["programme"], "D1", meeting=meeting, status="made", made_on=TODAY, outcome="Agreed"
    )
    client.force_login(people["board"])
    response = client.post(
        reverse("decision_record", args=[meeting.pk, item.pk]),
        record_form(item, outcome="Something else", made_on=TODAY),
    )
    assert response.status_code == 400
    assert "already recorded as made" in error_summary(response.content.decode())
    assert Decision.objects.get(pk=item.pk).outcome == "Agreed"


def test_a_decision_on_another_agenda_is_not_found_at_this_meeting(client, people, plan):
    meeting = meeting_on(plan["programme"], TODAY, chair=people["board"].person)
    elsewhere = meeting_on(plan["programme"], TODAY - timedelta(days=30))
    item = decision(plan["programme"], "D1", meeting=elsewhere)
    client.force_login(people["board"])
    response = client.post(
        reverse("decision_record", args=[meeting.pk, item.pk]), record_form(item, made_on=TODAY)
    )
    assert response.status_code == 404
    assert Decision.objects.get(pk=item.pk).status == DecisionStatus.PENDING


def test_a_record_made_from_a_stale_page_is_refused_with_the_other_change_shown(
    client, people, plan
):
    meeting = meeting_on(plan["programme"], TODAY, chair=people["board"].person)
    item = decision(plan["programme"], "D1", meeting=meeting)
    seen = record_form(item, outcome="Agreed as proposed", made_on=TODAY)
    changed = Decision.objects.get(pk=item.pk)
    changed.title = "Close the day centre"
    changed.save()

    client.force_login(people["board"])
    response = client.post(reverse("decision_record", args=[meeting.pk, item.pk]), seen)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed this decision while you were editing it" in error_summary(html)
    assert "Agreed as proposed" in html
    assert Decision.objects.get(pk=item.pk).status == DecisionStatus.PENDING


# ----- Adding and changing meetings -----


def meeting_form(**overrides) -> dict[str, str]:
    data = {"title": "Programme Board", "chair": "", "location": "Civic Centre", "minutes": ""}
    data.update(forms.date_parts("held_on", overrides.pop("held_on", date(2026, 6, 9))))
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def test_the_office_adds_a_meeting_chaired_by_a_board_member(client, people, plan):
    programme = plan["programme"]
    chair = people["board"].person
    client.force_login(people["office"])
    response = client.post(
        reverse("meeting_add", args=[programme.pk]), meeting_form(chair=chair.pk)
    )
    assert response.status_code == 302
    meeting = BoardMeeting.objects.get(programme=programme)
    assert meeting.chair == chair and meeting.held_on == date(2026, 6, 9)
    assert meeting.history.get().history_user == people["office"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"held_on": None}, "Enter the date of the meeting"),
        ({"held_on": (31, 2, 2026)}, "Date of the meeting must be a real date"),
        ({"title": ""}, "Enter the meeting's title"),
    ],
    ids=["no date", "no such date", "no title"],
)
def test_a_meeting_breaking_a_rule_is_not_saved(client, people, plan, changes, message):
    client.force_login(people["office"])
    response = client.post(
        reverse("meeting_add", args=[plan["programme"].pk]), meeting_form(**changes)
    )
    assert response.status_code == 400
    assert message in error_summary(response.content.decode())
    assert not BoardMeeting.objects.exists()


def test_the_chair_is_a_board_member_or_someone_in_the_organisation(client, people, plan):
    programme = plan["programme"]
    stranger = PersonFactory(organisation=OrganisationFactory(), name="Someone Elsewhere")
    visiting = UserFactory()
    grant(visiting, Role.BOARD_MEMBER, programme=ProgrammeFactory())
    visiting.person.name = "Visiting Board Member"
    visiting.person.save()
    grant(visiting, Role.BOARD_MEMBER, programme=programme)
    PersonFactory(organisation=programme.organisation, name="A Colleague")
    client.force_login(people["office"])
    html = client.get(reverse("meeting_add", args=[programme.pk])).content.decode()
    assert "Visiting Board Member (board member)" in html
    assert f"{people['board'].person.name} (board member)" in html
    assert "A Colleague<" in html
    assert "Someone Elsewhere" not in html
    assert html.find("(board member)") < html.find("A Colleague")

    response = client.post(
        reverse("meeting_add", args=[programme.pk]), meeting_form(chair=stranger.pk)
    )
    assert response.status_code == 400
    assert "Select a valid choice" in error_summary(response.content.decode())
    assert not BoardMeeting.objects.exists()


def test_the_office_changes_a_meeting(client, people, plan):
    meeting = meeting_on(plan["programme"], date(2026, 6, 9))
    client.force_login(people["office"])
    response = client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        meeting_form(
            held_on=date(2026, 6, 16), minutes="Agreed D1 and D2.", version=meeting.version
        ),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.held_on == date(2026, 6, 16) and meeting.minutes == "Agreed D1 and D2."
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Held on changed from 9 Jun 2026 to 16 Jun 2026" in page


# ----- Queries -----


def build_meetings(size: int):
    programme = ProgrammeFactory()
    chair_user = UserFactory()
    grant(chair_user, Role.BOARD_MEMBER, programme=programme)
    office = UserFactory()
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    meetings = [
        meeting_on(programme, TODAY + timedelta(days=28 * (n - size)), chair=chair_user.person)
        for n in range(2 * size)
    ]
    meeting = meetings[size - 1]  # held in the past
    for index in range(3 * size):
        workstream = WorkstreamFactory(area__programme=programme)
        milestone = key_decision(
            workstream, f"K{index}", baseline=meeting.held_on + timedelta(days=index)
        )
        decision(programme, f"A{index}", meeting=meeting, milestone=milestone)
        decision(programme, f"U{index}", needed_by=meeting.held_on + timedelta(days=index))
        decision(programme, f"O{index}", meeting=meetings[-1])
    return programme, meeting, {"chair": chair_user, "office": office}


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize(
    "page, who, most",
    [
        ("meeting_list", "office", 7),
        # Issue 14: the agenda items, actions, people, papers, approved reports and their
        # histories, and the latest board pack, one query each (tests/test_meetings.py fills
        # them in)
        ("meeting_detail", "office", 22),
        ("meeting_detail", "chair", 21),
        ("meeting_add", "office", 7),
        ("meeting_edit", "office", 7),
    ],
)
def test_each_meeting_page_runs_a_fixed_number_of_queries(
    client, db, size, page, who, most, django_assert_max_num_queries
):
    programme, meeting, users = build_meetings(size)
    client.force_login(users[who])
    on_programme = page in ("meeting_list", "meeting_add")
    url = reverse(page, args=[programme.pk if on_programme else meeting.pk])
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200
    if page == "meeting_detail":
        html = response.content.decode()
        assert html.count("Record A") == 3 * size  # a form for each decision on the agenda
