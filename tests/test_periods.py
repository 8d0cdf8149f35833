"""The reporting periods page: the programme's months with their status updates and
exceptions, and the programme office closing and reopening them (DOMAIN.md section 4)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.choices import PeriodStatus, Role
from programmes.dates import add_months
from programmes.models import ReportingPeriod
from tests.clock import TODAY
from tests.factories import (
    MilestoneFactory,
    PeriodFactory,
    StatusUpdateFactory,
    UserFactory,
    grant,
)
from tests.html_forms import error_by, summary
from tests.test_pages import build_programme

THIS_MONTH = TODAY.replace(day=1)


@pytest.fixture
def months(plan):
    """This month (open), last month (ended, still open), and two closed months before."""
    programme = plan["programme"]
    return {
        "this": PeriodFactory(programme=programme, month=THIS_MONTH),
        "last": PeriodFactory(programme=programme, month=add_months(THIS_MONTH, -1)),
        "closed": PeriodFactory(
            programme=programme,
            month=add_months(THIS_MONTH, -2),
            status=PeriodStatus.CLOSED,
            closed_at=timezone.now() - timedelta(days=30),
        ),
        "older": PeriodFactory(
            programme=programme,
            month=add_months(THIS_MONTH, -3),
            status=PeriodStatus.CLOSED,
            closed_at=timezone.now() - timedelta(days=60),
        ),
    }


def test_the_page_lists_periods_newest_first_with_updates_and_exceptions(
    client, people, plan, months
):
    StatusUpdateFactory(
        workstream=plan["ws_1_1"],
        period=months["this"],
        state="submitted",
        submitted_at=timezone.now(),
    )
    StatusUpdateFactory(workstream=plan["ws_1_2"], period=months["this"], state="draft")
    MilestoneFactory(
        workstream=plan["ws_2_1"], reference="2.1.1", baseline_date=add_months(THIS_MONTH, -4)
    )
    client.force_login(people["board"])

    response = client.get(reverse("period_list", args=[plan["programme"].pk]))

    assert response.status_code == 200
    html = response.content.decode()
    labels = [months[name].label for name in ("this", "last", "closed", "older")]
    positions = [html.index(f">{label}</th>") for label in labels]
    assert positions == sorted(positions)
    assert "1 of 4" in html  # a draft is not in
    # The newest open period (this month, as at today) and the newest closed one are checked:
    # now, the overdue milestone and its Red workstream; at the closed month's end, the
    # milestone was not yet in the plan.
    assert html.count("2 exceptions<span") == 1 and html.count("0 exceptions<span") == 1
    assert html.count("Not checked here") == 2  # last month and the oldest
    for period in months.values():
        assert reverse("period_exceptions", args=[period.pk]) in html
    assert "close automatically at the end of each month" in html
    assert "Close<span" not in html and "Reopen<span" not in html


def test_the_page_says_when_periods_do_not_close_by_themselves(client, people, plan, months):
    plan["programme"].auto_close_periods = False
    plan["programme"].save()
    client.force_login(people["office"])
    html = client.get(reverse("period_list", args=[plan["programme"].pk])).content.decode()
    assert "do not close automatically: the programme office closes each one" in html


def test_the_programme_office_sees_close_and_reopen(client, people, plan, months):
    client.force_login(people["office"])
    html = client.get(reverse("period_list", args=[plan["programme"].pk])).content.decode()
    assert reverse("period_close", args=[months["last"].pk]) in html
    assert reverse("period_close", args=[months["this"].pk]) not in html  # not ended
    assert reverse("period_reopen", args=[months["closed"].pk]) in html
    assert reverse("period_reopen", args=[months["last"].pk]) not in html


def test_the_dashboard_links_to_the_periods(client, people, plan):
    client.force_login(people["lead"])
    html = client.get(reverse("programme_detail", args=[plan["programme"].pk])).content.decode()
    assert reverse("period_list", args=[plan["programme"].pk]) in html


def test_outsiders_do_not_see_the_periods(client, people, plan, months):
    client.force_login(people["outsider"])
    assert client.get(reverse("period_list", args=[plan["programme"].pk])).status_code == 404
    url = reverse("period_exceptions", args=[months["last"].pk])
    assert client.get(url).status_code == 404


MAY_MANAGE = {"office": True, "admin": True}
ROLES = ["board", "sponsor", "manager", "lead", "other_lead", "office", "outsider", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_close_a_period(client, people, months, role):
    period = months["last"]
    client.force_login(people[role])

    response = client.post(reverse("period_close", args=[period.pk]))

    period.refresh_from_db()
    if MAY_MANAGE.get(role):
        assert response.status_code == 302
        assert period.status == PeriodStatus.CLOSED
        assert period.closed_by == people[role] and period.closed_at is not None
        assert period.history.first().history_user == people[role]
    else:
        assert response.status_code == (404 if role == "outsider" else 403)
        assert period.status == PeriodStatus.OPEN and period.closed_at is None


@pytest.mark.parametrize("role", ROLES)
def test_who_may_reopen_a_period(client, people, months, role):
    period = months["closed"]
    client.force_login(people[role])

    response = client.post(
        reverse("period_reopen", args=[period.pk]), {"reason": "3.2's update had the wrong date"}
    )

    period.refresh_from_db()
    if MAY_MANAGE.get(role):
        assert response.status_code == 302
        assert period.status == PeriodStatus.OPEN and period.closed_at is None
        assert period.history.first().history_change_reason == "3.2's update had the wrong date"
    else:
        assert response.status_code == (404 if role == "outsider" else 403)
        assert period.status == PeriodStatus.CLOSED


def test_a_period_that_has_not_ended_cannot_be_closed(client, people, months):
    period = months["this"]
    client.force_login(people["office"])

    response = client.post(reverse("period_close", args=[period.pk]), follow=True)

    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN and period.closed_at is None
    assert f"{period.label} has not ended yet" in response.content.decode()


def test_closing_and_reopening_say_what_they_did(client, people, months):
    client.force_login(people["office"])
    html = client.post(
        reverse("period_close", args=[months["last"].pk]), follow=True
    ).content.decode()
    assert f"{months['last'].label} is closed" in html
    html = client.post(
        reverse("period_reopen", args=[months["last"].pk]),
        {"reason": "A lead's update was wrong"},
        follow=True,
    ).content.decode()
    assert f"{months['last'].label} is open again" in html
    assert "A lead&#x27;s update was wrong" in html  # the reason, shown on the periods page


def test_closing_and_reopening_ask_first_and_change_nothing_until_confirmed(client, people, months):
    client.force_login(people["office"])
    close = client.get(reverse("period_close", args=[months["last"].pk]))
    reopen = client.get(reverse("period_reopen", args=[months["closed"].pk]))

    assert close.status_code == 200 and f"Close {months['last'].label}?" in close.content.decode()
    assert "status updates are in" in close.content.decode()
    assert reopen.status_code == 200 and "Why is the period being reopened?" in (
        reopen.content.decode()
    )
    assert ReportingPeriod.objects.get(pk=months["last"].pk).status == PeriodStatus.OPEN
    assert ReportingPeriod.objects.get(pk=months["closed"].pk).status == PeriodStatus.CLOSED


@pytest.mark.parametrize("reason", ["", "   ", "x" * 101])
def test_reopening_without_a_reason_is_refused_by_the_field(client, people, months, reason):
    client.force_login(people["office"])

    response = client.post(reverse("period_reopen", args=[months["closed"].pk]), {"reason": reason})

    assert response.status_code == 400
    html = response.content.decode()
    assert error_by(html, "id_reason") in (
        "Say why the period is being reopened",
        "The reason must be 100 characters or fewer",
    )
    assert ("#id_reason", error_by(html, "id_reason")) in summary(html)
    assert ReportingPeriod.objects.get(pk=months["closed"].pk).status == PeriodStatus.CLOSED


@pytest.mark.parametrize("size", [1, 4])
def test_the_periods_page_runs_a_fixed_number_of_queries(
    client, db, size, django_assert_max_num_queries
):
    programme, _first = build_programme(workstreams=3 * size, milestones=2 * size)
    for months_back in range(1, 3 * size + 1):
        PeriodFactory(
            programme=programme,
            month=add_months(THIS_MONTH, -months_back),
            status=PeriodStatus.CLOSED,
            closed_at=timezone.now(),
        )
    user = UserFactory()
    grant(user, Role.PROGRAMME_OFFICE, programme=programme)
    client.force_login(user)
    with django_assert_max_num_queries(41):
        response = client.get(reverse("period_list", args=[programme.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Not checked here") == 3 * size - 1
