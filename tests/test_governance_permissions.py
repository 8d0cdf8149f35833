"""Every page that changes decisions or board meetings, for every role: allowed as DOMAIN.md
section 2 says, and denied with nothing changed. The decision log is the programme office's
anywhere and a project manager's within their area; meetings are the programme office's; a
decision is recorded as made at a meeting by the programme office or the board member who
chairs it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from programmes.choices import Role
from risks.models import BoardMeeting, Decision, DecisionStatus
from tests import forms
from tests.clock import TODAY
from tests.factories import PersonFactory, UserFactory, grant
from tests.made_once import world_made_once
from tests.test_decisions import decision_form

ROLES = ["board", "sponsor", "manager", "lead", "other_lead", "office", "outsider", "admin"]


@world_made_once
def world(plan, people):
    """A meeting held yesterday, chaired by the board member, with a pending decision on its
    agenda; decisions at programme level and in each area; another decision to schedule."""
    programme = plan["programme"]
    meeting = BoardMeeting.objects.create(
        programme=programme,
        held_on=TODAY - timedelta(days=1),
        chair=people["board"].person,
    )

    def decision(reference, **fields):
        return Decision.objects.create(
            programme=programme, reference=reference, title=f"Decision {reference}", **fields
        )

    return {
        "programme": programme,
        "meeting": meeting,
        "on_agenda": decision("A1", meeting=meeting, workstream=plan["ws_1_1"]),
        "programme_level": decision("P1"),
        "area_one": decision("W1", workstream=plan["ws_1_1"]),
        "area_two": decision("W2", workstream=plan["ws_2_1"]),
        "to_schedule": decision("S1", needed_by=TODAY + timedelta(days=20)),
    }


def meeting_data(**overrides):
    data = {"title": "Programme Board", "chair": "", "location": "", "minutes": ""}
    data.update(forms.date_parts("held_on", overrides.pop("held_on", date(2026, 6, 9))))
    data.update(overrides)
    return data


def stored(decision) -> Decision:
    return Decision.objects.get(pk=decision.pk)


def request_for(case, world, plan):
    """(url, POST data, has it changed?) for each write."""
    programme = world["programme"]
    meeting = world["meeting"]
    if case == "add a programme-level decision":
        return (
            reverse("decision_add", args=[programme.pk]),
            decision_form(reference="NEW"),
            lambda: Decision.objects.filter(reference="NEW").exists(),
        )
    if case == "add a decision in area one":
        return (
            reverse("decision_add", args=[programme.pk]),
            decision_form(reference="NEW", workstream=plan["ws_1_1"].pk),
            lambda: Decision.objects.filter(reference="NEW").exists(),
        )
    if case == "add a decision in area two":
        return (
            reverse("decision_add", args=[programme.pk]),
            decision_form(reference="NEW", workstream=plan["ws_2_1"].pk),
            lambda: Decision.objects.filter(reference="NEW").exists(),
        )
    for key in ("programme_level", "area_one", "area_two"):
        if case == f"change a decision ({key.replace('_', ' ')})":
            decision = world[key]
            workstream = decision.workstream_id or ""
            return (
                reverse("decision_edit", args=[decision.pk]),
                decision_form(
                    reference=decision.reference,
                    title="Renamed",
                    workstream=workstream,
                    version=decision.version,
                ),
                lambda decision=decision: stored(decision).title == "Renamed",
            )
    if case == "add a board meeting":
        return (
            reverse("meeting_add", args=[programme.pk]),
            meeting_data(title="Extra board"),
            lambda: BoardMeeting.objects.filter(title="Extra board").exists(),
        )
    if case == "change a board meeting":
        return (
            reverse("meeting_edit", args=[meeting.pk]),
            meeting_data(held_on=meeting.held_on, location="Room 3", version=meeting.version),
            lambda: BoardMeeting.objects.get(pk=meeting.pk).location == "Room 3",
        )
    if case == "put a decision on the agenda":
        return (
            reverse("meeting_agenda", args=[meeting.pk]),
            {"action": "add", "decision": world["to_schedule"].pk},
            lambda: stored(world["to_schedule"]).meeting_id == meeting.pk,
        )
    if case == "take a decision off the agenda":
        return (
            reverse("meeting_agenda", args=[meeting.pk]),
            {"action": "remove", "decision": world["on_agenda"].pk},
            lambda: stored(world["on_agenda"]).meeting_id is None,
        )
    if case == "record a decision made at the meeting":
        decision = world["on_agenda"]
        prefix = f"record-{decision.pk}-"
        return (
            reverse("decision_record", args=[meeting.pk, decision.pk]),
            {
                f"{prefix}outcome": "Agreed",
                f"{prefix}version": str(decision.version),
                **forms.date_parts(f"{prefix}made_on", meeting.held_on),
            },
            lambda: stored(decision).status == DecisionStatus.MADE,
        )
    raise AssertionError(case)


# (roles allowed, roles refused otherwise than 403/404). Everyone else gets 403, or 404 when
# they cannot see the programme. A project manager choosing a workstream outside their area
# is refused by the form: it is not one of their choices.
CASES = {
    "add a programme-level decision": ({"office", "admin"}, {"manager": "400"}),
    "add a decision in area one": ({"manager", "office", "admin"}, {}),
    "add a decision in area two": ({"office", "admin"}, {"manager": "400"}),
    "change a decision (programme level)": ({"office", "admin"}, {}),
    "change a decision (area one)": ({"manager", "office", "admin"}, {}),
    "change a decision (area two)": ({"office", "admin"}, {}),
    "add a board meeting": ({"office", "admin"}, {}),
    "change a board meeting": ({"office", "admin"}, {}),
    "put a decision on the agenda": ({"office", "admin"}, {}),
    "take a decision off the agenda": ({"office", "admin"}, {}),
    "record a decision made at the meeting": ({"board", "office", "admin"}, {}),
}


def outcome(response) -> str:
    return "allowed" if response.status_code in (200, 302) else str(response.status_code)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_change_exactly_what_it_should(client, people, plan, world, case, role):
    url, data, changed = request_for(case, world, plan)
    allowed, other_refusals = CASES[case]
    client.force_login(people[role])
    response = client.post(url, data)
    if role in allowed:
        assert response.status_code == 302, (role, case, response.content[:3000])
        assert changed(), (role, case)
    else:
        expected = other_refusals.get(role) or ("404" if role == "outsider" else "403")
        assert outcome(response) == expected, (role, case)
        assert not changed(), (role, case)


# The pages with the forms are refused as their writes are.
FORM_PAGES = {
    "decision_add": {"manager", "office", "admin"},
    "decision_edit": {"office", "admin"},  # of a programme-level decision
    "meeting_add": {"office", "admin"},
    "meeting_edit": {"office", "admin"},
}


@pytest.mark.parametrize("page", list(FORM_PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_each_form_page_is_shown_only_to_those_who_may_use_it(client, people, world, page, role):
    target = {
        "decision_add": world["programme"].pk,
        "decision_edit": world["programme_level"].pk,
        "meeting_add": world["programme"].pk,
        "meeting_edit": world["meeting"].pk,
    }[page]
    client.force_login(people[role])
    response = client.get(reverse(page, args=[target]))
    if role in FORM_PAGES[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == (404 if role == "outsider" else 403)


@pytest.mark.parametrize(
    "page",
    ["decision_detail", "meeting_detail", "meeting_list"],
)
@pytest.mark.parametrize("role", ROLES)
def test_everyone_in_the_programme_sees_the_pages_and_nobody_else(
    client, people, world, page, role
):
    target = {
        "decision_detail": world["on_agenda"].pk,
        "meeting_detail": world["meeting"].pk,
        "meeting_list": world["programme"].pk,
    }[page]
    client.force_login(people[role])
    response = client.get(reverse(page, args=[target]))
    assert response.status_code == (404 if role == "outsider" else 200)


# ----- Recording a decision made: the chair, and nobody else on the board -----


def record(client, user, meeting, decision):
    prefix = f"record-{decision.pk}-"
    client.force_login(user)
    return client.post(
        reverse("decision_record", args=[meeting.pk, decision.pk]),
        {
            f"{prefix}outcome": "Agreed",
            f"{prefix}version": str(decision.version),
            **forms.date_parts(f"{prefix}made_on", meeting.held_on),
        },
    )


def test_a_board_member_who_chairs_the_meeting_may_record_a_decision_made_at_it(
    client, people, world
):
    response = record(client, people["board"], world["meeting"], world["on_agenda"])
    assert response.status_code == 302
    decision = stored(world["on_agenda"])
    assert decision.status == DecisionStatus.MADE
    assert decision.history.first().history_user == people["board"]


def test_a_board_member_who_does_not_chair_the_meeting_may_not(client, people, plan, world):
    other_member = UserFactory()
    grant(other_member, Role.BOARD_MEMBER, programme=plan["programme"])
    response = record(client, other_member, world["meeting"], world["on_agenda"])
    assert response.status_code == 403
    decision = stored(world["on_agenda"])
    assert decision.status == DecisionStatus.PENDING and decision.outcome == ""
    assert decision.history.count() == 1

    client.force_login(other_member)
    page = client.get(reverse("meeting_detail", args=[world["meeting"].pk])).content.decode()
    assert "Record A1 as made" not in page


def test_a_sponsor_may_not_record_a_decision_made(client, people, world):
    response = record(client, people["sponsor"], world["meeting"], world["on_agenda"])
    assert response.status_code == 403
    assert stored(world["on_agenda"]).status == DecisionStatus.PENDING


def test_the_chair_of_one_meeting_may_not_record_at_another(client, people, plan, world):
    other = BoardMeeting.objects.create(
        programme=plan["programme"], held_on=TODAY - timedelta(days=2)
    )
    decision = Decision.objects.create(
        programme=plan["programme"], reference="A2", title="Another", meeting=other
    )
    assert record(client, people["board"], other, decision).status_code == 403
    assert stored(decision).status == DecisionStatus.PENDING


def test_a_chair_without_a_role_in_the_programme_sees_nothing(client, people, world):
    meeting = world["meeting"]
    outsider = people["outsider"]
    meeting.chair = PersonFactory(organisation=world["programme"].organisation, user=outsider)
    meeting.save()
    assert record(client, outsider, meeting, world["on_agenda"]).status_code == 404
    assert stored(world["on_agenda"]).status == DecisionStatus.PENDING


def test_the_chair_may_not_keep_the_agenda_or_change_the_meeting(client, people, world):
    meeting = world["meeting"]
    client.force_login(people["board"])
    response = client.post(
        reverse("meeting_agenda", args=[meeting.pk]),
        {"action": "add", "decision": world["to_schedule"].pk},
    )
    assert response.status_code == 403
    assert stored(world["to_schedule"]).meeting is None
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Put on the agenda" not in page and "Take off the agenda" not in page
    assert reverse("meeting_edit", args=[meeting.pk]) not in page
