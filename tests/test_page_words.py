"""Plain words on the pages (issue 15, part 8): a page whose form was refused says so first in
its title; the 403 page says what was refused and links back; a submitted status update ends on
a confirmation saying what happens next; a month whose period has closed is not offered for a
reading."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from programmes.choices import PeriodStatus
from programmes.permissions import ACTION_WORDS, Action
from tests import forms
from tests.clock import NOW, TODAY
from tests.factories import (
    MeasureFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    PeriodFactory,
    StatusUpdateFactory,
    WorkstreamFactory,
)

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


# ----- "Error: " at the start of the title when a form on the page has errors -----


def test_a_refused_form_puts_error_first_in_the_page_title(client, plan, people):
    client.force_login(people["office"])
    url = reverse("risk_add", args=[plan["programme"].pk])

    response = client.post(url, {"title": ""})

    assert response.status_code in (200, 400)
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert _title(response.content.decode()).startswith("Error: ")


def test_the_same_form_unsent_has_no_error_in_its_title(client, plan, people):
    client.force_login(people["office"])

    response = client.get(reverse("risk_add", args=[plan["programme"].pk]))

    assert response.status_code == 200
    assert "Error" not in _title(response.content.decode())


def test_a_page_that_named_its_own_error_says_it_once(client, plan, people):
    client.force_login(people["office"])
    url = reverse("workstream_edit", args=[plan["ws_1_1"].pk])

    response = client.post(url, {"name": ""})

    title = _title(response.content.decode())
    assert title.startswith("Error: ")
    assert title.count("Error") == 1


def test_a_page_without_a_form_has_no_error_in_its_title(client, plan, people):
    client.force_login(people["board"])

    response = client.get(reverse("programme_detail", args=[plan["programme"].pk]))

    assert "Error" not in _title(response.content.decode())


# ----- The 403 page -----


@pytest.fixture
def milestone(plan):
    return MilestoneFactory(
        workstream=plan["ws_1_1"], reference="1.1.4", title="Policy signed off by Cabinet"
    )


def test_the_refusal_says_what_was_refused_and_where(client, people, milestone):
    client.force_login(people["lead"])  # a lead updates milestones but does not change the plan

    response = client.get(reverse("milestone_edit", args=[milestone.pk]))

    html = response.content.decode()
    assert response.status_code == 403
    assert (
        "Your role does not allow you to change the plan (1.1.4 Policy signed off by Cabinet)."
        in html
    )
    assert "Nothing has been changed." in html


def test_a_refused_change_offers_the_page_it_came_from(client, people, milestone):
    client.force_login(people["lead"])
    came_from = "http://testserver" + reverse("milestone_detail", args=[milestone.pk])

    response = client.post(reverse("milestone_remove", args=[milestone.pk]), HTTP_REFERER=came_from)

    html = response.content.decode()
    assert response.status_code == 403
    assert f'href="{came_from}">Go back to the page you came from</a>' in html
    assert f'href="{reverse("home")}">go to My work</a>' in html


def test_the_refusal_never_links_to_another_site(client, people, milestone):
    client.force_login(people["lead"])

    response = client.get(
        reverse("milestone_edit", args=[milestone.pk]),
        HTTP_REFERER="https://elsewhere.example/phish",
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "elsewhere.example" not in html
    assert f'href="{reverse("home")}">Go to My work</a>' in html


def test_every_action_has_words_for_its_refusal():
    assert set(ACTION_WORDS) == set(Action)


# ----- The confirmation after a status update is submitted -----


@pytest.fixture
def period(plan):
    return PeriodFactory(
        programme=plan["programme"], month=TODAY.replace(day=1), cut_off=TODAY + timedelta(days=3)
    )


def test_submitting_a_status_update_ends_on_a_confirmation(client, people, plan, period):
    client.force_login(people["lead"])
    url = reverse("status_update", args=[plan["ws_1_1"].pk, period.pk])

    response = client.post(url, forms.status_update(rag="green"), follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "status_update_submitted", args=[plan["ws_1_1"].pk, period.pk]
    )
    assert 'class="govuk-panel govuk-panel--confirmation"' in html
    assert "Status update submitted" in html
    assert "1.1 Day Opportunities" in html and period.label in html
    assert "What happens next" in html
    assert "You can still change it until the period closes" in html


def test_saving_a_draft_stays_on_the_update(client, people, plan, period):
    client.force_login(people["lead"])
    url = reverse("status_update", args=[plan["ws_1_1"].pk, period.pk])

    response = client.post(url, forms.status_update(rag="green", action="draft"))

    assert response.status_code == 302 and response.url == url


def test_there_is_nothing_to_confirm_before_an_update_is_submitted(client, people, plan, period):
    StatusUpdateFactory(workstream=plan["ws_1_1"], period=period, state="draft")
    client.force_login(people["board"])

    response = client.get(reverse("status_update_submitted", args=[plan["ws_1_1"].pk, period.pk]))

    assert response.status_code == 302
    assert response.url == reverse("status_update", args=[plan["ws_1_1"].pk, period.pk])


@pytest.mark.parametrize("workstreams", [1, 12])
def test_the_confirmation_runs_a_fixed_number_of_queries(
    client, people, plan, period, workstreams, django_assert_max_num_queries
):
    for number in range(workstreams):
        workstream = WorkstreamFactory(area=plan["area_one"], reference=f"1.{number + 10}")
        StatusUpdateFactory(
            workstream=workstream, period=period, state="submitted", submitted_at=NOW
        )
    StatusUpdateFactory(
        workstream=plan["ws_1_1"],
        period=period,
        state="submitted",
        submitted_at=NOW,
        submitted_by=people["lead"],
    )
    client.force_login(people["lead"])

    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("status_update_submitted", args=[plan["ws_1_1"].pk, period.pk])
        )

    assert response.status_code == 200


# ----- Closed months are not offered for readings -----


def _offered_months(html: str) -> list[str]:
    select = html.split('id="id_period"', 1)[1].split("</select>", 1)[0]
    return [part.split('"', 1)[0] for part in select.split('value="')[1:]]


def test_a_closed_month_is_not_offered_for_a_reading(client, people, plan):
    this_month = TODAY.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    month_before = (last_month - timedelta(days=1)).replace(day=1)
    PeriodFactory(programme=plan["programme"], month=last_month, status=PeriodStatus.CLOSED)
    PeriodFactory(programme=plan["programme"], month=month_before, status=PeriodStatus.OPEN)
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    client.force_login(people["lead"])

    html = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()

    offered = _offered_months(html)
    assert this_month.isoformat() in offered
    assert month_before.isoformat() in offered  # still open: a late reading is welcome
    assert last_month.isoformat() not in offered


def test_correcting_a_reading_offers_only_its_own_month(client, people, plan):
    this_month = TODAY.replace(day=1)
    measure = MeasureFactory(workstream=plan["ws_1_1"])
    MeasureReadingFactory(measure=measure, period=this_month, value=Decimal(5))
    client.force_login(people["lead"])

    html = client.get(
        reverse("reading_edit", args=[measure.pk, this_month.isoformat()])
    ).content.decode()

    assert _offered_months(html) == [this_month.isoformat()]


# ----- My work names each workstream, not only its reference -----


def test_my_work_names_the_workstream_of_an_overdue_milestone(client, people, plan):
    MilestoneFactory(
        workstream=plan["ws_1_1"],
        reference="1.1.9",
        title="Staff consultation meetings",
        baseline_date=TODAY - timedelta(days=10),
    )
    client.force_login(people["lead"])

    html = client.get(reverse("home")).content.decode()

    row = next(row for row in html.split("<tr") if "1.1.9" in row)
    assert "1.1 Day Opportunities" in row
