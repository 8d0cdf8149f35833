"""The action log (issue 14, part 2; DOMAIN.md section 7): actions arising from a meeting (or
one of its items) or standing alone, kept by the programme office; the owner's updates and
marking done; overdue actions on the owner's My work; the programme's list of actions, which
filters and downloads like every list."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programmes.choices import Role
from risks.models import ActionItem, ActionNote, AgendaItem, BoardMeeting
from tests import forms
from tests.clock import TODAY
from tests.factories import PersonFactory, ProgrammeFactory, UserFactory, grant
from tests.html_forms import error_by, form_with


@pytest.fixture
def meeting(plan):
    return BoardMeeting.objects.create(programme=plan["programme"], held_on=TODAY - timedelta(7))


@pytest.fixture
def elsewhere():
    user = UserFactory(username="office_elsewhere")
    grant(user, Role.PROGRAMME_OFFICE, programme=ProgrammeFactory())
    return user


def action_form(**fields) -> dict[str, str]:
    data = {
        "description": fields.get("description", "Book the venue"),
        "owner": str(fields["owner"].pk),
        "meeting": str(fields["meeting"].pk) if fields.get("meeting") else "",
        "agenda_item": str(fields["item"].pk) if fields.get("item") else "",
    }
    data.update(forms.date_parts("due_date", fields.get("due", TODAY + timedelta(days=7))))
    if "status" in fields:
        data["status"] = fields["status"]
    if "version" in fields:
        data["version"] = str(fields["version"])
    return data


def make_action(programme, owner, *, number=None, due=None, **fields) -> ActionItem:
    number = number or ActionItem.objects.filter(programme=programme).count() + 1
    return ActionItem.objects.create(
        programme=programme,
        number=number,
        description=fields.pop("description", f"Action number {number}"),
        owner=owner,
        due_date=due or TODAY + timedelta(days=7),
        **fields,
    )


# ----- Adding and changing actions: the programme office -----


def test_the_office_adds_actions_numbered_in_the_programmes_order(client, people, plan, meeting):
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="The new venue")
    client.force_login(people["office"])
    url = reverse("action_add", args=[plan["programme"].pk])
    owner = people["lead"].person

    response = client.post(url, action_form(owner=owner, item=item))  # the item's meeting
    assert response.status_code == 302
    assert response["Location"] == reverse("meeting_detail", args=[meeting.pk]) + (
        f"#item-{item.pk}"
    )
    assert client.post(url, action_form(owner=owner, description="Standing")).status_code == 302

    first, second = ActionItem.objects.order_by("number")
    assert (first.reference, first.meeting, first.agenda_item) == ("A1", meeting, item)
    assert (second.reference, second.meeting, second.status) == ("A2", None, "open")
    html = client.get(reverse("action_detail", args=[first.pk])).content.decode()
    assert "Added to the action log" in html


def test_a_new_action_from_a_meetings_item_opens_with_them_chosen(client, people, plan, meeting):
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="The new venue")
    client.force_login(people["office"])
    url = reverse("action_add", args=[plan["programme"].pk])
    html = client.get(f"{url}?meeting={meeting.pk}&item={item.pk}").content.decode()
    form = form_with(html, "description")
    assert form.shown("meeting") == str(meeting.pk)
    assert form.shown("agenda_item") == str(item.pk)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"description": ""}, "id_description", "Describe the action"),
        ({"due": None}, "id_due_date_0", "Enter the due date"),
    ],
)
def test_an_action_breaking_a_rule_is_refused_by_the_field(
    client, people, plan, changes, field, message
):
    client.force_login(people["office"])
    data = action_form(owner=people["lead"].person, **changes)
    response = client.post(reverse("action_add", args=[plan["programme"].pk]), data)
    assert response.status_code == 400
    assert message in error_by(response.content.decode(), field.removesuffix("_0"))
    assert not ActionItem.objects.exists()


def test_an_owner_and_an_item_must_be_of_the_programme(client, people, plan, meeting):
    other_meeting = BoardMeeting.objects.create(programme=plan["programme"], held_on=TODAY)
    item = AgendaItem.objects.create(meeting=other_meeting, position=1, title="Elsewhere")
    client.force_login(people["office"])
    url = reverse("action_add", args=[plan["programme"].pk])
    response = client.post(url, action_form(owner=PersonFactory()))
    assert "Select a valid choice" in error_by(response.content.decode(), "id_owner")
    response = client.post(
        url, action_form(owner=people["lead"].person, meeting=meeting, item=item)
    )
    assert response.status_code == 400
    assert "Choose an item of the meeting chosen" in error_by(
        response.content.decode(), "id_agenda_item"
    )
    assert not ActionItem.objects.exists()


def test_closing_an_action_dates_it_and_opening_it_again_clears_the_date(client, people, plan):
    action = make_action(plan["programme"], people["lead"].person)
    client.force_login(people["office"])
    url = reverse("action_edit", args=[action.pk])
    data = action_form(owner=action.owner, status="dropped", version=action.version)
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.closed_on) == ("dropped", TODAY)

    data = action_form(owner=action.owner, status="open", version=action.version)
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.closed_on) == ("open", None)
    html = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "Status changed from Open to Dropped" in html
    assert "Status changed from Dropped to Open" in html


@pytest.mark.parametrize("who", ["board", "sponsor", "manager", "lead"])
def test_only_the_programme_office_adds_and_changes_actions(client, people, plan, who):
    action = make_action(plan["programme"], people["lead"].person)
    client.force_login(people[who])
    add = reverse("action_add", args=[plan["programme"].pk])
    edit = reverse("action_edit", args=[action.pk])
    assert client.get(add).status_code == 403
    assert client.post(add, action_form(owner=action.owner)).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.get(reverse("action_detail", args=[action.pk])).status_code == 200
    assert ActionItem.objects.count() == 1


def test_another_programmes_people_see_nothing_of_the_action_log(client, people, plan, elsewhere):
    action = make_action(plan["programme"], people["lead"].person)
    programme = plan["programme"]
    for user in (elsewhere, people["outsider"]):
        client.force_login(user)
        for url in (
            reverse("action_list", args=[programme.pk]),
            reverse("action_add", args=[programme.pk]),
            reverse("action_detail", args=[action.pk]),
            reverse("action_edit", args=[action.pk]),
        ):
            assert client.get(url).status_code == 404, url
        response = client.post(reverse("action_update", args=[action.pk]), {"note": "Hi"})
        assert response.status_code == 404
    assert not ActionNote.objects.exists()


# ----- The owner's updates -----


def test_the_owner_adds_an_update_and_marks_their_action_done(client, people, plan):
    action = make_action(plan["programme"], people["lead"].person)
    client.force_login(people["lead"])
    url = reverse("action_update", args=[action.pk])
    page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "Add an update" in page and "The action is done" in page
    assert "Change this action" not in page

    assert client.post(url, {"note": "Venue visited; lease drafted"}).status_code == 302
    assert client.post(url, {"note": "Lease signed", "done": "on"}).status_code == 302

    action.refresh_from_db()
    assert (action.status, action.closed_on) == ("done", TODAY)
    notes = list(action.notes.order_by("written_at").values_list("body", "author__username"))
    assert notes == [("Venue visited; lease drafted", "lead"), ("Lease signed", "lead")]
    page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "Lease signed" in page and "Status changed from Open to Done" in page
    assert "The action is done" not in page  # it is done: nothing left to mark

    response = client.post(url, {"note": "", "done": "on"})
    assert response.status_code == 400  # no longer offered, so nothing to do
    assert ActionNote.objects.count() == 2


def test_an_empty_update_is_refused_by_the_field(client, people, plan):
    action = make_action(plan["programme"], people["lead"].person)
    client.force_login(people["lead"])
    response = client.post(reverse("action_update", args=[action.pk]), {"note": "  "})
    assert response.status_code == 400
    assert error_by(response.content.decode(), "id_note") == (
        "Write an update, or mark the action as done"
    )
    assert not ActionNote.objects.exists()


@pytest.mark.parametrize("who", ["board", "other_lead", "manager"])
def test_someone_who_does_not_own_the_action_may_not_update_it(client, people, plan, who):
    action = make_action(plan["programme"], people["lead"].person)
    client.force_login(people[who])
    response = client.post(reverse("action_update", args=[action.pk]), {"note": "x", "done": "on"})
    assert response.status_code == 403
    assert (
        "Add an update"
        not in client.get(reverse("action_detail", args=[action.pk])).content.decode()
    )
    action.refresh_from_db()
    assert action.status == "open" and not ActionNote.objects.exists()


def test_the_office_may_update_any_action(client, people, plan):
    action = make_action(plan["programme"], people["lead"].person)
    client.force_login(people["office"])
    assert (
        client.post(reverse("action_update", args=[action.pk]), {"note": "Chased"}).status_code
        == 302
    )
    assert ActionNote.objects.get().author == people["office"]


# ----- My work -----


def test_an_overdue_action_is_on_its_owners_my_work_and_no_one_elses(client, people, plan):
    programme = plan["programme"]
    overdue = make_action(
        programme,
        people["lead"].person,
        description="Chase the provider",
        due=TODAY - timedelta(days=2),
    )
    make_action(programme, people["lead"].person, description="Not due yet")
    make_action(
        programme,
        people["lead"].person,
        description="Done already",
        due=TODAY - timedelta(days=5),
        status="done",
        closed_on=TODAY,
    )
    client.force_login(people["lead"])
    html = client.get(reverse("home")).content.decode()
    assert "Overdue actions from the action log (1)" in html
    assert reverse("action_detail", args=[overdue.pk]) in html
    assert "Chase the provider" in html
    assert "Not due yet" not in html and "Done already" not in html

    for who in ("other_lead", "office", "board"):
        client.force_login(people[who])
        assert "Chase the provider" not in client.get(reverse("home")).content.decode(), who


def test_an_owner_who_left_the_programme_no_longer_sees_its_actions(client, people, plan):
    make_action(
        plan["programme"],
        people["lead"].person,
        due=TODAY - timedelta(days=2),
        description="Chase the provider",
    )
    people["lead"].person.memberships.all().delete()
    client.force_login(people["lead"])
    assert "Chase the provider" not in client.get(reverse("home")).content.decode()


# ----- The list of actions: filters and downloads -----


@pytest.fixture
def log(people, plan, meeting):
    programme = plan["programme"]
    lead, manager = people["lead"].person, people["manager"].person
    actions = {
        "late": make_action(
            programme, lead, description="Late one", due=TODAY - timedelta(3), meeting=meeting
        ),
        "soon": make_action(programme, manager, description="Due soon", due=TODAY + timedelta(3)),
        "done": make_action(
            programme, lead, description="Done one", status="done", closed_on=TODAY, meeting=meeting
        ),
        "dropped": make_action(
            programme, manager, description="Dropped one", status="dropped", closed_on=TODAY
        ),
    }
    ActionNote.objects.create(
        action=actions["late"],
        body="Waiting for legal",
        author=people["lead"],
        written_at=timezone.now(),
    )
    return actions


def listed(client, programme, query: str = "") -> list[str]:
    response = client.get(reverse("action_list", args=[programme.pk]) + "?format=csv&" + query)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[1] for row in rows[1:]]


def test_the_list_shows_open_actions_unless_asked_and_filters_them(
    client, people, plan, log, meeting
):
    programme = plan["programme"]
    client.force_login(people["board"])
    assert listed(client, programme) == ["Late one", "Due soon"]  # open, soonest due first
    assert listed(client, programme, "status=") == [
        "Late one",
        "Due soon",
        "Done one",
        "Dropped one",
    ]
    assert listed(client, programme, "status=done") == ["Done one"]
    assert listed(client, programme, "overdue=yes") == ["Late one"]
    assert listed(client, programme, "overdue=no") == ["Due soon"]
    owner = people["manager"].person.pk
    assert listed(client, programme, f"status=&owner={owner}") == ["Due soon", "Dropped one"]
    assert listed(client, programme, f"status=&meeting={meeting.pk}") == ["Late one", "Done one"]
    assert listed(client, programme, "status=&q=drop") == ["Dropped one"]

    html = client.get(reverse("action_list", args=[programme.pk])).content.decode()
    assert "2 actions" in html and "Overdue" in html and "Waiting for legal" in html
    assert "Add an action" not in html  # the board keeps no log


def test_an_unknown_filter_value_shows_the_problem_not_other_rows(client, people, plan, log):
    client.force_login(people["office"])
    url = reverse("action_list", args=[plan["programme"].pk])
    response = client.get(url + "?overdue=maybe")
    assert response.status_code == 400
    assert "Late one" not in response.content.decode()


def test_the_list_downloads_as_csv_and_excel_with_what_it_shows(client, people, plan, log, meeting):
    programme = plan["programme"]
    client.force_login(people["office"])
    url = reverse("action_list", args=[programme.pk])
    response = client.get(url + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Reference",
        "Action",
        "Owner",
        "Due",
        "Status",
        "Overdue",
        "Closed on",
        "Arising from",
        "Latest update",
    ]
    late = rows[1]
    assert late[:3] == ["A1", "Late one", people["lead"].person.name]
    assert late[4:6] == ["Open", "Yes"]
    assert late[7].startswith(f"{meeting.title}, ")
    assert late[8].endswith("Waiting for legal")
    assert f"actions-{programme.reference}" in response["Content-Disposition"]

    response = client.get(url + "?format=xlsx&status=")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 5 and values[0][0] == "Reference"
    assert {row[1] for row in values[1:]} == {"Late one", "Due soon", "Done one", "Dropped one"}


def test_the_action_list_is_among_the_programmes_lists(client, people, plan):
    client.force_login(people["board"])
    html = client.get(reverse("decision_list", args=[plan["programme"].pk])).content.decode()
    assert reverse("action_list", args=[plan["programme"].pk]) in html


@pytest.mark.parametrize("size", [1, 4])
def test_the_action_list_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    programme = ProgrammeFactory()
    office = UserFactory()
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    for index in range(5 * size):
        owner = PersonFactory(organisation=programme.organisation)
        meeting = BoardMeeting.objects.create(programme=programme, held_on=TODAY)
        item = AgendaItem.objects.create(meeting=meeting, position=1, title=f"Item {index}")
        action = make_action(
            programme, owner, meeting=meeting, agenda_item=item, due=TODAY - timedelta(index)
        )
        ActionNote.objects.create(
            action=action, body="Note", author=office, written_at=timezone.now()
        )
    client.force_login(office)
    url = reverse("action_list", args=[programme.pk])
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    assert f"{5 * size} action" in response.content.decode()
    with django_assert_max_num_queries(10):
        assert client.get(url + "?format=csv").status_code == 200
