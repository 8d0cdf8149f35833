"""Issue 16, part 5: stakeholders with their interest and influence, the communications plan
(audience, message, channel, frequency, owner, next date), the owner's reminder on the due
date, and what was sent (recording it moves the next date on by the frequency)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes.choices import Role
from programmes.models import Programme
from risks.models import CommunicationItem, CommunicationSent, Lesson, Stakeholder
from risks.rules import Quadrant, next_communication_date, stakeholder_quadrant
from risks.services.communications import record_sent
from risks.services.lessons import ClosureDetails, close_programme
from risks.tasks import send_communication_reminders
from tests.clock import TODAY
from tests.factories import (
    AreaFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    grant,
)

# ----- The rules -----


@pytest.mark.parametrize(
    ("interest", "influence", "quadrant"),
    [
        (4, 4, Quadrant.MANAGE_CLOSELY),
        (5, 5, Quadrant.MANAGE_CLOSELY),
        (3, 4, Quadrant.KEEP_SATISFIED),
        (1, 5, Quadrant.KEEP_SATISFIED),
        (4, 3, Quadrant.KEEP_INFORMED),
        (5, 1, Quadrant.KEEP_INFORMED),
        (3, 3, Quadrant.MONITOR),
        (1, 1, Quadrant.MONITOR),
    ],
)
def test_where_a_stakeholder_sits_on_the_grid(interest, influence, quadrant):
    assert stakeholder_quadrant(interest, influence) == quadrant


@pytest.mark.parametrize(("interest", "influence"), [(0, 3), (3, 6), (6, 6)])
def test_interest_and_influence_outside_one_to_five_are_refused(interest, influence):
    with pytest.raises(ValueError):
        stakeholder_quadrant(interest, influence)


@pytest.mark.parametrize(
    ("frequency", "due", "sent_on", "expected"),
    [
        # Sent on the day: one step on.
        ("monthly", date(2026, 11, 18), date(2026, 11, 18), date(2026, 12, 18)),
        ("weekly", date(2026, 11, 18), date(2026, 11, 18), date(2026, 11, 25)),
        ("fortnightly", date(2026, 11, 18), date(2026, 11, 18), date(2026, 12, 2)),
        ("quarterly", date(2026, 11, 18), date(2026, 11, 18), date(2027, 2, 18)),
        ("two_monthly", date(2026, 11, 18), date(2026, 11, 18), date(2027, 1, 18)),
        ("six_monthly", date(2026, 11, 18), date(2026, 11, 18), date(2027, 5, 18)),
        ("yearly", date(2026, 11, 18), date(2026, 11, 18), date(2027, 11, 18)),
        # Sent early: the next is still one step from the due date.
        ("monthly", date(2026, 11, 18), date(2026, 11, 10), date(2026, 12, 18)),
        # Sent a day late: one step; months late: the first date still to come.
        ("monthly", date(2026, 11, 18), date(2026, 11, 19), date(2026, 12, 18)),
        ("monthly", date(2026, 8, 18), date(2026, 11, 18), date(2026, 12, 18)),
        ("monthly", date(2026, 8, 18), date(2026, 11, 17), date(2026, 11, 18)),
        # A month's end stays at month ends.
        ("monthly", date(2027, 1, 31), date(2027, 1, 31), date(2027, 2, 28)),
        ("monthly", date(2027, 1, 31), date(2027, 3, 1), date(2027, 3, 31)),
        # No due date: one step from the day sent.
        ("monthly", None, date(2026, 11, 18), date(2026, 12, 18)),
        # As needed: none.
        ("as_needed", date(2026, 11, 18), date(2026, 11, 18), None),
    ],
)
def test_the_next_date_moves_on_by_the_frequency(frequency, due, sent_on, expected):
    assert next_communication_date(frequency, due, sent_on) == expected


# ----- A plan with stakeholders and a communication owned by the lead -----


@pytest.fixture
def item(plan, people):
    people["lead"].email = "lead@example.org"
    people["lead"].save()
    sponsor = Stakeholder.objects.create(
        programme=plan["programme"], name="Sponsor", interest=5, influence=5
    )
    staff = Stakeholder.objects.create(
        programme=plan["programme"], name="Operational teams", interest=4, influence=2
    )
    item = CommunicationItem.objects.create(
        programme=plan["programme"],
        message="Progress against the plan",
        channel="Highlight report",
        frequency="monthly",
        owner=people["lead"].person,
        next_on=TODAY,
    )
    item.audience.add(sponsor, staff)
    return item


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_owner_records_it_sent_and_the_next_date_moves_on(item, people):
    sent = record_sent(item, by=people["lead"], sent_on=TODAY, note="Sent to the board")
    item.refresh_from_db()
    assert item.next_on == date(2026, 12, 18)
    assert (sent.sent_on, sent.note, sent.recorded_by) == (
        TODAY,
        "Sent to the board",
        people["lead"],
    )
    assert item.history.first().history_user == people["lead"]


def test_only_the_owner_or_the_office_records_it_sent(item, people):
    with pytest.raises(PermissionDenied):
        record_sent(item, by=people["other_lead"], sent_on=TODAY)
    with pytest.raises(PermissionDenied):
        record_sent(item, by=people["manager"], sent_on=TODAY)
    record_sent(item, by=people["office"], sent_on=TODAY)
    assert CommunicationSent.objects.count() == 1


def test_the_record_sent_page_says_what_is_wrong_by_the_field(item, people):
    url = reverse("communication_detail", args=[item.pk])
    lead = _client(people["lead"])
    future = TODAY + timedelta(days=2)
    response = lead.post(
        url, {"sent_on_0": future.day, "sent_on_1": future.month, "sent_on_2": future.year}
    )
    assert response.status_code == 400
    assert "The date sent cannot be in the future" in response.content.decode()
    assert not CommunicationSent.objects.exists()
    done = lead.post(
        url, {"sent_on_0": TODAY.day, "sent_on_1": TODAY.month, "sent_on_2": TODAY.year}
    )
    assert done.status_code == 302
    page = lead.get(url).content.decode()
    assert "18 December 2026" in page and "Record it as sent" in page
    board_page = _client(people["board"]).get(url).content.decode()
    assert "Record it as sent" not in board_page and "18 Nov 2026" in board_page
    assert _client(people["board"]).post(url, {}).status_code == 403


def test_the_owner_is_reminded_once_on_the_due_date(item, people):
    assert send_communication_reminders((TODAY - timedelta(days=1)).isoformat()) == 0
    assert send_communication_reminders(TODAY.isoformat()) == 1
    assert send_communication_reminders(TODAY.isoformat()) == 0
    assert send_communication_reminders((TODAY + timedelta(days=1)).isoformat()) == 0
    assert [email.to for email in mail.outbox] == [["lead@example.org"]]
    email = mail.outbox[0]
    assert "Highlight report" in email.subject
    assert "Sponsor" in email.body and reverse("communication_detail", args=[item.pk]) in email.body

    record_sent(item, by=people["lead"], sent_on=TODAY)
    item.refresh_from_db()
    assert send_communication_reminders(item.next_on.isoformat()) == 1


def test_a_closed_programme_sends_no_reminders_and_refuses_records(item, people, plan):
    programme = Programme.objects.get(pk=plan["programme"].pk)
    close_programme(
        programme, by=people["office"], version=programme.version, details=ClosureDetails("Done")
    )
    people["lead"].__dict__.pop("_programme_access", None)
    assert send_communication_reminders(TODAY.isoformat()) == 0
    with pytest.raises(PermissionDenied, match="The programme is closed"):
        record_sent(item, by=people["lead"], sent_on=TODAY)


# ----- The pages -----


def test_the_stakeholder_grid_places_each_stakeholder(item, people, plan):
    page = (
        _client(people["board"])
        .get(reverse("stakeholder_list", args=[plan["programme"].pk]))
        .content.decode()
    )
    manage = page.index('id="grid-manage_closely"')
    informed = page.index('id="grid-keep_informed"')
    assert manage < page.index("<li>Sponsor</li>") < page.index('id="grid-monitor"')
    assert informed < page.index("<li>Operational teams</li>")
    assert reverse("stakeholder_add", args=[plan["programme"].pk]) not in page
    filtered = (
        _client(people["board"])
        .get(reverse("stakeholder_list", args=[plan["programme"].pk]) + "?quadrant=keep_informed")
        .content.decode()
    )
    assert "<li>Sponsor</li>" not in filtered and "Operational teams" in filtered


def test_a_stakeholder_with_problems_is_shown_again_with_each_by_its_field(plan, people):
    url = reverse("stakeholder_add", args=[plan["programme"].pk])
    response = _client(people["office"]).post(url, {"name": "", "interest": "7"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Enter the stakeholder&#x27;s name" in page
    assert "The interest must be a whole number from 1 to 5" in page
    assert "Choose the stakeholder&#x27;s influence" in page
    done = _client(people["office"]).post(
        url, {"name": "Health Partners", "code": "HP", "interest": "3", "influence": "4"}
    )
    assert done.status_code == 302
    assert Stakeholder.objects.get(name="Health Partners").influence == 4
    again = _client(people["office"]).post(
        url, {"name": "health partners", "interest": "3", "influence": "4"}
    )
    assert "already has a stakeholder of this name" in again.content.decode()


def test_the_office_adds_a_line_to_the_plan(item, plan, people):
    url = reverse("communication_add", args=[plan["programme"].pk])
    sponsor = Stakeholder.objects.get(name="Sponsor")
    missing = _client(people["office"]).post(
        url, {"audience": [], "message": "News", "channel": "Newsletter", "frequency": "weekly"}
    )
    assert missing.status_code == 400
    page = missing.content.decode()
    assert "Choose at least one stakeholder it is for" in page
    assert "Enter the date it is next due" in page or "Choose who owns it" in page
    response = _client(people["office"]).post(
        url,
        {
            "audience": [sponsor.pk],
            "message": "Brief Encounter article",
            "channel": "Newsletter",
            "frequency": "quarterly",
            "owner": people["lead"].person.pk,
            "next_on_0": "1",
            "next_on_1": "12",
            "next_on_2": "2026",
        },
    )
    assert response.status_code == 302
    added = CommunicationItem.objects.get(channel="Newsletter")
    assert list(added.audience.all()) == [sponsor]
    listed = _client(people["board"]).get(
        reverse("communication_list", args=[plan["programme"].pk]) + "?due=due"
    )
    text = listed.content.decode()
    assert "Progress against the plan" in text and "Brief Encounter" not in text
    assert _client(people["manager"]).get(url).status_code == 403
    assert _client(people["outsider"]).get(url).status_code == 404


# ----- Each list in a fixed number of queries -----


def _build(size: int):
    programme = ProgrammeFactory()
    area = AreaFactory(programme=programme)
    office = UserFactory()
    grant(office, Role.PROGRAMME_OFFICE, programme=programme)
    stakeholders = [
        Stakeholder.objects.create(
            programme=programme, name=f"Group {n}", interest=1 + n % 5, influence=1 + (n * 2) % 5
        )
        for n in range(5 * size)
    ]
    for n in range(5 * size):
        workstream = WorkstreamFactory(area=area)
        owner = PersonFactory(organisation=programme.organisation)
        item = CommunicationItem.objects.create(
            programme=programme,
            message=f"Message {n}",
            channel="Team meeting",
            frequency="monthly",
            owner=owner,
            next_on=TODAY + timedelta(days=n),
        )
        item.audience.add(*stakeholders[n : n + 3])
        CommunicationSent.objects.create(
            item=item, sent_on=TODAY, recorded_by=office, recorded_at=timezone.now()
        )
        Lesson.objects.create(
            programme=programme,
            number=n + 1,
            workstream=workstream if n % 2 else None,
            what_happened="Happened",
            what_we_learned="Learned",
            do_differently="Differently",
            category="planning",
            raised_by=owner,
            raised_on=TODAY,
        )
    return programme, office


@pytest.mark.parametrize(
    ("name", "query", "page", "download"),
    [
        ("lesson_list", "?category=planning&sort=workstream", 6, 5),
        ("stakeholder_list", "?quadrant=monitor", 5, 5),
        ("communication_list", "?due=later&sort=owner", 9, 7),
    ],
)
def test_each_list_takes_the_same_queries_at_two_sizes(
    db, django_assert_num_queries, name, query, page, download
):
    # Session, user (with their person and organisation), memberships, programme, the
    # filters' choices and the rows (and the audience and what was sent of the plan's lines):
    # the same for 5 rows as for 20. The download reads no filter choices for the page.
    for size in (1, 4):
        programme, office = _build(size)
        client = _client(office)
        url = reverse(name, args=[programme.pk]) + query
        with django_assert_num_queries(page):
            assert client.get(url).status_code == 200
        with django_assert_num_queries(download):
            assert client.get(url + "&format=csv").status_code == 200
